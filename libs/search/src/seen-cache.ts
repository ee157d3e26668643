import { InvalidArgumentError, type Clock } from '@peerweave/core';

export interface SeenCacheInit {
  clock: Clock;
  /** How long an id is remembered. Must outlast a query's flood (TTL hops × per-hop latency). */
  ttlMs: number;
  /**
   * Most ids remembered. Should cover the query rate × ttlMs: past it the oldest ids are forgotten
   * early, and a late duplicate of one of them is forwarded again (more traffic, never a loop: the
   * TTL still ends it).
   */
  max: number;
}

/**
 * Query ids seen recently, so that a flooded query is answered and forwarded once per node however
 * many neighbours send it (Gnutella's duplicate-descriptor check). Ids are remembered from when
 * they were *first* seen: a duplicate does not extend its id's life, so a query bouncing around a
 * loop cannot keep itself remembered forever.
 *
 * A Map in insertion order is both the set and the expiry queue: with one ttl for all ids (and a
 * clock that does not go back) insertion order is expiry order, so expired ids are purged from the
 * front, lazily, and the oldest id is evicted when full — each O(1) amortised.
 */
export class SeenCache {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #max: number;
  /** id → clock time it expires. */
  readonly #expires = new Map<string, number>();

  constructor(init: SeenCacheInit) {
    if (!(Number.isFinite(init.ttlMs) && init.ttlMs > 0)) {
      throw new InvalidArgumentError(`seen-cache ttlMs must be positive, got ${init.ttlMs}`);
    }
    if (!(Number.isSafeInteger(init.max) && init.max >= 1)) {
      throw new InvalidArgumentError(`seen-cache max must be a positive integer, got ${init.max}`);
    }
    this.#clock = init.clock;
    this.#ttlMs = init.ttlMs;
    this.#max = init.max;
  }

  /**
   * True the first time `id` is seen (and remembers it for ttlMs); false for a duplicate still
   * remembered. At exactly ttlMs after the first sighting the id counts as new again.
   */
  firstSeen(id: string): boolean {
    const now = this.#clock.now();
    this.#purge(now);
    const expires = this.#expires.get(id);
    if (expires !== undefined && now < expires) return false;
    // Expired but not yet purged (only when the clock went back): re-insert at the end.
    if (expires !== undefined) this.#expires.delete(id);
    this.#expires.set(id, now + this.#ttlMs);
    if (this.#expires.size > this.#max) this.#evictOldest();
    return true;
  }

  /** Ids remembered now. */
  get size(): number {
    this.#purge(this.#clock.now());
    return this.#expires.size;
  }

  #purge(now: number): void {
    for (const [id, expires] of this.#expires) {
      if (now < expires) return;
      this.#expires.delete(id);
    }
  }

  #evictOldest(): void {
    for (const id of this.#expires.keys()) {
      this.#expires.delete(id);
      return;
    }
  }
}
