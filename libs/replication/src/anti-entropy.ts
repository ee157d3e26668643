import { silentLogger, type Clock, type Logger, type Startable, type TimerHandle, type RangeDigest, type Tombstone } from '@peerweave/core';
import type { PeerContact } from '@peerweave/protocol';
import { cidKey, parseCid, type ContentDb } from '@peerweave/storage';
import { labelsInRanges, lackingEntries, sharedWith, sharesByPeer, tombstoneCid, tombstoneLabel, type IndexedEntry } from './anti-entropy-plan.ts';
import type { BlockPush } from './block-push.ts';
import type { ContentMetrics } from './content-metrics.ts';
import type { ContentPeers } from './content-peers.ts';
import { differingRanges, rangeDigests } from './digests.ts';
import { ContactsWatch } from './contacts-watch.ts';
import { mapLimit } from './map-limit.ts';
import type { ContentRouting, ReplicaSet } from './replica-set.ts';
import type { Tombstones } from './tombstones.ts';

/** How often digests are compared with each neighbour. Shorter heals missed writes sooner, at up to 256 digests per neighbour a round. */
export const DEFAULT_ANTI_ENTROPY_INTERVAL_MS = 30_000;

export interface AntiEntropyInit {
  self: Pick<PeerContact, 'id'>;
  routing: Pick<ContentRouting, 'neighbourhood' | 'on' | 'off'>;
  replicaSet: Pick<ReplicaSet, 'r' | 'knownPreferenceList' | 'contact'>;
  db: Pick<ContentDb, 'blocks' | 'tombstones' | 'getTombstone' | 'changes'>;
  peers: Pick<ContentPeers, 'syncDigest' | 'syncKeys' | 'storeTombstone' | 'concurrency'>;
  push: Pick<BlockPush, 'push'>;
  tombstones: Pick<Tombstones, 'apply'>;
  clock: Clock;
  metrics: Pick<ContentMetrics, 'antiEntropy' | 'moved'>;
  logger?: Logger;
  /** Default {@link DEFAULT_ANTI_ENTROPY_INTERVAL_MS}. */
  antiEntropyIntervalMs?: number;
}

/** What this node shares with each peer, as digests, and the store and contacts versions they were built at. */
interface SharedDigests {
  changes: number;
  contacts: number;
  /** Per peer that is a replica of some block with this node: its shared blocks' and all tombstones' digests. */
  byPeer: Map<string, RangeDigest[]>;
  /** The tombstones' digests alone: what it shares with any other peer. */
  everyone: RangeDigest[];
}

export interface AntiEntropyReport {
  /** Neighbours in the round (asked, unless the round was stopped). */
  neighbours: number;
  /** Ranges found different, over all neighbours. */
  ranges: number;
  /** Blocks pushed to neighbours that lacked them. */
  pushed: number;
}

/**
 * Anti-entropy with the neighbourhood (Cassandra's repair, one level of Merkle tree): every
 * interval, per neighbour, digests of the keys both should hold and of all known tombstones in
 * 256 ranges (the non-empty ones); for ranges that differ the key lists are exchanged, what the neighbour lacks is
 * pushed and the tombstones this node missed are applied. Also the serving side (SyncDigest, SyncKeys).
 */
export class AntiEntropy implements Startable {
  readonly #init: AntiEntropyInit;
  readonly #log: Logger;
  readonly #intervalMs: number;
  #timer: TimerHandle | undefined;
  /** Running state; its version moves on every change of contacts (preference lists may have moved). */
  readonly #watch: ContactsWatch;
  /**
   * The digests of what this node shares with each peer, kept while neither the store nor the
   * contacts changed: an idle node's rounds (and its neighbours' SyncDigest calls) then cost a
   * lookup, not a walk of every block (which, with 10 000 objects, made ~55 MiB of garbage per
   * round). Digests only, at most 256 per peer whatever the store holds: the entries themselves
   * (a CID, its key and its replica set, ~0.7 KiB of heap each: +6.8 MiB on an idle node that holds
   * 10 000 blocks) are needed only for the ranges that differ, and are read from the store again
   * for those.
   */
  #cached: SharedDigests | undefined;
  /** Walks of the whole store to build the digests (for specs: an unchanged store is not walked again). */
  #builds = 0;

  constructor(init: AntiEntropyInit) {
    this.#init = init;
    this.#watch = new ContactsWatch(init.routing);
    this.#log = init.logger ?? silentLogger;
    this.#intervalMs = init.antiEntropyIntervalMs ?? DEFAULT_ANTI_ENTROPY_INTERVAL_MS;
  }

  async start(): Promise<void> {
    if (this.#watch.start()) this.#schedule(this.#intervalMs);
  }

  async stop(): Promise<void> {
    if (!this.#watch.stop()) return;
    this.#cached = undefined;
    if (this.#timer) this.#init.clock.clearTimeout(this.#timer);
  }

  /**
   * One round with every neighbour. What this node lacks, the neighbour pushes in its own round.
   */
  async round(): Promise<AntiEntropyReport> {
    const { routing, replicaSet, peers, metrics } = this.#init;
    const signal = this.#watch.signal;
    let ranges = 0;
    let pushed = 0;
    const neighbours = routing.neighbourhood();
    for (const id of neighbours) {
      if (signal.aborted) break;
      const peer = replicaSet.contact(id);
      if (!peer) continue;
      try {
        const ours = this.#digestsWith(id);
        const { digests } = await peers.syncDigest(peer, { from: this.#init.self.id, digests: ours }, signal);
        const differing = differingRanges(ours, digests);
        if (differing.length === 0) continue;
        ranges += differing.length;
        const { keys, tombstones } = await peers.syncKeys(peer, { from: this.#init.self.id, prefixes: differing }, signal);
        for (const t of tombstones) this.#init.tombstones.apply(t);
        const missing = lackingEntries(this.#sharedIn(id, differing), differing, keys, tombstones);
        const results = await mapLimit(missing, peers.concurrency, (e) => this.#send(peer, e.label, signal));
        pushed += results.filter(Boolean).length;
      } catch (err) {
        this.#log.debug({ peer: id.slice(0, 12), err: (err as Error).message }, 'anti-entropy with a neighbour failed');
      }
    }
    metrics.antiEntropy.inc();
    metrics.moved.inc({ reason: 'anti_entropy' }, pushed);
    return { neighbours: neighbours.length, ranges, pushed };
  }

  /** Serves SyncDigest: the digests of what this node shares with `from`. */
  digestFor(from: string): RangeDigest[] {
    return this.#digestsWith(from);
  }

  /** Times the digests were built from a walk of the whole store. */
  get digestBuilds(): number {
    return this.#builds;
  }

  /**
   * The digests of what this node shares with `id`, from the cache while it is valid. Only the
   * ranges holding something: a missing digest counts as an empty range on both ends
   * (differingRanges, since the first version), so an idle cluster's rounds, whose ranges are
   * mostly or all empty, carry a few digests or none instead of 256 each way.
   */
  #digestsWith(id: string): RangeDigest[] {
    const shared = this.#sharedDigests();
    return shared.byPeer.get(id) ?? shared.everyone;
  }

  /** Serves SyncKeys: the keys and tombstones this node shares with `from` in the ranges `prefixes`. */
  keysFor(from: string, prefixes: readonly number[]): { keys: string[]; tombstones: Tombstone[] } {
    const { keys, tombstoneCids } = labelsInRanges(this.#sharedIn(from, prefixes), prefixes);
    const tombstones = tombstoneCids.map((cid) => this.#init.db.getTombstone(cid)).filter((t): t is Tombstone => t !== undefined);
    return { keys, tombstones };
  }

  /** Sends one entry the neighbour lacks; true when a block was pushed. */
  async #send(peer: PeerContact, label: string, signal: AbortSignal): Promise<boolean> {
    const { db, peers } = this.#init;
    const deleted = tombstoneCid(label);
    if (deleted !== undefined) {
      const t = db.getTombstone(deleted);
      if (t) await peers.storeTombstone(peer, t, signal).catch(() => undefined);
      return false;
    }
    if (db.getTombstone(label)) return false;
    return this.#init.push.push(peer, label, signal);
  }

  /**
   * The digests of what this node shares with each peer, built in one walk of the store (the
   * cache while neither the store nor the contacts changed).
   */
  #sharedDigests(): SharedDigests {
    const { db, self } = this.#init;
    const cached = this.#cached;
    if (this.#watch.running && cached !== undefined && cached.changes === db.changes && cached.contacts === this.#watch.version) return cached;
    const changes = db.changes;
    this.#builds++;
    const { byPeer, everyone } = sharesByPeer(this.#entries(), self.id);
    const digestsOf = (entries: readonly IndexedEntry[]): RangeDigest[] => rangeDigests(entries).filter((d) => d.count > 0);
    const built: SharedDigests = {
      changes,
      contacts: this.#watch.version,
      byPeer: new Map([...byPeer].map(([id, entries]) => [id, digestsOf(entries.concat(everyone))])),
      everyone: digestsOf(everyone),
    };
    // Only a started node is told of contact changes, so only it may keep them.
    this.#cached = this.#watch.running ? built : undefined;
    return built;
  }

  /** The entries this node shares with `peer` in the ranges `prefixes`, read from the store (for ranges that differ). */
  #sharedIn(peer: string, prefixes: readonly number[]): IndexedEntry[] {
    return sharedWith([...this.#entries(new Set(prefixes))], peer);
  }

  /**
   * Every replica copy this node is responsible for (in `prefixes`' ranges when given), with the
   * replicas of its key, and every tombstone it knows, from a walk of the store.
   */
  *#entries(prefixes?: ReadonlySet<number>): Generator<IndexedEntry, void, undefined> {
    const { db, replicaSet, self } = this.#init;
    const wanted = (key: Uint8Array): boolean => prefixes === undefined || prefixes.has(key[0]!);
    for (const row of db.blocks()) {
      if (row.kind !== 'replica') continue;
      const key = cidKey(parseCid(row.cid));
      if (!wanted(key)) continue;
      const replicas = new Set(replicaSet.knownPreferenceList(key, replicaSet.r).map((p) => p.id));
      if (replicas.has(self.id)) yield { key, label: row.cid, replicas };
    }
    for (const t of db.tombstones()) {
      const key = cidKey(parseCid(t.cid));
      if (wanted(key)) yield { key, label: tombstoneLabel(t.cid) };
    }
  }

  #schedule(delayMs: number): void {
    if (!this.#watch.running) return;
    this.#timer = this.#init.clock.setTimeout(() => {
      void this.round()
        .catch((err: unknown) => this.#log.warn({ err: (err as Error).message }, 'anti-entropy round failed'))
        .finally(() => this.#schedule(this.#intervalMs));
    }, delayMs);
  }
}
