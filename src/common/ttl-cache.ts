/**
 * A small in-process read-through cache: values live `ttlMs`, at most `maxEntries` of them (the least recently
 * used goes first), and concurrent misses for one key share one load.
 *
 * invalidate(key) must be called after the change it reflects has been written. A load that was already running
 * then may have read the old value: it still answers its own callers (they were concurrent with the change) but
 * is never stored, and the next get() starts a fresh load. `ttlMs` 0 disables the cache: every get() loads.
 * null and undefined are returned but not stored.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();
  private readonly pending = new Map<K, Promise<V>>();
  /** Bumped by every invalidation; a load started under an older generation is not stored. */
  private generation = 0;

  constructor(
    private readonly opts: { ttlMs: number; maxEntries: number; now?: () => number },
  ) {
    if (!(opts.maxEntries >= 1)) throw new Error('TtlCache needs room for at least one entry');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K, load: () => Promise<V>): Promise<V> {
    if (this.opts.ttlMs <= 0) return load();
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      if (hit.expiresAt > this.now()) {
        this.entries.set(key, hit); // most recently used goes last
        return Promise.resolve(hit.value);
      }
    }
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;

    const generation = this.generation;
    const loading: Promise<V> = load()
      .then((value) => {
        if (generation === this.generation && value !== null && value !== undefined) this.store(key, value);
        return value;
      })
      .finally(() => {
        if (this.pending.get(key) === loading) this.pending.delete(key);
      });
    this.pending.set(key, loading);
    return loading;
  }

  invalidate(key: K): void {
    this.generation++;
    this.entries.delete(key);
    this.pending.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.pending.clear();
  }

  private store(key: K, value: V): void {
    this.entries.delete(key);
    while (this.entries.size >= this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, { value, expiresAt: this.now() + this.opts.ttlMs });
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : performance.now();
  }
}
