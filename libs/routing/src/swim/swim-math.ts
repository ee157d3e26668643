/**
 * The timing math of SWIM and Lifeguard, kept apart from the protocol so it can be table-tested.
 * Formulas follow hashicorp/memberlist (`util.go`, `suspicion.go`, `awareness.go`); all durations
 * are in milliseconds.
 */

/**
 * How long a suspected member has before it is declared dead, at the least (the timer starts higher
 * and shrinks to this as independent suspicions arrive):
 *
 *   suspicionMult × max(1, log10(max(1, n))) × probeInterval
 *
 * The log term grows the timeout with the time gossip needs to reach `n` members, so a suspect
 * has time to hear the accusation and refute it. Like memberlist, the scale keeps three decimals.
 */
export function suspicionTimeout(suspicionMult: number, n: number, intervalMs: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, n)));
  return Math.floor((suspicionMult * Math.floor(nodeScale * 1000) * intervalMs) / 1000);
}

/**
 * How many times an update is piggybacked before it is dropped: retransmitMult × ceil(log10(n + 1)).
 * Epidemic dissemination reaches every member with high probability after O(log n) rounds.
 */
export function retransmitLimit(retransmitMult: number, n: number): number {
  return retransmitMult * Math.ceil(Math.log10(Math.max(0, n) + 1));
}

/**
 * Time left on a suspicion timer after `confirmations` independent suspecters, out of the `k`
 * expected, `elapsedMs` after it started. The total timeout falls from `maxMs` towards `minMs` as
 * log(c + 1) / log(k + 1), floored at `minMs`; the result is negative when it is already overdue.
 * With no confirmation expected (k < 1) the timeout is `minMs` from the start.
 */
export function remainingSuspicionTime(
  confirmations: number,
  k: number,
  elapsedMs: number,
  minMs: number,
  maxMs: number,
): number {
  if (k < 1) return minMs - elapsedMs;
  const fraction = Math.log(confirmations + 1) / Math.log(k + 1);
  const timeout = Math.max(minMs, Math.floor(maxMs - fraction * (maxMs - minMs)));
  return timeout - elapsedMs;
}

/** Lifeguard: a node that knows it is unhealthy waits (score + 1) times longer. */
export function scaleByAwareness(ms: number, score: number): number {
  return ms * (score + 1);
}
