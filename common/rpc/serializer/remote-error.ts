// Exceptions crossing the wire as a `failure` (oslo's serialize/deserialize_remote_exception).
// Registered classes (module + class name) are rebuilt as themselves on the caller; everything
// else becomes RemoteError(excType, value, traceback), which is what a Python caller with the
// default `allowed_remote_exmods=[]` does too.
import { RemoteError } from '../errors';
import { isDict } from './message';

type AnyErrorClass = abstract new (...args: never[]) => Error;

/** Builds the local exception from a remote failure's message and kwargs. */
export type RemoteErrorFactory = (message: string, kwargs: Record<string, unknown>, failure: Failure) => Error;

/** The decoded failure dict (all keys Python sends). */
export interface Failure {
  class: string;
  module: string;
  message: string;
  tb: string[];
  args: unknown[];
  kwargs: Record<string, unknown>;
}

const registry = new Map<string, RemoteErrorFactory>();

function wireModuleOf(cls: unknown): string {
  const m = (cls as { wireModule?: unknown }).wireModule;
  return typeof m === 'string' ? m : 'builtins';
}

function normalizeModule(module: string): string {
  // Python 2 called the builtins module "exceptions".
  return module === 'exceptions' ? 'builtins' : module;
}

/**
 * Lets errors of `cls` (known on the wire as `<static wireModule>.<class name>`) come back as
 * `cls`. Without a factory it uses the static `fromRemote(message, kwargs)` if the class has
 * one (OpenStackException does), else `new cls(message)`.
 */
export function registerRemoteError(
  cls: AnyErrorClass,
  opts: { module?: string; name?: string; factory?: RemoteErrorFactory } = {},
): void {
  const module = normalizeModule(opts.module ?? wireModuleOf(cls));
  const name = opts.name ?? cls.name;
  const fromRemote = (cls as unknown as { fromRemote?: (m: string, k: Record<string, unknown>) => Error }).fromRemote;
  const factory: RemoteErrorFactory = opts.factory ??
    (typeof fromRemote === 'function'
      ? (message, kwargs) => fromRemote.call(cls, message, kwargs)
      : (message, kwargs) => {
        const err = new (cls as unknown as new (m: string) => Error)(message);
        if (Object.keys(kwargs).length && !('kwargs' in err)) Object.assign(err, { kwargs });
        return err;
      });
  registry.set(`${module}.${name}`, factory);
}

/** Forgets a registration (tests). */
export function unregisterRemoteError(module: string, name: string): void {
  registry.delete(`${normalizeModule(module)}.${name}`);
}

/** Python-looking traceback lines from a JS stack, ending with "<Class>: <message>\n". */
function tracebackLines(err: Error, cls: string): string[] {
  const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  return [
    'Traceback (most recent call last):\n',
    ...frames.reverse().map((l) => `  ${l.trim()}\n`),
    `${cls}: ${err.message}\n`,
  ];
}

/** The `failure` string of a reply for an exception thrown by an endpoint. */
export function serializeRemoteException(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const ctor = e.constructor as { name?: string };
  let cls = ctor && ctor !== Error ? ctor.name ?? e.name : e.name === 'Error' ? 'Exception' : e.name;
  let module = wireModuleOf(ctor);
  // A re-raised remote exception keeps its original identity.
  if (cls.endsWith('_Remote') && module.endsWith('_Remote')) {
    cls = cls.slice(0, -'_Remote'.length);
    module = module.slice(0, -'_Remote'.length);
  }
  const rawKwargs = (e as { kwargs?: unknown }).kwargs;
  const kwargs = isDict(rawKwargs) ? rawKwargs : {};
  const failure: Failure = {
    class: cls,
    module,
    message: e.message,
    tb: tracebackLines(e, cls),
    args: [e.message],
    kwargs,
  };
  try {
    return JSON.stringify(failure);
  } catch {
    // kwargs that cannot be encoded must not stop the caller from learning what happened.
    return JSON.stringify({ ...failure, kwargs: {} });
  }
}

/** Rebuilds the exception a reply's `failure` describes. */
export function deserializeRemoteException(data: string | Record<string, unknown>): Error {
  let raw: unknown = data;
  if (typeof data === 'string') {
    try {
      raw = JSON.parse(data);
    } catch {
      return new RemoteError(null, data, []);
    }
  }
  if (!isDict(raw)) return new RemoteError(null, String(data), []);
  const cls = typeof raw.class === 'string' ? raw.class : 'Exception';
  const module = normalizeModule(typeof raw.module === 'string' ? raw.module : 'builtins');
  const message = typeof raw.message === 'string' ? raw.message : String(raw.message ?? '');
  const tb = Array.isArray(raw.tb) ? raw.tb.map(String) : [];
  const kwargs = isDict(raw.kwargs) ? raw.kwargs : {};
  const args = Array.isArray(raw.args) ? raw.args : [];
  const factory = registry.get(`${module}.${cls}`);
  if (factory) {
    try {
      const err = factory(message, kwargs, { class: cls, module, message, tb, args, kwargs });
      Object.defineProperty(err, 'remoteTraceback', { value: tb, enumerable: false });
      return err;
    } catch {
      // fall through: a class that cannot be rebuilt is reported like an unknown one
    }
  }
  return new RemoteError(cls, message, tb);
}
