// RPCServer: consumes a Target's queues and runs endpoint methods, up to executorSize at once.
import { getLogger } from '../log';
import { InvalidTarget, MessagingError } from './errors';
import { RPCDispatcher, type Endpoint, type EndpointMethod } from './dispatcher';
import type { IncomingRequest, RpcListener } from './drivers/amqpdriver';
import { notifyDispatch, observed } from './observer';
import { serializeRemoteException } from './serializer/remote-error';
import type { Target } from './target';
import type { Transport } from './transport';
import { idsOfContextDict, parseTraceparent, runInScope, startSpan } from '../trace';

const LOG = getLogger('rpc.server');

export interface ServerOptions {
  /** Requests run concurrently (oslo's executor_thread_pool_size, default 64). */
  executorSize?: number;
  /** Lifeline of this server's dispatch spans in traces (default the topic), e.g. 'nova-compute'. */
  traceService?: string;
  /** Answer oslo_rpc_server_ping (default: the transport's [DEFAULT] rpc_ping_enabled). */
  pingEnabled?: boolean;
}


/** oslo's PingEndpoint: namespace null, version 1.0, any arguments. */
const PING_METHOD = 'oslo_rpc_server_ping';
const PING_ENDPOINT: Endpoint = { methods: { [PING_METHOD]: () => 'pong' } };

export class RPCServer {
  private readonly dispatcher: RPCDispatcher;
  private readonly executorSize: number;
  private readonly traceService: string;
  private listener: RpcListener | null = null;
  private starting: Promise<void> | null = null;
  private pending: RpcListener | null = null;

  constructor(readonly transport: Transport, readonly target: Target, endpoints: Endpoint[], options: ServerOptions = {}) {
    if (!target.topic) throw new InvalidTarget('A server\'s target must have topic specified', target);
    this.dispatcher = new RPCDispatcher(withPing(endpoints, options.pingEnabled ?? transport.rpcPingEnabled));
    this.executorSize = Math.max(1, options.executorSize ?? 64);
    this.traceService = options.traceService ?? target.topic;
  }

  /** Resolves once all consumers are in place (requests sent after this are received). */
  start(): Promise<void> {
    if (!this.starting) {
      const l = this.transport.driver.listener(this.target, this.executorSize, (req) => this.handle(req));
      this.pending = l;
      this.starting = l.start().then(() => { this.listener = l; });
      this.starting.catch(() => { this.starting = null; });
    }
    return this.starting;
  }

  /** Stops consuming; requests already running finish and reply (see wait()). */
  async stop(): Promise<void> {
    // Still starting (e.g. its queue declaration refused and retried): give that up.
    if (this.pending && !this.listener) await this.pending.stop();
    if (this.starting) await this.starting.catch(() => undefined);
    await this.listener?.stop();
  }

  /** Resolves when every running request has finished and replied. */
  async wait(): Promise<void> {
    await this.listener?.waitIdle();
  }

  /** One request in its scope: the sender's ids for log lines, a dispatch span under the sender's. */
  private handle(req: IncomingRequest): Promise<void> {
    const { message, ctxt } = req;
    const ids = idsOfContextDict(ctxt);
    const span = startSpan({
      name: message.method, kind: req.msgId ? 'server' : 'consumer', service: this.traceService, root: true, ids,
      parent: parseTraceparent(ctxt.traceparent, ctxt.tracestate), attrs: { 'rpc.method': message.method },
    });
    if (!span) return runInScope({ ids }, () => this.run(req));
    return runInScope(span.scope, () => this.run(req, (err) => span.fail(err))).finally(() => span.end());
  }

  private async run(req: IncomingRequest, failed?: (err: unknown) => void): Promise<void> {
    const { message, ctxt } = req;
    // Measured only when observed (common/rpc/observer.ts): from receipt to the method's end.
    const t0 = observed() ? performance.now() : -1;
    const topic = this.target.topic as string;
    let fn: EndpointMethod;
    try {
      fn = this.dispatcher.resolve(message);
    } catch (err) {
      // The method name came off the wire and names nothing here: not a label (unbounded).
      if (t0 >= 0) notifyDispatch(topic, null, t0, 'rejected');
      failed?.(err);
      LOG.warning(`${(err as Error).message}`, { method: message.method });
      await this.replyFailure(req, err);
      return;
    }
    const stopHeartbeat = this.startHeartbeat(req);
    let result: unknown;
    try {
      result = await fn(ctxt, message.args);
    } catch (err) {
      stopHeartbeat();
      if (t0 >= 0) notifyDispatch(topic, message.method, t0, 'error');
      failed?.(err);
      if (!(err instanceof MessagingError) && !isExpected(err)) {
        LOG.exception(`Exception during message handling (${message.method})`, err);
      } else {
        LOG.info(`${message.method} raised ${(err as Error).name}: ${(err as Error).message}`);
      }
      await this.replyFailure(req, err);
      return;
    }
    stopHeartbeat();
    if (t0 >= 0) notifyDispatch(topic, message.method, t0, 'success');
    if (!req.msgId) return;
    try {
      await req.reply(result, null);
    } catch (err) {
      if (err instanceof TypeError) {
        // The result could not be JSON-encoded: tell the caller instead of letting it time out.
        await this.replyFailure(req, new MessagingError(`Cannot serialize result of ${message.method}: ${err.message}`));
      } else {
        LOG.error(`could not send reply for ${message.method}: ${(err as Error).message}`);
      }
    }
  }

  private async replyFailure(req: IncomingRequest, err: unknown): Promise<void> {
    if (!req.msgId) return;
    try {
      await req.reply(null, serializeRemoteException(err));
    } catch (e) {
      LOG.error(`could not send failure reply: ${(e as Error).message}`);
    }
  }

  /** Call-monitor heartbeats every int(_timeout)/2 s while the method runs (none below 1 s). */
  private startHeartbeat(req: IncomingRequest): () => void {
    if (!req.msgId || !req.clientTimeout) return () => undefined;
    const interval = Math.trunc(req.clientTimeout) / 2;
    if (interval < 1) {
      LOG.warning(`call-monitor timeout ${req.clientTimeout}s is too short for heartbeats`);
      return () => undefined;
    }
    let stopped = false;
    const timer = setInterval(() => {
      req.heartbeat().catch((err: unknown) => {
        LOG.warning(`heartbeat failed, stopping heartbeats: ${(err as Error).message}`);
        stopped = true;
        clearInterval(timer);
      });
    }, interval * 1000);
    return () => {
      if (!stopped) clearInterval(timer);
      stopped = true;
    };
  }
}

/** rpc_ping_enabled adds the ping endpoint, unless an endpoint has that method already (as oslo, with a warning). */
function withPing(endpoints: Endpoint[], enabled: boolean): Endpoint[] {
  const taken = endpoints.some((ep) => Object.prototype.hasOwnProperty.call(ep.methods, PING_METHOD));
  if (taken) LOG.warning(`'${PING_METHOD}' is a reserved endpoint method name, used to ping the server`);
  if (!enabled) return endpoints;
  if (taken) {
    LOG.warning(`rpc_ping_enabled=True in config but ${PING_METHOD} is already declared in another endpoint; not enabling the ping endpoint`);
    return endpoints;
  }
  return [...endpoints, PING_ENDPOINT];
}

/** Project exceptions (with an HTTP code) are expected outcomes, not server bugs. */
function isExpected(err: unknown): boolean {
  return typeof (err as { code?: unknown })?.code === 'number' && 'kwargs' in (err as object);
}
