import { ConfigError } from '@peerweave/core';
import { MAX_UPDATES_PER_MESSAGE } from '@peerweave/protocol';

/*
 * SWIM's tuning, after memberlist `config.go` (DefaultLANConfig). Each value trades detection
 * speed against bandwidth and false positives; the formulas that use them live in swim-math.ts.
 */

/**
 * One member is probed per period. Lower detects failures sooner, at the cost of more traffic
 * (every node sends about 1 + indirect pings per period). memberlist LAN: 1 s.
 */
export const DEFAULT_PROBE_INTERVAL_MS = 1000;

/**
 * How long to wait for the direct ack before asking helpers for an indirect probe; set it to about
 * the 99th percentile of the round trip. Too low costs needless indirect probes, too high leaves
 * helpers little time inside the period. memberlist LAN: 500 ms.
 */
export const DEFAULT_PROBE_TIMEOUT_MS = 500;

/**
 * Helpers asked to probe a member that missed its direct ack. More helpers make a false suspicion
 * (a lossy path between two healthy nodes) less likely, at the cost of bandwidth. memberlist: 3.
 */
export const DEFAULT_INDIRECT_CHECKS = 3;

/**
 * Suspicion timeout = suspicionMult × max(1, log10(n)) × probeInterval (the minimum, reached with
 * enough independent confirmations). Higher gives a slow but alive member more time to refute;
 * lower declares real failures sooner. memberlist LAN: 4 (about 6 s at 30 members, 16 s at 10 000).
 */
export const DEFAULT_SUSPICION_MULT = 4;

/**
 * A suspicion starts at suspicionMaxTimeoutMult × the suspicion timeout and only shrinks to the
 * minimum as other members confirm it (Lifeguard). A lone, possibly unhealthy accuser thus waits
 * long before declaring anyone dead. memberlist: 6.
 */
export const DEFAULT_SUSPICION_MAX_TIMEOUT_MULT = 6;

/**
 * Independent confirmations (other accusers) that bring a suspicion's timer from its maximum down
 * to the minimum (Lifeguard's K). memberlist derives it as SuspicionMult − 2, which is 2 at its
 * defaults; it is a separate setting here so that a preset with a smaller multiplier (a shorter
 * minimum, for faster detection) still needs three accusers in all, not two, before a suspect has
 * only the minimum left to refute: on a saturated machine two busy probers failing on the same slow
 * member are common, three much less so, while a real crash is confirmed by three within a few
 * periods anyway (every neighbour probes it every few periods).
 */
export const DEFAULT_SUSPICION_CONFIRMATIONS = 2;

/**
 * Each update is piggybacked retransmitMult × ceil(log10(n + 1)) times. Higher spreads news more
 * surely under loss, at the cost of message size. memberlist LAN: 4 (8 sends at 30 members).
 */
export const DEFAULT_RETRANSMIT_MULT = 4;

/**
 * Lifeguard's ceiling on the local health multiplier: a node that sees itself failing stretches its
 * probe period and timeout up to this factor instead of accusing healthy members. memberlist: 8.
 */
export const DEFAULT_AWARENESS_MAX_MULTIPLIER = 8;

/**
 * Updates piggybacked on each message, at most (the protocol allows 64). More spreads news faster
 * but makes the messages that carry it larger; with nothing to tell a message carries none.
 * memberlist fills a 1400-byte UDP packet, about 8 contacts, but gossips several packets a period
 * besides its probes; here news rides only on a probe and its ack (and on lookups), so it needs
 * room: when 1 % of 10 000 simulated nodes die at once every node queues ~200 suspicions and
 * deaths, each to be sent 20 times, and at 8 a message (16 a period) the last table dropped the
 * dead 145 s after the kill; at 32, 15 s (21 s with another seed). Join news is capped apart, by
 * {@link DEFAULT_MAX_JOIN_PIGGYBACK}, so that only the failure detector's news takes the room.
 */
export const DEFAULT_MAX_PIGGYBACK = 32;

/**
 * Of {@link DEFAULT_MAX_PIGGYBACK}, the news of members new to the sender (BroadcastQueue's join
 * lane) a message carries at most; state changes (suspect, dead, left, refutations) take the rest
 * first. A joining node learns its contacts from its seeds' answers and its own lookups, so join
 * news gains little from more room. At 32 it filled the far buckets of a joining node from its
 * first seed's answer (its other seeds then found them full), and at 10 000 simulated nodes lookups
 * took rounds p90 / max 3 / 5 against 2 / 3 with join news at 8 (not traced further).
 */
export const DEFAULT_MAX_JOIN_PIGGYBACK = 8;

/**
 * Dead and left members are remembered this long: `GET /v1/peers` lists them, and alive claims
 * with their old incarnation (still in flight in someone's gossip) stay rejected. It must exceed
 * how long gossip about a member can live — the retransmit limit (20 sends at 10 000 members) times
 * the slowest probe period (8 s at full awareness) is under three minutes — while keeping the
 * list of ghosts short.
 */
export const DEFAULT_DEAD_RETENTION_MS = 300_000;

/**
 * A graceful leave waits at most this long for the direct Leave calls: shutdown must not hang on a
 * dead neighbour, and gossip spreads the leave anyway.
 */
export const DEFAULT_LEAVE_TIMEOUT_MS = 1000;

/** Leave is sent to every neighbourhood member plus this many other targets chosen at random. */
export const DEFAULT_LEAVE_FANOUT = 3;

/** The tuning knobs of {@link Swim}; every one is optional in its init. */
export interface SwimTuning {
  probeIntervalMs: number;
  probeTimeoutMs: number;
  indirectChecks: number;
  suspicionMult: number;
  suspicionMaxTimeoutMult: number;
  suspicionConfirmations: number;
  retransmitMult: number;
  awarenessMaxMultiplier: number;
  maxPiggyback: number;
  maxJoinPiggyback: number;
  deadRetentionMs: number;
  leaveTimeoutMs: number;
  leaveFanout: number;
}

export const DEFAULT_SWIM_TUNING: Readonly<SwimTuning> = Object.freeze({
  probeIntervalMs: DEFAULT_PROBE_INTERVAL_MS,
  probeTimeoutMs: DEFAULT_PROBE_TIMEOUT_MS,
  indirectChecks: DEFAULT_INDIRECT_CHECKS,
  suspicionMult: DEFAULT_SUSPICION_MULT,
  suspicionMaxTimeoutMult: DEFAULT_SUSPICION_MAX_TIMEOUT_MULT,
  suspicionConfirmations: DEFAULT_SUSPICION_CONFIRMATIONS,
  retransmitMult: DEFAULT_RETRANSMIT_MULT,
  awarenessMaxMultiplier: DEFAULT_AWARENESS_MAX_MULTIPLIER,
  maxPiggyback: DEFAULT_MAX_PIGGYBACK,
  maxJoinPiggyback: DEFAULT_MAX_JOIN_PIGGYBACK,
  deadRetentionMs: DEFAULT_DEAD_RETENTION_MS,
  leaveTimeoutMs: DEFAULT_LEAVE_TIMEOUT_MS,
  leaveFanout: DEFAULT_LEAVE_FANOUT,
});

/**
 * Presets derived from the LAN defaults, as memberlist's DefaultLocalConfig: `lan` for containers
 * on one network, `local` for nodes on one host (short round trips, fewer helpers and retransmits).
 */
export const SWIM_PRESETS: Readonly<Record<'lan' | 'local', Readonly<SwimTuning>>> = Object.freeze({
  lan: DEFAULT_SWIM_TUNING,
  local: Object.freeze({
    ...DEFAULT_SWIM_TUNING,
    probeTimeoutMs: 200,
    indirectChecks: 1,
    retransmitMult: 2,
    suspicionMult: 3,
  }),
});

/** Fills in the defaults and checks every value once; a bad one throws a ConfigError naming it. */
export function resolveSwimTuning(init: Partial<SwimTuning>): SwimTuning {
  const t: SwimTuning = { ...DEFAULT_SWIM_TUNING };
  for (const key of Object.keys(DEFAULT_SWIM_TUNING) as (keyof SwimTuning)[]) {
    const value = init[key];
    if (value !== undefined) t[key] = value;
  }
  const positive: (keyof SwimTuning)[] = [
    'probeIntervalMs',
    'probeTimeoutMs',
    'suspicionMult',
    'suspicionMaxTimeoutMult',
    'retransmitMult',
    'awarenessMaxMultiplier',
    'maxPiggyback',
    'maxJoinPiggyback',
    'leaveTimeoutMs',
  ];
  for (const key of positive) {
    if (!Number.isFinite(t[key]) || t[key] <= 0) {
      throw new ConfigError(`swim: ${key} must be a positive number (got ${String(t[key])})`);
    }
  }
  for (const key of ['indirectChecks', 'deadRetentionMs', 'leaveFanout', 'suspicionConfirmations'] as const) {
    if (!Number.isFinite(t[key]) || t[key] < 0) {
      throw new ConfigError(`swim: ${key} must be a number ≥ 0 (got ${String(t[key])})`);
    }
  }
  for (const key of ['indirectChecks', 'suspicionMult', 'retransmitMult', 'awarenessMaxMultiplier', 'maxPiggyback', 'maxJoinPiggyback', 'leaveFanout', 'suspicionConfirmations'] as const) {
    if (!Number.isInteger(t[key])) throw new ConfigError(`swim: ${key} must be an integer (got ${String(t[key])})`);
  }
  if (t.probeTimeoutMs >= t.probeIntervalMs) {
    throw new ConfigError(
      `swim: probeTimeoutMs (${t.probeTimeoutMs}) must be below probeIntervalMs (${t.probeIntervalMs}), to leave time for indirect probes`,
    );
  }
  if (t.maxPiggyback > MAX_UPDATES_PER_MESSAGE) {
    throw new ConfigError(
      `swim: maxPiggyback must be at most ${MAX_UPDATES_PER_MESSAGE}, the protocol's limit (got ${t.maxPiggyback})`,
    );
  }
  if (t.suspicionMaxTimeoutMult < 1) {
    throw new ConfigError(`swim: suspicionMaxTimeoutMult must be ≥ 1 (got ${t.suspicionMaxTimeoutMult})`);
  }
  return t;
}
