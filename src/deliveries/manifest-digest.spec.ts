import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { DigestBuilder, leafHash, manifestDigest, merkleProof, nodeHash, verifyMerkleProof } from './manifest-digest';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The textbook construction, level by level with the whole tree in memory. */
function naiveRoot(keys: string[]): string {
  if (keys.length === 0) return sha('');
  let level = keys.map(leafHash);
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(level[i + 1] ? nodeHash(level[i], level[i + 1]) : level[i]);
    level = next;
  }
  return level[0].toString('hex');
}

const sortedKeys = (maxLength = 70) =>
  fc.uniqueArray(fc.stringMatching(/^[0-9a-f]{1,8}$/), { maxLength }).map((ks) => [...ks].sort(byBytes));

describe('manifest digest', () => {
  it('hashes "key\\n" concatenation and counts keys', () => {
    const keys = ['aa', 'ab', 'b'];
    const d = manifestDigest(keys);
    expect(d.count).toBe(3);
    expect(d.sha256).toBe(sha('aa\nab\nb\n'));
  });

  it('has fixed roots for tiny sets (documented construction)', () => {
    expect(manifestDigest([]).merkleRoot).toBe(sha(''));
    expect(manifestDigest(['a']).merkleRoot).toBe(leafHash('a').toString('hex'));
    const [a, b, c] = ['a', 'b', 'c'].map(leafHash);
    expect(manifestDigest(['a', 'b', 'c']).merkleRoot).toBe(nodeHash(nodeHash(a, b), c).toString('hex'));
  });

  it('refuses unsorted, duplicated, empty or newline keys', () => {
    expect(() => new DigestBuilder().add('b').add('a')).toThrow(/ascending/);
    expect(() => new DigestBuilder().add('a').add('a')).toThrow(/ascending/);
    expect(() => new DigestBuilder().add('')).toThrow(/non-empty/);
    expect(() => new DigestBuilder().add('a\nb')).toThrow(/newlines/);
    const b = new DigestBuilder().add('a');
    b.finish();
    expect(() => b.add('b')).toThrow(/finished/);
  });

  it('matches the naive full-tree root for random sorted sets', () => {
    fc.assert(
      fc.property(sortedKeys(), (keys) => {
        expect(manifestDigest(keys).merkleRoot).toBe(naiveRoot(keys));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps O(log n) partial roots while streaming', () => {
    const b = new DigestBuilder();
    let maxStack = 0;
    for (let i = 0; i < 5000; i++) {
      b.add(i.toString(16).padStart(8, '0'));
      maxStack = Math.max(maxStack, (b as unknown as { stack: unknown[] }).stack.length);
    }
    expect(maxStack).toBeLessThanOrEqual(13);
  });

  it('proves every member and the proofs verify against the root', () => {
    fc.assert(
      fc.property(sortedKeys(40).filter((k) => k.length > 0), fc.nat(), (keys, pick) => {
        const key = keys[pick % keys.length];
        const root = manifestDigest(keys).merkleRoot;
        const proof = merkleProof(keys, key)!;
        expect(proof).not.toBeNull();
        expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(keys.length)));
        expect(verifyMerkleProof(root, key, proof)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects non-members and forged or altered proofs', () => {
    fc.assert(
      fc.property(sortedKeys(40).filter((k) => k.length > 1), fc.nat(), fc.stringMatching(/^[g-z]{1,8}$/), (keys, pick, stranger) => {
        const root = manifestDigest(keys).merkleRoot;
        expect(merkleProof(keys, stranger)).toBeNull();
        const key = keys[pick % keys.length];
        const proof = merkleProof(keys, key)!;
        // A member's proof does not work for a non-member, nor for the member under a different root.
        expect(verifyMerkleProof(root, stranger, proof)).toBe(false);
        expect(verifyMerkleProof(sha('other'), key, proof)).toBe(false);
        if (proof.length > 0) {
          const flipped = proof.map((s, i) => (i === 0 ? { ...s, side: s.side === 'left' ? ('right' as const) : ('left' as const) } : s));
          expect(verifyMerkleProof(root, key, flipped)).toBe(false);
          expect(verifyMerkleProof(root, key, proof.slice(1))).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('rejects malformed proof input without throwing', () => {
    const root = manifestDigest(['a', 'b']).merkleRoot;
    expect(verifyMerkleProof(root, 'a', [{ side: 'right', hash: 'zz' }])).toBe(false);
    expect(verifyMerkleProof(root, 'a', [{ side: 'up' as 'left', hash: leafHash('b').toString('hex') }])).toBe(false);
    expect(verifyMerkleProof('nothex', 'a', [])).toBe(false);
    expect(verifyMerkleProof(root, 'a', [{ side: 'right', hash: leafHash('b').toString('hex') }])).toBe(true);
  });
});
