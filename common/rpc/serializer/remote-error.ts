// Exceptions crossing the wire as a `failure` (oslo's serialize/deserialize_remote_exception).
// A failure from a module the caller's transport allows (oslo's `allowed_remote_exmods`) is
// rebuilt as that module's class; anything else becomes RemoteError(excType, value, traceback),
// which is what a Python caller does for a module it does not allow.
import { RemoteError } from '../errors';
import { isDict } from './message';

type AnyErrorClass = abstract new (...args: never[]) => Error;

/** The decoded failure dict (all keys Python sends). */
export interface Failure {
  class: string;
  module: string;
  message: string;
  tb: string[];
  args: unknown[];
  kwargs: Record<string, unknown>;
}

function wireModuleOf(cls: unknown): string {
  const m = (cls as { wireModule?: unknown }).wireModule;
  return typeof m === 'string' ? m : 'builtins';
}

function normalizeModule(module: string): string {
  // Python 2 called the builtins module "exceptions".
  return module === 'exceptions' ? 'builtins' : module;
}

function isErrorClass(v: unknown): v is AnyErrorClass {
  return typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Error;
}

/**
 * One exception module as a caller imports it: its wire name (`nova.exception`) and its
 * exports, where a failure's class is looked up by name as oslo's getattr(module, name) does.
 * Only classes that cross under this module's name (their static `wireModule`) are found,
 * so a class re-exported from elsewhere is not rebuilt under the wrong module.
 */
export class ExceptionModule {
  readonly name: string;

  /** `exports`: the module's namespace (`import * as exception from './exception'`) or a record of classes. */
  constructor(name: string, private readonly exports: Readonly<Record<string, unknown>>) {
    this.name = normalizeModule(name);
  }

  /** The local class a failure named `className` is rebuilt as, if this module has it. */
  classNamed(className: string): AnyErrorClass | undefined {
    if (!Object.prototype.hasOwnProperty.call(this.exports, className)) return undefined;
    const cls = this.exports[className];
    return isErrorClass(cls) && cls.name === className && normalizeModule(wireModuleOf(cls)) === this.name ? cls : undefined;
  }
}

/**
 * Rebuilds `cls` from a failure: its static `fromRemote(message, kwargs)` if it has one
 * (OpenStackException and MessagingError do), else `new cls(message)`.
 */
function rebuild(cls: AnyErrorClass, message: string, kwargs: Record<string, unknown>): Error {
  const fromRemote = (cls as unknown as { fromRemote?: (m: string, k: Record<string, unknown>) => Error }).fromRemote;
  if (typeof fromRemote === 'function') return fromRemote.call(cls, message, kwargs);
  const err = new (cls as unknown as new (m: string) => Error)(message);
  if (Object.keys(kwargs).length && !('kwargs' in err)) Object.assign(err, { kwargs });
  return err;
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

/**
 * Rebuilds the exception a reply's `failure` describes: as the local class when its module is
 * one of `allowed` (the transport's allowed_remote_exmods), else as RemoteError.
 */
export function deserializeRemoteException(
  data: string | Record<string, unknown>, allowed: readonly ExceptionModule[] = [],
): Error {
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
  const local = allowed.find((m) => m.name === module)?.classNamed(cls);
  if (local) {
    try {
      const err = rebuild(local, message, kwargs);
      Object.defineProperty(err, 'remoteTraceback', { value: tb, enumerable: false });
      return err;
    } catch {
      // fall through: a class that cannot be rebuilt is reported like an unknown one (oslo does too)
    }
  }
  return new RemoteError(cls, message, tb);
}
