import type { Clock, Logger, Random, Startable } from '@peerweave/core';
import {
  MAX_SUPERNODES_PER_MESSAGE,
  type AttachRequest,
  type AttachResponse,
  type PublishRequest,
  type PublishResponse,
  type SearchLoadRequest,
  type SearchLoadResponse,
  type SearchOrigin,
} from '@peerweave/protocol';
import { Periodic } from './periodic.ts';
import type { SearchMetrics } from './search-metrics.ts';
import type { LeafIndex, SearchRole } from './query-router.ts';

interface Leaf {
  origin: SearchOrigin;
  lastSeen: number;
}

/** What a supernode does with an Attach: the leaf is known (refresh it), is taken, or is refused. */
export type AttachDecision = 'refresh' | 'accept' | 'refuse';

export function decideAttach(a: { role: SearchRole; known: boolean; leaves: number; maxLeaves: number; self: boolean }): AttachDecision {
  if (a.role !== 'supernode') return 'refuse';
  if (a.known) return 'refresh';
  return a.leaves >= a.maxLeaves || a.self ? 'refuse' : 'accept';
}

/** Leaves not heard from for `expiryMs` by `now`. */
export function expiredLeaves(lastSeen: Iterable<[string, number]>, now: number, expiryMs: number): string[] {
  const out: string[] = [];
  for (const [id, seen] of lastSeen) if (now - seen >= expiryMs) out.push(id);
  return out;
}

/** An empty publish that replaces nothing: a heartbeat, nothing for the index to do. */
export function isHeartbeat(request: Pick<PublishRequest, 'full' | 'upserts' | 'removed'>): boolean {
  return !request.full && request.upserts.length === 0 && request.removed.length === 0;
}

/**
 * A supernode's round gossips with the mesh when it never did, or did `periodMs` ago or more, or
 * its last gossip learnt a supernode it did not know (the mesh is still forming: the next round
 * asks again, so a new network's supernodes know one another within a few rounds, not heartbeats).
 */
export function gossipDue(lastAt: number | undefined, now: number, periodMs: number, lastGrew = false): boolean {
  return lastAt === undefined || lastGrew || now - lastAt >= periodMs;
}

export interface SupernodeServerInit {
  selfId: string;
  role: SearchRole;
  clock: Clock;
  random: Random;
  logger?: Logger;
  /** Counts the Publish messages accepted (`publishesReceived`). */
  metrics?: Pick<SearchMetrics, 'publishesReceived'>;
  /** Supernode only: the index of its leaves' records. */
  leafIndex?: LeafIndex;
  /** The supernode mesh: the supernodes known, their gossip each round. */
  directory: { known(): SearchOrigin[]; gossip(): Promise<boolean>; prune(): void; heardFrom(supernode: SearchOrigin): void };
  maxLeaves: number;
  leafExpiryMs: number;
  /** Period of the maintenance round (DEFAULT_MAINTENANCE_MS): leaf expiry is checked this often. */
  maintenanceMs: number;
  /** The mesh is asked for the supernodes it knows this often (DEFAULT_HEARTBEAT_MS). */
  heartbeatMs: number;
}

/**
 * The supernode side (Gnutella 0.6 ultrapeer): Attach and Publish from leaves into the leaf
 * index, SearchLoad for anybody (a node in role `peer` answers it too, naming the supernodes it
 * knows), and the maintenance round that expires silent leaves (local, every `maintenanceMs`) and
 * gossips with the mesh (calls, once per `heartbeatMs`).
 */
export class SupernodeServer implements Startable {
  readonly #init: SupernodeServerInit;
  readonly #leaves = new Map<string, Leaf>();
  readonly #timer: Periodic;
  /** Clock time of the last mesh gossip (undefined: none yet, the first round gossips). */
  #gossipedAt: number | undefined;
  /** The last gossip learnt a supernode (see gossipDue). */
  #meshGrew = false;

  constructor(init: SupernodeServerInit) {
    this.#init = init;
    this.#timer = new Periodic({ clock: init.clock, random: init.random, logger: init.logger, periodMs: init.maintenanceMs, round: () => this.maintain() });
  }

  async start(): Promise<void> {
    if (this.#init.role === 'supernode') await this.#timer.start();
  }

  async stop(): Promise<void> {
    await this.#timer.stop();
  }

  /** The attached leaves as the mesh gossip asks them (id and address). */
  leafOrigins(): SearchOrigin[] {
    return [...this.#leaves.values()].map((l) => l.origin);
  }

  /** Ids of the attached leaves. */
  leaves(): string[] {
    return [...this.#leaves.keys()];
  }

  get leafCount(): number {
    return this.#leaves.size;
  }

  get entryCount(): number {
    return this.#init.role === 'supernode' ? (this.#init.leafIndex?.count() ?? 0) : 0;
  }

  attach(request: AttachRequest): AttachResponse {
    const leaf = this.#leaves.get(request.leaf.id);
    const decision = decideAttach({
      role: this.#init.role,
      known: leaf !== undefined,
      leaves: this.#leaves.size,
      maxLeaves: this.#init.maxLeaves,
      self: request.leaf.id === this.#init.selfId,
    });
    if (decision === 'refuse') return { accepted: false, leaves: this.#leaves.size };
    if (leaf !== undefined) {
      leaf.origin = request.leaf;
      leaf.lastSeen = this.#init.clock.now();
    } else this.#leaves.set(request.leaf.id, { origin: request.leaf, lastSeen: this.#init.clock.now() });
    return { accepted: true, leaves: this.#leaves.size };
  }

  /** A leaf's index, whole (`full`: replaces) or a batch of changes, applied atomically; also its heartbeat. */
  publish(request: PublishRequest): PublishResponse {
    const leaf = this.#init.role === 'supernode' ? this.#leaves.get(request.leaf) : undefined;
    if (leaf === undefined) return { accepted: false };
    leaf.lastSeen = this.#init.clock.now();
    // One transaction for the whole message, however many entries a leaf's batch carries; none for
    // a heartbeat (empty and not full), which only refreshes `lastSeen`.
    if (!isHeartbeat(request)) this.#init.leafIndex!.applyPublish(request.leaf, request);
    this.#init.metrics?.publishesReceived.inc();
    return { accepted: true };
  }

  searchLoad(request: SearchLoadRequest): SearchLoadResponse {
    // Another supernode announced itself: the mesh forms from both ends.
    if (this.#init.role === 'supernode' && request.supernode !== undefined) this.#init.directory.heardFrom(request.supernode);
    return {
      supernode: this.#init.role === 'supernode',
      leaves: this.#leaves.size,
      entries: this.entryCount,
      supernodes: this.#init.directory.known().slice(0, MAX_SUPERNODES_PER_MESSAGE),
    };
  }

  /** Drops a leaf with its entries (expired, or declared dead by routing). */
  dropLeaf(id: string): void {
    if (!this.#leaves.delete(id)) return;
    this.#init.leafIndex?.removeOwner(id);
  }

  /** One round: expire silent leaves; when `heartbeatMs` passed since the last, learn the supernodes the mesh knows. */
  async maintain(): Promise<void> {
    this.#init.directory.prune();
    const now = this.#init.clock.now();
    const lastSeen = [...this.#leaves].map(([id, leaf]): [string, number] => [id, leaf.lastSeen]);
    for (const id of expiredLeaves(lastSeen, now, this.#init.leafExpiryMs)) this.dropLeaf(id);
    // Knowing no other supernode, discovery runs every round (with its own back-off), not once per heartbeat.
    if (gossipDue(this.#gossipedAt, now, this.#init.heartbeatMs, this.#meshGrew) || this.#init.directory.known().length === 0) {
      this.#gossipedAt = now;
      this.#meshGrew = await this.#init.directory.gossip();
    }
  }
}
