import { randomBytes } from 'node:crypto';

/**
 * A set of SHA-256 digests written as 64 lower-case hex characters, stored as 32 bytes each in typed arrays:
 * about 41 bytes per digest at 1M (32 for the digest, 8 for the index at most half full, 1 for a flag) instead
 * of ~110 for a Set of strings, and no per-entry object for the garbage collector to trace.
 *
 * Open addressing with linear probing over an index of entry numbers; deletions leave a tombstone. The slot
 * hash mixes all 32 bytes with a random per-set seed, so a caller cannot choose digests that collide.
 */
export class Sha256Set {
  private entries: Int32Array; // 8 words per digest, in insertion order
  private deleted: Uint8Array; // 1 once an entry was deleted
  private slots: Int32Array; // entry number + 1; 0 = empty, -1 = tombstone
  private mask: number;
  private appended = 0;
  private live = 0;
  private readonly seed = randomBytes(4).readInt32LE(0);
  private readonly scratch = new Int32Array(8);
  private readonly scratchBytes = new Uint8Array(this.scratch.buffer);

  constructor(expected = 16) {
    const entries = Math.max(16, expected);
    this.entries = new Int32Array(entries * 8);
    this.deleted = new Uint8Array(entries);
    let capacity = 32;
    while (capacity < entries * 2) capacity *= 2;
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.live;
  }

  /** Adds a digest given as 64 lower-case hex characters; false when it was already present. */
  add(hex: string): boolean {
    if (!isDigest(hex)) throw new TypeError('a SHA-256 digest must be 64 lower-case hex characters');
    this.decodeString(hex);
    return this.insert();
  }

  has(hex: string): boolean {
    if (!isDigest(hex)) return false;
    this.decodeString(hex);
    return this.find() >= 0;
  }

  /** Removes a digest; false when it was not present. Anything that is not 64 lower-case hex is never present. */
  delete(hex: string): boolean {
    if (!isDigest(hex)) return false;
    this.decodeString(hex);
    const slot = this.find();
    if (slot < 0) return false;
    this.deleted[this.slots[slot] - 1] = 1;
    this.slots[slot] = -1;
    this.live--;
    return true;
  }

  private decodeString(hex: string): void {
    const out = this.scratchBytes;
    for (let i = 0; i < 32; i++) out[i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1));
  }

  private hashOf(words: Int32Array, base: number): number {
    let h = this.seed ^ 0x9e3779b9;
    for (let i = 0; i < 8; i++) {
      h = Math.imul(h ^ words[base + i], 0x85ebca6b);
      h ^= h >>> 13;
    }
    h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  private equalsScratch(entry: number): boolean {
    const e = this.entries;
    const s = this.scratch;
    const b = entry * 8;
    return e[b] === s[0] && e[b + 1] === s[1] && e[b + 2] === s[2] && e[b + 3] === s[3] && e[b + 4] === s[4] && e[b + 5] === s[5] && e[b + 6] === s[6] && e[b + 7] === s[7];
  }

  /** The slot holding the scratch digest, or -1. */
  private find(): number {
    let i = this.hashOf(this.scratch, 0) & this.mask;
    for (;;) {
      const s = this.slots[i];
      if (s === 0) return -1;
      if (s > 0 && this.equalsScratch(s - 1)) return i;
      i = (i + 1) & this.mask;
    }
  }

  private insert(): boolean {
    if (this.find() >= 0) return false;
    if (this.appended * 8 === this.entries.length) this.growEntries();
    // Tombstones count towards the load, so a probe always ends at an empty slot.
    if ((this.appended + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    const entry = this.appended++;
    this.entries.set(this.scratch, entry * 8);
    let i = this.hashOf(this.scratch, 0) & this.mask;
    while (this.slots[i] !== 0) i = (i + 1) & this.mask;
    this.slots[i] = entry + 1;
    this.live++;
    return true;
  }

  private growEntries(): void {
    const entries = new Int32Array(this.entries.length * 2);
    entries.set(this.entries);
    this.entries = entries;
    const deleted = new Uint8Array(this.deleted.length * 2);
    deleted.set(this.deleted);
    this.deleted = deleted;
  }

  private rehash(capacity: number): void {
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let entry = 0; entry < this.appended; entry++) {
      if (this.deleted[entry]) continue;
      let i = this.hashOf(this.entries, entry * 8) & this.mask;
      while (this.slots[i] !== 0) i = (i + 1) & this.mask;
      this.slots[i] = entry + 1;
    }
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Whether a value is a SHA-256 digest as the set takes it: 64 lower-case hex characters. */
export const isDigest = (hex: string) => typeof hex === 'string' && hex.length === 64 && SHA256_HEX.test(hex);

/** 0-15 for an ASCII code of 0-9 or a-f (callers have checked the range). */
const nibble = (c: number) => (c <= 57 ? c - 48 : c - 87);
