import { InvalidArgumentError, type Clock } from '@peerweave/core';

export interface TokenBucketsInit {
  clock: Clock;
  /** Sustained rate each key is allowed, in takes per second. */
  ratePerSecond: number;
  /** Most takes a key may make at once after being idle (the bucket's size), ≥ 1. */
  burst: number;
  /**
   * Most keys tracked. Past it the key used longest ago is forgotten, which lets it start again
   * with a full bucket: set it well above the number of neighbours, so that only idle keys go.
   */
  maxKeys: number;
}

interface Bucket {
  tokens: number;
  /** Clock time `tokens` was computed at. */
  at: number;
}

/** Idle keys looked at (and dropped if full) per take: enough to keep up, O(1) per call. */
const SWEEP_PER_TAKE = 2;

/**
 * One token bucket per key (per neighbour), so that a node flooding queries at us is cut to
 * `ratePerSecond` without touching anybody else's. Refills by elapsed clock time, computed on
 * demand: no timers.
 *
 * Memory stays bounded: a bucket that has refilled to `burst` is the same as no bucket, so idle
 * keys are dropped (checked lazily, least recently used first), and `maxKeys` caps the rest. The
 * Map's insertion order is the recency order (a take moves its key to the end).
 */
export class TokenBuckets {
  readonly #clock: Clock;
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(init: TokenBucketsInit) {
    if (!(Number.isFinite(init.ratePerSecond) && init.ratePerSecond > 0)) {
      throw new InvalidArgumentError(`ratePerSecond must be positive, got ${init.ratePerSecond}`);
    }
    if (!(Number.isFinite(init.burst) && init.burst >= 1)) {
      throw new InvalidArgumentError(`burst must be at least 1, got ${init.burst}`);
    }
    if (!(Number.isSafeInteger(init.maxKeys) && init.maxKeys >= 1)) {
      throw new InvalidArgumentError(`maxKeys must be a positive integer, got ${init.maxKeys}`);
    }
    this.#clock = init.clock;
    this.#ratePerMs = init.ratePerSecond / 1000;
    this.#burst = init.burst;
    this.#maxKeys = init.maxKeys;
  }

  /** Takes one token from `key`'s bucket: true if there was one (go ahead), false (drop it). */
  take(key: string): boolean {
    const now = this.#clock.now();
    const bucket = this.#buckets.get(key);
    const tokens = bucket === undefined ? this.#burst : this.#refilled(bucket, now);
    this.#buckets.delete(key);
    this.#sweep(now);
    const allowed = tokens >= 1;
    this.#buckets.set(key, { tokens: allowed ? tokens - 1 : tokens, at: now });
    if (this.#buckets.size > this.#maxKeys) this.#evictLeastRecent();
    return allowed;
  }

  /** Keys tracked now (full buckets not yet swept included). */
  get size(): number {
    return this.#buckets.size;
  }

  #refilled(bucket: Bucket, now: number): number {
    return Math.min(this.#burst, bucket.tokens + Math.max(0, now - bucket.at) * this.#ratePerMs);
  }

  /** Drops least recently used keys whose buckets are full again. */
  #sweep(now: number): void {
    let looked = 0;
    for (const [key, bucket] of this.#buckets) {
      if (looked++ >= SWEEP_PER_TAKE) return;
      if (this.#refilled(bucket, now) >= this.#burst) this.#buckets.delete(key);
    }
  }

  #evictLeastRecent(): void {
    for (const key of this.#buckets.keys()) {
      this.#buckets.delete(key);
      return;
    }
  }
}
