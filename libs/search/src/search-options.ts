import { InvalidArgumentError, PeerweaveError } from '@peerweave/core';

/** How long a query id is remembered: far longer than any flood lasts. */
export const DEFAULT_SEEN_TTL_MS = 60_000;
/** Query ids remembered at most (a few thousand queries a minute). */
export const DEFAULT_SEEN_MAX = 20_000;
/** Queries a neighbour may send us per second, sustained... */
export const DEFAULT_QUERY_RATE_PER_SECOND = 20;
/** ...and at once after being idle. */
export const DEFAULT_QUERY_BURST = 40;
/** Supernodes a leaf attaches to. */
export const DEFAULT_ATTACH_COUNT = 2;
/** Leaves a supernode accepts. */
export const DEFAULT_MAX_LEAVES = 2_000;
/**
 * Periodic: the maintenance round of a leaf and of a supernode. A leaf's round attaches while it
 * has fewer than `attachCount` supernodes, heartbeats an attached supernode when one is due, and
 * checks routing's view of each: one that came back with a higher incarnation (it restarted, or
 * refuted a suspicion) is heartbeaten at once, so a restarted supernode, which no longer knows
 * the leaf, refuses it and the leaf attaches again within this period (plus up to half of it of
 * jitter). A supernode's round expires silent leaves and, when due, gossips with the mesh. A round
 * with nothing due sends nothing (a few µs of local work); 15 s keeps re-attachment after a
 * supernode restart as prompt as it was when every round heartbeat.
 */
export const DEFAULT_MAINTENANCE_MS = 15_000;
/**
 * Periodic: a leaf tells an attached supernode it is still there (an empty Publish) when it sent
 * it nothing for this long (any publish counts); a supernode asks the mesh which supernodes it
 * knows as often. A heartbeat is one call per attached supernode (about 1.5 ms of CPU for both
 * ends on the bench VM), so a supernode with L leaves pays L × 1.5 ms per period: at 15 s and 20
 * leaves that was 0.2 % of a core doing nothing. At 60 s the heartbeats were still what set an idle
 * cluster's busiest node: two 22-container clusters side by side (2026-12-07, two 150 s windows
 * 5–10 min after start), one with 600 s heartbeats: supernodes 0.35/0.37 and 0.33/0.45 % of a core
 * against 0.27/0.29 and 0.26/0.28 %, the peers' median the same (0.31/0.28 against 0.30/0.27 %).
 * Its only purpose is to let a supernode forget a leaf that vanished without routing declaring it
 * dead (a death routing sees drops the leaf at once; a supernode tracks the leaves its table
 * holds), three heartbeats later: 9 min at 180 s. Meanwhile a search may still name that leaf's
 * objects, which stay readable from their other replicas. Finding a restarted supernode does not
 * wait for heartbeats (see DEFAULT_MAINTENANCE_MS). At 2 000 leaves, 180 s is ~11 calls a second
 * for a supernode, 60 s was ~33.
 */
export const DEFAULT_HEARTBEAT_MS = 180_000;
/**
 * Linger of a leaf's publishes: how long a change of its records waits for others before all go to
 * a supernode in one Publish (Kafka's producer `linger.ms`); while a publish to that supernode is in
 * flight the next one waits for it anyway. A Publish costs nearly the same whatever it carries
 * (about 0.8 ms of CPU for both ends on the bench VM, index write included), and every put makes
 * the replicas (and the writer) publish to their 2 supernodes each: 4.6 to 5.4 calls per put when
 * each change went alone (6 peers + 2 supernodes from the bundle on loopback, 32 clients putting
 * 4 KiB objects: 14 ms of the nodes' CPU per put). With the linger a busy leaf sends at most one publish per
 * period to each supernode however fast it takes records: 100 ms measured 1.3 publishes per put
 * and 11 ms of CPU per put (200 ms: 0.8, 500 ms: 0.5, within the noise in CPU; 0, coalescing only
 * behind the call in flight: 2.5 and 12 ms). An idle leaf still sends a lone change on its own,
 * one call as before. What it trades is freshness: a new record is searchable through the
 * supernodes up to this much later, well inside a search's own quiet period (300 ms) and below
 * what a person notices between uploading and searching; memberlist gossips every 200 ms for the
 * same kind of trade, and half that keeps a fresh upload findable sooner for what longer lingers
 * save (a few tenths of a millisecond per put).
 */
export const DEFAULT_PUBLISH_DELAY_MS = 100;
/** A supernode drops a leaf (and its entries) not heard from for this long: three heartbeats (memberlist's and Gnutella's rule). */
export const DEFAULT_LEAF_EXPIRY_MS = 3 * DEFAULT_HEARTBEAT_MS;
/** Rounds a supernode that failed, refused or is none is not tried again (unless it restarts meanwhile). */
export const SHUN_ROUNDS = 3;
/** Hops a supernode-mode query travels among supernodes (after the leaf → supernode hop). */
export const DEFAULT_SUPERNODE_TTL = 2;
/**
 * A search is complete when no Hits arrived for this long. A hop on a LAN takes a few
 * milliseconds, so 300 ms of silence after the last answer (or after the queries went out) means
 * the flood has run its course; the deadline still bounds a search whose answers keep coming.
 */
export const DEFAULT_QUIET_MS = 300;
/** A search returns what it has (partial) after this long. */
export const DEFAULT_SEARCH_DEADLINE_MS = 5_000;
/** Deadline of one call to a peer (query, hits, attach, publish, searchLoad). */
export const DEFAULT_CALL_DEADLINE_MS = 2_000;
/** Closest supernode candidates asked for their load per attach attempt. */
export const DEFAULT_PROBE_COUNT = 3;

/** The settings of one node's search, every one a non-negative number. */
export interface SearchNodeOptions {
  seenTtlMs: number;
  seenMax: number;
  /** Per-neighbour token bucket of incoming queries. */
  queryRatePerSecond: number;
  queryBurst: number;
  attachCount: number;
  maxLeaves: number;
  /** Period of the maintenance round (DEFAULT_MAINTENANCE_MS). */
  maintenanceMs: number;
  /** A leaf heartbeats a supernode it sent nothing for this long; a supernode's mesh gossip period. */
  heartbeatMs: number;
  /** Linger of a leaf's publishes to its supernodes (0: only coalesced behind the one in flight). */
  publishDelayMs: number;
  leafExpiryMs: number;
  /** How long a supernode that failed, refused or is none is not tried again: SHUN_ROUNDS rounds. */
  shunMs: number;
  /** TTL of supernode-mode queries among supernodes. */
  supernodeTtl: number;
  quietMs: number;
  deadlineMs: number;
  callDeadlineMs: number;
  probeCount: number;
}

/**
 * Fills in the defaults: the leaf expiry follows the heartbeat, the round is never longer than the
 * heartbeat, the shun follows the round; INVALID_ARGUMENT for a bad value.
 */
export function resolveSearchOptions(init: Partial<SearchNodeOptions>): SearchNodeOptions {
  const heartbeatMs = init.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const maintenanceMs = init.maintenanceMs ?? Math.min(DEFAULT_MAINTENANCE_MS, heartbeatMs);
  const options: SearchNodeOptions = {
    seenTtlMs: init.seenTtlMs ?? DEFAULT_SEEN_TTL_MS,
    seenMax: init.seenMax ?? DEFAULT_SEEN_MAX,
    queryRatePerSecond: init.queryRatePerSecond ?? DEFAULT_QUERY_RATE_PER_SECOND,
    queryBurst: init.queryBurst ?? DEFAULT_QUERY_BURST,
    attachCount: init.attachCount ?? DEFAULT_ATTACH_COUNT,
    maxLeaves: init.maxLeaves ?? DEFAULT_MAX_LEAVES,
    maintenanceMs,
    heartbeatMs,
    publishDelayMs: init.publishDelayMs ?? DEFAULT_PUBLISH_DELAY_MS,
    leafExpiryMs: init.leafExpiryMs ?? 3 * heartbeatMs,
    shunMs: init.shunMs ?? SHUN_ROUNDS * maintenanceMs,
    supernodeTtl: init.supernodeTtl ?? DEFAULT_SUPERNODE_TTL,
    quietMs: init.quietMs ?? DEFAULT_QUIET_MS,
    deadlineMs: init.deadlineMs ?? DEFAULT_SEARCH_DEADLINE_MS,
    callDeadlineMs: init.callDeadlineMs ?? DEFAULT_CALL_DEADLINE_MS,
    probeCount: init.probeCount ?? DEFAULT_PROBE_COUNT,
  };
  for (const [name, value] of Object.entries(options)) {
    if (!(Number.isFinite(value) && value >= 0)) throw new InvalidArgumentError(`search option ${name} must be a non-negative number, got ${value}`);
  }
  return options;
}

/** The peer could not be reached, or did not answer in time: worth giving up on it. */
export function isUnreachable(err: unknown): boolean {
  return err instanceof PeerweaveError && (err.code === 'UNAVAILABLE' || err.code === 'DEADLINE_EXCEEDED');
}
