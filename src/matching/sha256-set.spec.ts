import { createHash } from 'node:crypto';
import { Sha256Set } from './sha256-set';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('Sha256Set', () => {
  it('behaves as a Set of the same digests through growth, duplicates, deletions and re-additions', () => {
    const set = new Sha256Set(4);
    const ref = new Set<string>();
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let step = 0; step < 60_000; step++) {
      const key = sha(String(next() % 20_000));
      const op = next() % 10;
      if (op < 6) expect(set.add(key)).toBe(!ref.has(key) && ref.add(key) !== undefined);
      else if (op < 9) expect(set.delete(key)).toBe(ref.delete(key));
      else expect(set.has(key)).toBe(ref.has(key));
      if (step % 5000 === 0) expect(set.size).toBe(ref.size);
    }
    expect(set.size).toBe(ref.size);
    for (let i = 0; i < 20_000; i++) expect(set.has(sha(String(i)))).toBe(ref.has(sha(String(i))));
  });

  it('refuses to add what is not 64 lower-case hex, and never holds it', () => {
    const set = new Sha256Set();
    const key = sha('b');
    for (const bad of [key.toUpperCase(), key.slice(1), `${key}0`, 'z'.repeat(64), '', 12 as unknown as string]) {
      expect(() => set.add(bad)).toThrow(TypeError);
      expect(set.has(bad)).toBe(false);
      expect(set.delete(bad)).toBe(false);
    }
    set.add(key);
    expect(set.delete(key.toUpperCase())).toBe(false);
    expect(set.size).toBe(1);
  });

  it('tells apart digests that differ in any one byte', () => {
    const set = new Sha256Set();
    const base = '0'.repeat(64);
    set.add(base);
    for (let i = 0; i < 64; i++) {
      const other = `${base.slice(0, i)}1${base.slice(i + 1)}`;
      expect(set.has(other)).toBe(false);
      expect(set.add(other)).toBe(true);
    }
    expect(set.size).toBe(65);
  });
});
