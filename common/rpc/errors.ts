// Exceptions of the RPC layer, named and worded as oslo.messaging's so logs and the wire
// read the same on both sides. `wireModule` is the Python module a class is known as when
// it crosses the wire as a failure (see remote-error.ts).

/** Base of every RPC-layer error (oslo's MessagingException). */
export class MessagingError extends Error {
  static wireModule = 'oslo_messaging.exceptions';

  constructor(message: string) {
    super(message);
    // Keep `instanceof` working for subclasses compiled to ES5-style prototypes.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = new.target.name;
  }

  /**
   * Rebuild from a remote failure whose module the transport allows (allowedRemoteExmods):
   * same class and text, whatever the constructor's own parameters are.
   */
  static fromRemote(message: string, _kwargs: Record<string, unknown> = {}): MessagingError {
    const e = new MessagingError(message);
    Object.setPrototypeOf(e, this.prototype);
    e.name = this.name;
    return e;
  }
}

/** No reply (or no call-monitor heartbeat) arrived in time. */
export class MessagingTimeout extends MessagingError {
  constructor(readonly msgId: string, message = `Timed out waiting for a reply to message ID ${msgId}`) {
    super(message);
  }
}

/** The broker did not take the message (nack, returned, or connection retries exhausted). */
export class MessageDeliveryFailure extends MessagingError {}

/**
 * The broker handed a mandatory message back: no queue is bound for its routing key (a reply
 * queue gone, or a topic queue not declared yet / gone while its node fails over). A cast gets
 * it once its re-sends within kombu_missing_consumer_retry_timeout and its retry limit ran out.
 */
export class MessageUndeliverable extends MessageDeliveryFailure {}

/** The target cannot be used for this operation (e.g. call + fanout). */
export class InvalidTarget extends MessagingError {
  constructor(message: string, readonly target: unknown) {
    super(`${message}:${String(target)}`);
  }
}

/** Python's repr() of a list of str: what oslo's RemoteError prints for the traceback. */
function pyReprList(lines: readonly string[]): string {
  const one = (s: string): string => {
    const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
    const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  };
  return `[${lines.map(one).join(', ')}]`;
}

/** A remote endpoint raised an exception of a module the caller's transport does not allow. */
export class RemoteError extends MessagingError {
  static override wireModule = 'oslo_messaging.rpc.client';

  constructor(
    readonly excType: string | null,
    readonly value: string | null,
    readonly traceback: readonly string[] = [],
  ) {
    super(`Remote error: ${excType ?? 'None'} ${value ?? 'None'}\n${pyReprList(traceback)}.`);
  }
}

/** Server side: no endpoint matching namespace+version has this (public) method. */
export class NoSuchMethod extends MessagingError {
  static override wireModule = 'oslo_messaging.rpc.dispatcher';

  constructor(readonly method: string) {
    super(`Endpoint does not support RPC method ${method}`);
  }
}

/** Server side: no endpoint matches the requested namespace and version. */
export class UnsupportedVersion extends MessagingError {
  static override wireModule = 'oslo_messaging.rpc.dispatcher';

  constructor(readonly version: string, readonly method: string | null = null) {
    super(`Endpoint does not support RPC version ${version}. Attempted method: ${method ?? 'None'}`);
  }
}

/** Client side: the requested version is above the client's version cap. */
export class RPCVersionCapError extends MessagingError {
  static override wireModule = 'oslo_messaging.rpc.client';

  constructor(readonly version: string | null, readonly versionCap: string | null) {
    super(
      `Requested message version, ${version ?? 'None'} is incompatible.  It needs to be equal in major ` +
        `version and less than or equal in minor version as the specified version cap ${versionCap ?? 'None'}.`,
    );
  }
}

/**
 * Python's builtin ValueError. Endpoints throw it for bad arguments; it crosses the wire as
 * class `ValueError`, module `builtins`, which every Python caller rebuilds as a ValueError.
 */
export class ValueError extends Error {
  static wireModule = 'builtins';

  constructor(message = '') {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'ValueError';
  }
}
