/**
 * When a node's next join round runs (RoutingNode#joinRound). Three regimes:
 *
 * - **No contact yet:** retry quickly, from JOIN_BACKOFF_START_MS doubling up to the join interval,
 *   so a node started before its seeds finds them soon after they come up.
 * - **A round that had something to contact** (a join-name address not yet known, a member held
 *   dead to reconnect): the next round comes one join interval later.
 * - **Quiet rounds** (every address known, nobody held dead): each one doubles the wait, up to
 *   JOIN_QUIET_MAX_INTERVALS join intervals. A settled node then resolves its join name every 40 s
 *   on lan instead of every 5 s. Newcomers are not found by these rounds but by their own: a node
 *   that starts resolves the name and pings every address. What the quiet rounds still catch is two
 *   groups that formed apart (started while the name resolved to only some of them): those merge
 *   within the longer wait. memberlist and Consul stop re-resolving their join addresses once
 *   joined; libp2p's bootstrapper retries only while it has too few peers.
 *
 * A member declared dead ends a quiet stretch (`memberDied`): the rounds that ping it, with the
 * death claim a live member refutes (a healed partition), go back to one per join interval.
 */

/** First retry delay while a node has no contact; doubles up to the join interval. */
export const JOIN_BACKOFF_START_MS = 250;
/** Longest wait between two quiet join rounds, in join intervals. */
export const JOIN_QUIET_MAX_INTERVALS = 8;

/** What one join round found, for the pacing of the next. */
export interface JoinRoundOutcome {
  /** The table holds at least one contact after the round. */
  readonly hasContacts: boolean;
  /** Addresses the round contacted (join-name addresses not yet known, members held dead). */
  readonly contacted: number;
}

export class JoinPacer {
  readonly #intervalMs: number;
  #backoffMs = JOIN_BACKOFF_START_MS;
  #quietMs: number;

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
    this.#quietMs = intervalMs;
  }

  /** Longest wait between quiet rounds. */
  get quietMaxMs(): number {
    return this.#intervalMs * JOIN_QUIET_MAX_INTERVALS;
  }

  /** The delay before the next round, after a round with this outcome. */
  next(outcome: JoinRoundOutcome): number {
    if (!outcome.hasContacts) {
      const delay = this.#backoffMs;
      this.#backoffMs = Math.min(this.#backoffMs * 2, this.#intervalMs);
      this.#quietMs = this.#intervalMs;
      return delay;
    }
    this.#backoffMs = JOIN_BACKOFF_START_MS;
    if (outcome.contacted > 0) {
      this.#quietMs = this.#intervalMs;
      return this.#intervalMs;
    }
    this.#quietMs = Math.min(this.#quietMs * 2, this.quietMaxMs);
    return this.#quietMs;
  }

  /**
   * A member was declared dead: true when a round is waiting out a quiet stretch and should be
   * brought forward to one join interval from now (the caller reschedules it).
   */
  memberDied(): boolean {
    const waiting = this.#quietMs > this.#intervalMs;
    this.#quietMs = this.#intervalMs;
    return waiting;
  }
}
