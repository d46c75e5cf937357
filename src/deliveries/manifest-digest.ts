import { createHash, type Hash } from 'node:crypto';

/**
 * Digests of the subject keys in one delivery, computed while the keys stream out (ascending order):
 * - `sha256`: SHA-256 of the concatenation of `key + "\n"`, to compare a whole key list at once;
 * - `merkleRoot`: a Merkle tree over the same keys, so an auditor can check that one key was (or was not
 *   claimed to be) in a delivery with a proof of log2(n) hashes, without seeing the other keys.
 *
 * Tree: leaf = SHA-256(0x00 || key), node = SHA-256(0x01 || left || right) (the prefixes stop a leaf from
 * passing for a node); at each level nodes are paired left to right and an odd last node is promoted
 * unchanged. The empty set has root SHA-256("") by definition. Keys are ordered by their UTF-8 bytes, must be
 * non-empty, unique and free of "\n". The builder keeps one partial root per level: O(log n) memory.
 */
export interface ManifestDigest {
  count: number;
  sha256: string;
  merkleRoot: string;
}

export interface MerkleProofStep {
  /** Which side the sibling hash is on. */
  side: 'left' | 'right';
  hash: string;
}

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);
const EMPTY_ROOT = createHash('sha256').digest();

export const leafHash = (key: string): Buffer => createHash('sha256').update(LEAF).update(key, 'utf8').digest();
export const nodeHash = (left: Buffer, right: Buffer): Buffer =>
  createHash('sha256').update(NODE).update(left).update(right).digest();

function checkKey(key: string): Buffer {
  if (typeof key !== 'string' || key.length === 0 || key.includes('\n')) {
    throw new Error('manifest keys must be non-empty strings without newlines');
  }
  return Buffer.from(key, 'utf8');
}

export class DigestBuilder {
  private readonly hash: Hash = createHash('sha256');
  /** Partial roots of complete subtrees, heights strictly decreasing from bottom to top. */
  private readonly stack: { height: number; hash: Buffer }[] = [];
  private last: Buffer | null = null;
  private count = 0;
  private done = false;

  add(key: string): this {
    if (this.done) throw new Error('DigestBuilder already finished');
    const bytes = checkKey(key);
    if (this.last && Buffer.compare(this.last, bytes) >= 0) {
      throw new Error(`manifest keys must be strictly ascending: "${key}" after "${this.last.toString('utf8')}"`);
    }
    this.last = bytes;
    this.count++;
    this.hash.update(bytes).update('\n');
    let node = { height: 0, hash: leafHash(key) };
    while (this.stack.length && this.stack[this.stack.length - 1].height === node.height) {
      const left = this.stack.pop()!;
      node = { height: node.height + 1, hash: nodeHash(left.hash, node.hash) };
    }
    this.stack.push(node);
    return this;
  }

  finish(): ManifestDigest {
    if (this.done) throw new Error('DigestBuilder already finished');
    this.done = true;
    // Folding the partial roots from the right is exactly the level-by-level tree with odd nodes promoted:
    // the smaller right subtree is carried up unchanged until it meets the next larger one.
    let root: Buffer | null = null;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      root = root ? nodeHash(this.stack[i].hash, root) : this.stack[i].hash;
    }
    return { count: this.count, sha256: this.hash.digest('hex'), merkleRoot: (root ?? EMPTY_ROOT).toString('hex') };
  }
}

export function manifestDigest(keysSorted: Iterable<string>): ManifestDigest {
  const b = new DigestBuilder();
  for (const k of keysSorted) b.add(k);
  return b.finish();
}

/**
 * The sibling hashes from `key`'s leaf up to the root, or null when the key is not in the set. Builds the whole
 * tree (O(n) memory): meant for answering one auditor's question, not for the delivery stream.
 */
export function merkleProof(keysSorted: readonly string[], key: string): MerkleProofStep[] | null {
  let index = keysSorted.indexOf(key);
  if (index < 0) return null;
  let level = keysSorted.map((k) => {
    checkKey(k);
    return leafHash(k);
  });
  const proof: MerkleProofStep[] = [];
  while (level.length > 1) {
    const sibling = index ^ 1;
    if (sibling < level.length) {
      proof.push({ side: index % 2 === 0 ? 'right' : 'left', hash: level[sibling].toString('hex') });
    }
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? nodeHash(level[i], level[i + 1]) : level[i]);
    level = next;
    index = Math.floor(index / 2);
  }
  return proof;
}

export function verifyMerkleProof(root: string, key: string, proof: readonly MerkleProofStep[]): boolean {
  if (!/^[0-9a-f]{64}$/.test(root) || typeof key !== 'string' || key.length === 0 || !Array.isArray(proof)) return false;
  let acc = leafHash(key);
  for (const step of proof) {
    if (!step || !/^[0-9a-f]{64}$/.test(step.hash)) return false;
    const sibling = Buffer.from(step.hash, 'hex');
    if (step.side === 'left') acc = nodeHash(sibling, acc);
    else if (step.side === 'right') acc = nodeHash(acc, sibling);
    else return false;
  }
  return acc.toString('hex') === root;
}
