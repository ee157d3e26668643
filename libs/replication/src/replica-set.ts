import type { PeerContact } from '@peerweave/protocol';
import { DEFAULT_REPLICATION_FACTOR } from '@peerweave/routing';
import { assertQuorum, preferenceList } from './placement.ts';

// r is declared in routing, the lowest layer that needs it (the neighbourhood is the 2·r closest).
export { DEFAULT_REPLICATION_FACTOR };
/** w: copies stored before a put is acknowledged (1 ≤ w ≤ r). Higher is safer and fails sooner when nodes are down. */
export const DEFAULT_WRITE_QUORUM = 2;
/**
 * Nodes after the r replicas in a write's preference list, from the local table: the stand-ins
 * that may take a hinted copy when replicas fail or stay silent (sloppy quorum). A write fails
 * only when fewer than w nodes of the list take a block, so the list must reach past a partition:
 * with 8, a writer cut off with half of the nodes finds a node of its own side among the other
 * r + 8 − 1 nodes unless all of them are across the cut (10 | 10: 1 in 92 378). Costs nothing until a
 * replica fails: each is tried only in turn, and those known silent last.
 */
export const DEFAULT_STAND_INS = 8;

/** The part of the routing layer replication uses (RoutingNode has it). */
export interface ContentRouting {
  lookup(key: Uint8Array, options?: { signal?: AbortSignal; count?: number }): Promise<{ closest: PeerContact[]; timedOut: boolean }>;
  closestKnown(key: Uint8Array, n: number): PeerContact[];
  /**
   * The `n` closest from the local table when it is known to be complete for `key` (no bucket the
   * answer comes from ever turned anyone away), else undefined. Optional: without it every write
   * places by lookup.
   */
  closestIfComplete?(key: Uint8Array, n: number): PeerContact[] | undefined;
  neighbourhood(): readonly string[];
  /** What SWIM holds of a member ('alive', 'suspect', 'dead', 'left'), undefined for a node it does not know. Optional. */
  stateOf?(id: string): string | undefined;
  on(event: 'contacts-changed', listener: () => void): unknown;
  off(event: 'contacts-changed', listener: () => void): unknown;
}

export interface ReplicaSetInit {
  /** This node's contact: it is a replica of the keys it is among the r closest to. */
  self: PeerContact;
  routing: Pick<ContentRouting, 'lookup' | 'closestKnown' | 'closestIfComplete'>;
  /** r (default {@link DEFAULT_REPLICATION_FACTOR}). */
  replicationFactor?: number;
  /** w (default {@link DEFAULT_WRITE_QUORUM}). */
  writeQuorum?: number;
  /** Stand-ins after the r replicas in a write's preference list (default {@link DEFAULT_STAND_INS}). */
  standIns?: number;
  /** Told how each write's preference list was made (peerweave_replication_placements_total). */
  onPlacement?: (source: 'table' | 'lookup') => void;
}

/**
 * Who should hold a key: the r and w settings, and the preference lists (placement.ts) built from
 * a network lookup or from the local routing table only. Validates r and w once, at construction.
 */
export class ReplicaSet {
  readonly r: number;
  readonly w: number;
  readonly #standIns: number;
  readonly #self: PeerContact;
  readonly #routing: Pick<ContentRouting, 'lookup' | 'closestKnown' | 'closestIfComplete'>;
  readonly #onPlacement: ((source: 'table' | 'lookup') => void) | undefined;

  constructor(init: ReplicaSetInit) {
    this.r = init.replicationFactor ?? DEFAULT_REPLICATION_FACTOR;
    this.w = init.writeQuorum ?? DEFAULT_WRITE_QUORUM;
    assertQuorum(this.r, this.w);
    this.#standIns = init.standIns ?? DEFAULT_STAND_INS;
    this.#self = init.self;
    this.#routing = init.routing;
    this.#onPlacement = init.onPlacement;
  }

  /**
   * The nodes closest to `key`, this node included, nearest first: those a network lookup found,
   * and those of the local table not declared dead. A replica that stopped answering but is still
   * a member (SWIM has not declared it dead) keeps its place, so its copy goes to the next node as
   * a hinted hand-off (Dynamo's sloppy quorum) instead of that node silently becoming a replica.
   * When the local table is complete for the key (routing's closestIfComplete: always with
   * N ≤ k + 1, and for keys near this node in any network) it answers without a lookup. After the
   * r replicas come up to `standIns` more nodes of the local table, nearest first: where hinted
   * copies go when replicas fail or stay silent.
   */
  async preferenceList(key: Uint8Array, signal: AbortSignal | undefined): Promise<PeerContact[]> {
    const length = this.r + this.#standIns;
    // A table complete for the key already holds every node a lookup could find: no messages.
    const known = this.#routing.closestIfComplete?.(key, this.r + 2);
    if (known !== undefined) {
      this.#onPlacement?.('table');
      return preferenceList(key, this.#self, [...known, ...this.#routing.closestKnown(key, length)]).slice(0, length);
    }
    this.#onPlacement?.('lookup');
    // r + 1: this node may be one of the r, and the lookup never returns it.
    const { closest } = await this.#routing.lookup(key, { count: this.r + 1, ...(signal ? { signal } : {}) });
    return preferenceList(key, this.#self, [...closest, ...this.#routing.closestKnown(key, length)]).slice(0, length);
  }

  /** The same from the local table only, cut to `n`: cheap, used by repair and reads. */
  knownPreferenceList(key: Uint8Array, n: number = this.r): PeerContact[] {
    return preferenceList(key, this.#self, this.#routing.closestKnown(key, n)).slice(0, n);
  }

  /** The `count` closest a network lookup finds, with this node in its place (not cut). */
  async lookupPreferenceList(key: Uint8Array, count: number, signal: AbortSignal | undefined): Promise<PeerContact[]> {
    const { closest } = await this.#routing.lookup(key, { count, ...(signal ? { signal } : {}) });
    return preferenceList(key, this.#self, closest);
  }

  /** True when this node is among the r closest known to `key`. */
  isReplica(key: Uint8Array): boolean {
    return this.knownPreferenceList(key, this.r).some((p) => p.id === this.#self.id);
  }

  /** The contact of node `id` when the local table knows it. */
  contact(id: string): PeerContact | undefined {
    return this.#routing.closestKnown(Buffer.from(id, 'hex'), 1).find((p) => p.id === id);
  }
}
