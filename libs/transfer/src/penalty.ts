/**
 * Penalties for misbehaving peers, as pure rules. Two kinds, kept apart on purpose:
 * - a *failure* (error, timeout) may be bad luck or load: the peer cools off for a while that
 *   doubles with each consecutive failure, and is asked again afterwards;
 * - an *offence* (bytes that do not match their CID) is never an accident on an honest peer: after
 *   `banAfter` of them the peer is banned for `banMs` and none of our requests go to it.
 */
export interface BanState {
  /** Offences since the last ban (or since the start). */
  readonly offences: number;
  /** Clock time the current ban ends; undefined when never banned. */
  readonly bannedUntilMs: number | undefined;
}

export interface BanRules {
  readonly banAfter: number;
  readonly banMs: number;
}

export const NO_OFFENCES: BanState = { offences: 0, bannedUntilMs: undefined };

/** The state after one more offence at `nowMs`; `banned` says whether this offence started a ban. */
export function recordOffence(state: BanState, nowMs: number, rules: BanRules): BanState & { banned: boolean } {
  const offences = state.offences + 1;
  if (offences < Math.max(1, rules.banAfter)) return { offences, bannedUntilMs: state.bannedUntilMs, banned: false };
  // The count starts again after a ban: a peer that comes back clean is trusted like a new one.
  return { offences: 0, bannedUntilMs: nowMs + rules.banMs, banned: true };
}

export function isBanned(state: BanState, nowMs: number): boolean {
  return state.bannedUntilMs !== undefined && nowMs < state.bannedUntilMs;
}

/** Longest a failing peer is left alone before it is tried again. */
export const MAX_COOL_OFF_MS = 30_000;

/**
 * How long a peer is left alone after its `consecutiveFailures`-th failure in a row:
 * baseMs · 2^(n−1), at most {@link MAX_COOL_OFF_MS}. Zero when it has not failed.
 */
export function coolOffMs(consecutiveFailures: number, baseMs: number): number {
  if (consecutiveFailures <= 0) return 0;
  return Math.min(MAX_COOL_OFF_MS, baseMs * 2 ** Math.min(30, consecutiveFailures - 1));
}

/**
 * Back-off before the `round`-th retry of a block every provider has failed (round ≥ 1):
 * baseMs · 2^(round−1). The number of rounds is bounded by the caller (and by its deadline).
 */
export function retryBackoffMs(round: number, baseMs: number): number {
  return baseMs * 2 ** Math.max(0, Math.min(30, round - 1));
}
