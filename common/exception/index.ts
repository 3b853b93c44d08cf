// Exceptions are data: a message template with %(name)s placeholders, an HTTP code, and
// the kwargs kept so they can cross RPC by class name and be rebuilt on the other side.

export type ExceptionKwargs = Record<string, unknown>;

/** Python-style "%(name)s" / "%(name)d" substitution; a missing key leaves the template as is. */
export function formatTemplate(template: string, kwargs: ExceptionKwargs): string {
  try {
    return template.replace(/%\((\w+)\)[sdr]/g, (_m, key: string) => {
      if (!(key in kwargs)) throw new Error(`missing ${key}`);
      const v = kwargs[key];
      return v === null || v === undefined ? 'None' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  } catch {
    return template;
  }
}

export class OpenStackException extends Error {
  /** Message template; leaves override it. */
  static msgFmt = 'An unknown exception occurred.';
  /** HTTP status the API maps this to. */
  static code = 500;
  /** Python module name this class is known as on the RPC wire (e.g. 'cinder.exception'). */
  static wireModule = 'attachd.exception';
  /** Headers the API answers it with (Cinder's QuotaError: Retry-After: 0). */
  static faultHeaders: Readonly<Record<string, string>> = {};
  /**
   * Cinder's `safe` exceptions that reach its fault wrapper uncaught (the quota errors): the
   * fault's message is "<ClassName>: <message>".
   */
  static namedInFault = false;

  readonly kwargs: ExceptionKwargs;
  readonly code: number;

  /** `new VolumeNotFound({volume_id})`, or with an explicit message as Python allows. */
  constructor(kwargs: ExceptionKwargs = {}, message?: string) {
    const cls = new.target as unknown as typeof OpenStackException;
    const code = typeof kwargs.code === 'number' ? kwargs.code : cls.code;
    super(message ?? formatTemplate(cls.msgFmt, kwargs));
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = new.target.name;
    this.kwargs = { ...kwargs };
    this.code = code;
  }

  /** Rebuild from a remote failure (its module allowed by the transport): keep its text. */
  static fromRemote<T extends OpenStackException>(
    this: new (kwargs?: ExceptionKwargs, message?: string) => T,
    message: string, kwargs: ExceptionKwargs,
  ): T {
    return new this(kwargs, message);
  }
}

/** What a project's base classes say where Nova and Cinder word them differently. */
export interface BaseTexts {
  /** Invalid's template (400). */
  invalid: string;
  /** The 403 base: Nova's `Forbidden`, Cinder's `NotAuthorized`, and its template. */
  forbidden: { name: string; msgFmt: string };
}

/** A class's `name` is what crosses the wire: set it where the declaration cannot. */
function named<C extends abstract new (...args: never[]) => unknown>(cls: C, name: string): C {
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

/**
 * A project's exception module (nova/exception.py, cinder/exception.py): its base class named
 * `baseName` and the generic bases under it, all known on the wire as `wireModule`. The
 * project's module then declares only its concrete exceptions (template + code) on these.
 */
export function exceptionBases(wireModule: string, baseName: string, texts: BaseTexts) {
  const Base = named(class extends OpenStackException {
    static override wireModule = wireModule;
  }, baseName);
  class Invalid extends Base {
    static override msgFmt = texts.invalid;
    static override code = 400;
  }
  class NotFound extends Base {
    static override msgFmt = 'Resource could not be found.';
    static override code = 404;
  }
  const Forbidden = named(class extends Base {
    static override msgFmt = texts.forbidden.msgFmt;
    static override code = 403;
  }, texts.forbidden.name);
  class Conflict extends Base {
    static override msgFmt = 'Conflict';
    static override code = 409;
  }
  return { Base, Invalid, NotFound, Forbidden, Conflict };
}

/** Configuration problem found at start: one clear line, then exit. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'ConfigError';
  }
}
