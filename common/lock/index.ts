// In-process keyed mutex, the analogue of nova's @utils.synchronized(instance.uuid) and
// cinder's @coordination.synchronized('{volume_id}') within one service: work on one key runs
// one at a time, other keys are not held up.
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => { release = r; });
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Whether anything holds or waits for `key` now. */
  held(key: string): boolean {
    return this.tails.has(key);
  }

  /** Resolves when nothing holds or waits for any key (graceful stop). */
  async idle(): Promise<void> {
    while (this.tails.size) await Promise.all([...this.tails.values()]);
  }
}
