/**
 * Keys read recently, for the read cache's admission of one-block objects ("cache on second hit",
 * as CDNs admit objects: most objects read once through a node are never read there again, and
 * caching them costs a file, a row and the eviction of something that was read again).
 */

/** How many recent first reads {@link RecentReads} remembers by default. */
export const RECENT_READS = 4_096;

/**
 * The last `capacity` keys seen, in a ring (about 30 bytes each): `seenBefore(key)` is true when
 * `key` is among them, and remembers it either way. Keys are 32-bit integers the caller already
 * has, e.g. the first bytes of a CID's SHA-256 digest ({@link digestKey}); two objects with the
 * same key count as one, which only admits a block one read early.
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

  seenBefore(h: number): boolean {
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

/** The first four bytes of a SHA-256 digest (uniform already) as a 32-bit integer; missing bytes count as 0. */
export function digestKey(digest: Uint8Array): number {
  return ((digest[0] ?? 0) << 24) | ((digest[1] ?? 0) << 16) | ((digest[2] ?? 0) << 8) | (digest[3] ?? 0);
}
