// Where a message goes / what a server listens to: oslo's Target, as an immutable value.

export interface TargetFields {
  /** Exchange; null means the transport's control exchange ('openstack'). */
  exchange?: string | null;
  topic?: string | null;
  /** Endpoint namespace; null is its own namespace (only matches null). */
  namespace?: string | null;
  /** "X.Y" API version; client: sent with each message; endpoint: implemented version. */
  version?: string | null;
  server?: string | null;
  fanout?: boolean;
}

export class Target {
  readonly exchange: string | null;
  readonly topic: string | null;
  readonly namespace: string | null;
  readonly version: string | null;
  readonly server: string | null;
  readonly fanout: boolean;

  constructor(fields: TargetFields = {}) {
    this.exchange = fields.exchange ?? null;
    this.topic = fields.topic ?? null;
    this.namespace = fields.namespace ?? null;
    this.version = fields.version ?? null;
    this.server = fields.server ?? null;
    this.fanout = fields.fanout ?? false;
    Object.freeze(this);
  }

  /** A copy with some fields replaced (`undefined` keeps, `null` clears). */
  with(overrides: TargetFields): Target {
    const pick = <K extends keyof TargetFields>(k: K): TargetFields[K] =>
      overrides[k] !== undefined ? overrides[k] : (this[k] as TargetFields[K]);
    return new Target({
      exchange: pick('exchange'),
      topic: pick('topic'),
      namespace: pick('namespace'),
      version: pick('version'),
      server: pick('server'),
      fanout: pick('fanout'),
    });
  }

  equals(o: Target): boolean {
    return (
      this.exchange === o.exchange && this.topic === o.topic && this.namespace === o.namespace &&
      this.version === o.version && this.server === o.server && this.fanout === o.fanout
    );
  }

  /** Same text as Python's repr(Target) so log lines and InvalidTarget messages match. */
  toString(): string {
    const attrs: string[] = [];
    for (const k of ['exchange', 'topic', 'namespace', 'version', 'server', 'fanout'] as const) {
      const v = this[k];
      if (v !== null && v !== false) attrs.push(`${k}=${v === true ? 'True' : v}`);
    }
    return `<Target ${attrs.join(', ')}>`;
  }
}
