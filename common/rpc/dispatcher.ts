// Picks the endpoint method for an incoming request: oslo's RPCDispatcher rules for namespace,
// version compatibility and the default access policy (no `_private` methods).
import { NoSuchMethod, UnsupportedVersion } from './errors';
import type { Target } from './target';
import { isCompatible } from './version';

export type EndpointMethod = (ctxt: Record<string, unknown>, args: Record<string, unknown>) => unknown;

export interface Endpoint {
  /** namespace + implemented version; absent means namespace null, version '1.0' (as oslo). */
  target?: Target;
  methods: Record<string, EndpointMethod>;
}

export interface RequestMessage {
  method: string;
  args: Record<string, unknown>;
  namespace: string | null;
  version: string | null;
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

export class RPCDispatcher {
  /** Bound endpoint methods, made once per (endpoint, method) instead of per request. */
  private readonly bound = new WeakMap<Endpoint, Map<string, { fn: EndpointMethod; bound: EndpointMethod }>>();

  constructor(private readonly endpoints: readonly Endpoint[]) {}

  private boundMethod(ep: Endpoint, name: string, fn: EndpointMethod): EndpointMethod {
    let m = this.bound.get(ep);
    if (!m) {
      m = new Map();
      this.bound.set(ep, m);
    }
    let e = m.get(name);
    // Rebind if the endpoint's method was replaced since.
    if (e?.fn !== fn) {
      e = { fn, bound: fn.bind(ep.methods) as EndpointMethod };
      m.set(name, e);
    }
    return e.bound;
  }

  /** Finds the method or throws NoSuchMethod / UnsupportedVersion (before running anything). */
  resolve(msg: RequestMessage): EndpointMethod {
    const version = msg.version ?? '1.0';
    let compatible = false;
    for (const ep of this.endpoints) {
      const namespace = ep.target?.namespace ?? null;
      const epVersion = ep.target?.version ?? '1.0';
      if (namespace !== msg.namespace || !isCompatible(epVersion, version)) continue;
      compatible = true;
      if (!msg.method.startsWith('_') && hasOwn(ep.methods, msg.method)) {
        const fn = ep.methods[msg.method];
        if (typeof fn === 'function') return this.boundMethod(ep, msg.method, fn);
      }
    }
    if (compatible) throw new NoSuchMethod(msg.method);
    throw new UnsupportedVersion(version, msg.method);
  }

  async dispatch(ctxt: Record<string, unknown>, msg: RequestMessage): Promise<unknown> {
    const fn = this.resolve(msg);
    return await fn(ctxt, msg.args);
  }
}
