import { shuffle, type Random } from '@peerweave/core';

/**
 * SWIM's round-robin probe order (memberlist `probe` / `resetNodes` / `aliveNode`): members are
 * probed one per period in a shuffled order, so every member is probed within a bounded time
 * (at most two rounds), unlike uniform random picks whose worst case is unbounded. The order is
 * reshuffled at the end of each round; a member seen for the first time is put at a random place
 * among those not yet probed this round, so that it is probed soon but not by everyone at once.
 */
export class ProbeOrder {
  readonly #random: Random;
  #order: string[] = [];
  #index = 0;
  /** Ids in #order, probed or not, this round. */
  #known = new Set<string>();

  constructor(random: Random) {
    this.#random = random;
  }

  /**
   * The next id to probe among `candidates` (the current targets), or undefined if there is none.
   * `unchanged`: the caller knows they are the same as at the last call (SWIM's cached targets),
   * so the scan for new ids is skipped; it is O(targets) every period otherwise.
   */
  next(candidates: ReadonlySet<string> | ReadonlyMap<string, unknown>, unchanged = false): string | undefined {
    if (candidates.size === 0) return undefined;
    if (!unchanged) {
      for (const id of candidates.keys()) {
        if (this.#known.has(id)) continue;
        this.#known.add(id);
        const at = this.#index + this.#random.int(this.#order.length - this.#index + 1);
        this.#order.splice(at, 0, id);
      }
    }
    for (let round = 0; round < 2; round++) {
      while (this.#index < this.#order.length) {
        const id = this.#order[this.#index++]!;
        if (candidates.has(id)) return id;
      }
      // End of the round: drop the ids that are no longer targets and reshuffle.
      this.#order = shuffle([...candidates.keys()], this.#random);
      this.#known = new Set(this.#order);
      this.#index = 0;
    }
    return undefined;
  }

  /** Ids in probe order for the current round (for tests). */
  get round(): readonly string[] {
    return this.#order;
  }
}
