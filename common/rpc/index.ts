// Public API of the RPC layer (oslo.messaging for attachd). Import from here only.
export { getRpcTransport, getNotificationTransport, Transport, type TransportOptions } from './transport';
export { rabbitTransportOptions, rpcTransportFromConf, notifierOptions, notifierFromConf, type ServiceNotifier } from './opts';
export { Target, type TargetFields } from './target';
export { RPCClient, type ClientOptions, type PrepareOptions } from './client';
export { RPCServer, type ServerOptions } from './server';
export type { Endpoint, EndpointMethod } from './dispatcher';
export { Notifier, type NotifierOptions, type NotifierDriver } from './notify/notifier';
export {
  NotificationListener, ALL_PRIORITIES, type Notification, type NotificationHandler, type ListenerOptions,
} from './notify/listener';
export {
  MessagingError, MessagingTimeout, MessageDeliveryFailure, MessageUndeliverable, InvalidTarget, RemoteError, NoSuchMethod,
  UnsupportedVersion, RPCVersionCapError, ValueError,
} from './errors';
export {
  ExceptionModule, serializeRemoteException, deserializeRemoteException, type Failure,
} from './serializer/remote-error';
export { isCompatible as versionIsCompatible } from './version';
export {
  addRpcObserver, isRemoteFailure, remoteClassOf, type RpcObserver, type CallOutcome, type DispatchOutcome,
} from './observer';
