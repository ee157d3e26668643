import { scaleByAwareness } from './swim-math.ts';

/**
 * Lifeguard's local health multiplier (memberlist `awareness.go`). Failed probes without the
 * expected answers from helpers, and having to refute a suspicion of ourselves, are signs that
 * *this* node is slow (CPU starved, GC, overloaded network); successful probes are signs it is
 * well. The score stretches the probe period and timeout, so a struggling node stops accusing
 * healthy ones instead of flooding the cluster with false suspicions.
 */
export class Awareness {
  readonly #max: number;
  #score = 0;

  /** `max` is the multiplier's ceiling: the score stays in [0, max). */
  constructor(max: number) {
    this.#max = Math.max(1, Math.floor(max));
  }

  /** 0 is healthy; max − 1 is the slowest the node will go. */
  get score(): number {
    return this.#score;
  }

  get max(): number {
    return this.#max;
  }

  /** Adds `delta`, clamped to [0, max − 1]; returns the new score. */
  applyDelta(delta: number): number {
    this.#score = Math.min(this.#max - 1, Math.max(0, this.#score + Math.trunc(delta)));
    return this.#score;
  }

  /** `ms` × (score + 1). */
  scaleTimeout(ms: number): number {
    return scaleByAwareness(ms, this.#score);
  }
}
