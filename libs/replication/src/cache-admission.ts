/**
 * Keys read recently, for the read cache's admission of one-block objects ("cache on second hit",
 * as CDNs admit objects: most objects read once through a node are never read there again, and
 * caching them costs a file, a row and the eviction of something that was read again).
 */

/** How many recent first reads {@link RecentReads} remembers by default. */
export const RECENT_READS = 4_096;

/**
 * The last `capacity` keys seen, as 32-bit hashes in a ring (about 30 bytes each, whatever the
 * key): `seenBefore(key)` is true when `key` is among them, and remembers it either way. Two keys
 * with the same hash count as one, which only admits a block one read early.
 */
export class RecentReads {
  readonly #ring: Int32Array;
  readonly #counts = new Map<number, number>();
  #next = 0;
  #filled = 0;

  constructor(capacity = RECENT_READS) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#ring = new Int32Array(capacity);
  }

  seenBefore(key: string): boolean {
    const h = hash32(key);
    const seen = this.#counts.has(h);
    if (this.#filled === this.#ring.length) {
      const old = this.#ring[this.#next]!;
      const n = this.#counts.get(old)!;
      if (n === 1) this.#counts.delete(old);
      else this.#counts.set(old, n - 1);
    } else {
      this.#filled++;
    }
    this.#ring[this.#next] = h;
    this.#counts.set(h, (this.#counts.get(h) ?? 0) + 1);
    this.#next = (this.#next + 1) % this.#ring.length;
    return seen;
  }

  /** Keys remembered now (at most the capacity). */
  get size(): number {
    return this.#filled;
  }
}

/** FNV-1a over the UTF-16 code units, as a signed 32-bit integer. */
export function hash32(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
