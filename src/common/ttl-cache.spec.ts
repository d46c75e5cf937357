import { TtlCache } from './ttl-cache';

/** A load whose completion the test controls. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('TtlCache', () => {
  let clock: number;
  const now = () => clock;
  beforeEach(() => {
    clock = 1000;
  });

  it('serves a stored value until its TTL has passed, then loads again', async () => {
    const cache = new TtlCache<string, number>({ ttlMs: 100, maxEntries: 10, now });
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get('a', load)).toBe(1);
    clock += 99;
    expect(await cache.get('a', load)).toBe(1);
    clock += 1;
    expect(await cache.get('a', load)).toBe(2);
    expect(loads).toBe(2);
  });

  it('with ttlMs 0 loads on every call and stores nothing', async () => {
    const cache = new TtlCache<string, number>({ ttlMs: 0, maxEntries: 10, now });
    let loads = 0;
    const load = async () => ++loads;
    expect([await cache.get('a', load), await cache.get('a', load), await cache.get('a', load)]).toEqual([1, 2, 3]);
    expect(cache.size).toBe(0);
  });

  it('invalidate drops the value: the next get loads', async () => {
    const cache = new TtlCache<string, string>({ ttlMs: 10_000, maxEntries: 10, now });
    expect(await cache.get('u', async () => 'active')).toBe('active');
    cache.invalidate('u');
    expect(await cache.get('u', async () => 'suspended')).toBe('suspended');
    expect(await cache.get('u', async () => 'never read')).toBe('suspended');
  });

  it('concurrent misses share one load', async () => {
    const cache = new TtlCache<string, number>({ ttlMs: 1000, maxEntries: 10, now });
    const d = deferred<number>();
    let loads = 0;
    const load = () => {
      loads++;
      return d.promise;
    };
    const all = Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)]);
    d.resolve(7);
    expect(await all).toEqual([7, 7, 7]);
    expect(loads).toBe(1);
  });

  it('a load running across an invalidation answers its callers but is not stored, and later gets do not join it', async () => {
    const cache = new TtlCache<string, string>({ ttlMs: 10_000, maxEntries: 10, now });
    const stale = deferred<string>();
    const before = cache.get('u', () => stale.promise); // read the old state...
    cache.invalidate('u'); // ...while the change was written and invalidated
    const after = cache.get('u', async () => 'suspended');
    stale.resolve('active');
    expect(await before).toBe('active');
    expect(await after).toBe('suspended');
    expect(await cache.get('u', async () => 'never read')).toBe('suspended');
  });

  it('a stale load finishing after a fresh one does not overwrite it', async () => {
    const cache = new TtlCache<string, string>({ ttlMs: 10_000, maxEntries: 10, now });
    const stale = deferred<string>();
    const before = cache.get('u', () => stale.promise);
    cache.invalidate('u');
    expect(await cache.get('u', async () => 'suspended')).toBe('suspended');
    stale.resolve('active');
    await before;
    expect(await cache.get('u', async () => 'never read')).toBe('suspended');
  });

  it('keeps at most maxEntries, evicting the least recently used', async () => {
    const cache = new TtlCache<string, string>({ ttlMs: 10_000, maxEntries: 2, now });
    await cache.get('a', async () => 'A');
    await cache.get('b', async () => 'B');
    await cache.get('a', async () => 'not read'); // a is now the most recent
    await cache.get('c', async () => 'C'); // evicts b
    expect(cache.size).toBe(2);
    expect(await cache.get('a', async () => 'reloaded')).toBe('A');
    expect(await cache.get('b', async () => 'B again')).toBe('B again');
  });

  it('does not store null or undefined, and does not store a failed load', async () => {
    const cache = new TtlCache<string, string | null>({ ttlMs: 10_000, maxEntries: 10, now });
    expect(await cache.get('missing', async () => null)).toBeNull();
    expect(cache.size).toBe(0);
    await expect(cache.get('boom', async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.get('boom', async () => 'ok')).toBe('ok');
  });
});
