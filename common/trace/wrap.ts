// Spans around existing objects' methods without touching their code: the database API's
// units of work and the drivers' calls (connector, virt, volume backend). Idempotent.
import { runInScope } from './scope';
import { startSpan, type SpanKind } from './tracer';

const WRAPPED = Symbol('attachd.traced');

type AnyFn = (...args: unknown[]) => unknown;

export interface WrapOptions {
  /** Lifeline called: database, target, hypervisor. */
  peer: string;
  kind?: SpanKind;
  /** Span name prefix, e.g. 'db.' → 'db.bdmTransition'. */
  prefix?: string;
}

/** The method names of an object or prototype that are plain functions (no getters, no constructor). */
export function methodNames(obj: object): string[] {
  return Object.getOwnPropertyNames(obj).filter((n) => {
    if (n === 'constructor' || n.startsWith('_')) return false;
    const d = Object.getOwnPropertyDescriptor(obj, n);
    return typeof d?.value === 'function';
  });
}

/** Replaces `names` on `target` (an instance or a prototype) with traced versions. */
export function traceMethods<T extends object>(target: T, names: readonly string[], o: WrapOptions): T {
  const t = target as unknown as Record<string, AnyFn & { [WRAPPED]?: true }>;
  for (const name of names) {
    const fn = t[name];
    if (typeof fn !== 'function' || fn[WRAPPED]) continue;
    const traced = function (this: unknown, ...args: unknown[]): unknown {
      const span = startSpan({ name: `${o.prefix ?? ''}${name}`, kind: o.kind ?? 'client', peer: o.peer });
      if (!span) return fn.apply(this, args);
      let out: unknown;
      try {
        out = runInScope(span.scope, () => fn.apply(this, args));
      } catch (err) {
        span.fail(err).end();
        throw err;
      }
      if (out && typeof (out as Promise<unknown>).then === 'function') {
        return (out as Promise<unknown>).then((v) => { span.end(); return v; }, (err: unknown) => { span.fail(err).end(); throw err; });
      }
      span.end();
      return out;
    } as AnyFn & { [WRAPPED]?: true };
    traced[WRAPPED] = true;
    Object.defineProperty(traced, 'name', { value: name });
    t[name] = traced;
  }
  return target;
}
