import { noopMetrics, silentLogger, StartableGroup, type AbortOptions, type Clock, type Logger, type Metrics, type Startable, type ObjectRecord, type ProviderRecord } from '@peerweave/core';
import type { ContentClient, ContentHandler, PeerContact } from '@peerweave/protocol';
import type { BlockStore, ContentDb } from '@peerweave/storage';
import type { CID } from 'multiformats/cid';
import { AntiEntropy, type AntiEntropyReport } from './anti-entropy.ts';
import { BlockFetch } from './block-fetch.ts';
import { BlockPush } from './block-push.ts';
import { createContentMetrics } from './content-metrics.ts';
import { ContentPeers } from './content-peers.ts';
import { ContentServer, holdsCopy } from './content-server.ts';
import { DeletePath } from './delete-path.ts';
import type { ObjectInfo } from './object-info.ts';
import { Providers } from './providers.ts';
import { ReadCache } from './read-cache.ts';
import { ReadPath, type BlockLocation, type StatOptions } from './read-path.ts';
import { RecordLookup } from './record-lookup.ts';
import { Repair, type RepairReport } from './repair.ts';
import { ReplicaSet, type ContentRouting } from './replica-set.ts';
import { SwarmRead } from './swarm-read.ts';
import { Tombstones } from './tombstones.ts';
import { WritePath, type PutMeta, type PutOutcome } from './write-path.ts';

// Every name this module exported before it became a facade, from where each now lives.
export { DEFAULT_ANTI_ENTROPY_INTERVAL_MS } from './anti-entropy.ts';
export { DEFAULT_BLOCK_DEADLINE_MS, DEFAULT_TRANSFER_CONCURRENCY } from './content-peers.ts';
export { DEFAULT_MAX_REQUESTS_PER_PEER } from './content-server.ts';
export { DEFAULT_PROVIDER_TTL_MS, MAX_PROVIDER_TTL_MS, MAX_PROVIDERS_PER_CID } from './providers.ts';
export { DEFAULT_CACHE_BYTES } from './read-cache.ts';
export { DEFAULT_REPAIR_INTERVAL_MS } from './repair.ts';
export { DEFAULT_REPLICATION_FACTOR, DEFAULT_WRITE_QUORUM } from './replica-set.ts';
export { DEFAULT_TOMBSTONE_TTL_MS } from './tombstones.ts';
export type { BlockLocation, ContentRouting, ObjectInfo, PutMeta, PutOutcome, RepairReport };

export interface ContentNodeInit {
  /** This node's contact (id and advertised peer address). */
  self: PeerContact;
  /** Signs the metadata records of uploads this node takes. */
  identity: { publicKey: Uint8Array; sign(data: Uint8Array): Uint8Array };
  routing: ContentRouting;
  transport: ContentClient;
  blocks: BlockStore;
  db: ContentDb;
  clock: Clock;
  logger?: Logger;
  metrics?: Metrics;
  /** r: copies of every block and record (default DEFAULT_REPLICATION_FACTOR). */
  replicationFactor?: number;
  /** w: copies that must be stored before a put is acknowledged (default DEFAULT_WRITE_QUORUM). */
  writeQuorum?: number;
  /** Bytes of read cache (default DEFAULT_CACHE_BYTES). */
  cacheBytes?: number;
  /** Default DEFAULT_REPAIR_INTERVAL_MS. */
  repairIntervalMs?: number;
  /** How long after a change of contacts a repair pass starts (default DEFAULT_REPAIR_DELAY_MS). */
  repairDelayMs?: number;
  /** Default DEFAULT_ANTI_ENTROPY_INTERVAL_MS. */
  antiEntropyIntervalMs?: number;
  /** Default DEFAULT_TOMBSTONE_TTL_MS. */
  tombstoneTtlMs?: number;
  /** Default DEFAULT_TRANSFER_CONCURRENCY. */
  transferConcurrency?: number;
  /** Default DEFAULT_BLOCK_DEADLINE_MS. */
  blockDeadlineMs?: number;
  /** Lifetime of the provider records this node announces (default DEFAULT_PROVIDER_TTL_MS). */
  providerTtlMs?: number;
  /** Block requests one peer may have in flight at this node (default DEFAULT_MAX_REQUESTS_PER_PEER). */
  maxRequestsPerPeer?: number;
  /** Told when this node starts or stops holding a metadata record (the search index follows it). */
  onRecords?: { stored(record: ObjectRecord): void; removed(cid: string): void };
}

/**
 * The content side of one node: uploads become UnixFS DAGs whose blocks and record are written to
 * the r nodes closest to each key (w acknowledgements), reads fetch blocks from whoever holds them,
 * and the node keeps its share of the network's data complete — repair when contacts change,
 * hinted hand-off while a replica is down, anti-entropy digests with its neighbours, tombstones for
 * deletes, garbage collection and a bounded read cache. Runs unchanged over gRPC and in memory.
 *
 * A facade: each concern is a component of its own (README.md), built here with the narrow
 * parts of the others it needs.
 */
export class ContentNode implements Startable {
  readonly handler: ContentHandler;
  readonly #self: PeerContact;
  readonly #peers: ContentPeers;
  readonly #providers: Providers;
  readonly #fetch: BlockFetch;
  readonly #read: ReadPath;
  readonly #write: WritePath;
  readonly #delete: DeletePath;
  readonly #repair: Repair;
  readonly #antiEntropy: AntiEntropy;
  /** The components with timers, in start order. */
  readonly #components: StartableGroup;

  constructor(init: ContentNodeInit) {
    const { self, routing, db, blocks, clock, onRecords } = init;
    const logger = (init.logger ?? silentLogger).child({ component: 'content' });
    const metrics = createContentMetrics(init.metrics ?? noopMetrics, { blocks, db });
    const replicaSet = new ReplicaSet({
      self,
      routing,
      replicationFactor: init.replicationFactor,
      writeQuorum: init.writeQuorum,
      onPlacement: (source) => metrics.placements.inc({ source }),
    });
    const { blockDeadlineMs, transferConcurrency } = init;
    const peers = new ContentPeers({ self, transport: init.transport, clock, holds: (cid) => holdsCopy(db.getBlock(cid)), blockDeadlineMs, transferConcurrency });
    const tombstones = new Tombstones({ db, blocks, clock, peers, logger, tombstoneTtlMs: init.tombstoneTtlMs, onRecords });
    const cache = new ReadCache({ db, blocks, clock, logger, drop: (cid) => tombstones.drop(cid), cacheBytes: init.cacheBytes });
    const push = new BlockPush({ db, blocks, peers, tombstones });
    const isDown = (id: string): boolean => {
      const state = routing.stateOf?.(id);
      return state === 'suspect' || state === 'dead' || state === 'left';
    };
    const providers = new Providers({ self, db, clock, replicaSet, peers, metrics, providerTtlMs: init.providerTtlMs, isDown });
    const antiEntropy = new AntiEntropy({ self, routing, replicaSet, db, peers, push, tombstones, clock, metrics, logger, antiEntropyIntervalMs: init.antiEntropyIntervalMs });
    const server = new ContentServer({ db, blocks, clock, metrics, tombstones, sync: antiEntropy, providers, onRecords, lease: (cids) => cache.lease(cids), maxRequestsPerPeer: init.maxRequestsPerPeer });
    const records = new RecordLookup({ self, db, replicaSet, peers, tombstones, clock });
    const fetch = new BlockFetch({ self, db, blocks, clock, replicaSet, peers, cache, metrics, logger });
    const swarm = new SwarmRead({ self, db, blocks, clock, replicaSet, peers, fetch, cache, providers, metrics, logger, swarmMetrics: init.metrics });
    const read = new ReadPath({ db, replicaSet, peers, fetch, swarm, records, metrics });
    this.#write = new WritePath({ self, identity: init.identity, db, clock, replicaSet, peers, server, records, tombstones, metrics, logger, onRecords });
    this.#delete = new DeletePath({ self, clock, replicaSet, peers, records, dag: read, tombstones, logger });
    this.#repair = new Repair({ self, routing, replicaSet, db, peers, push, tombstones, cache, clock, metrics, logger, repairIntervalMs: init.repairIntervalMs, repairDelayMs: init.repairDelayMs });
    this.#self = self;
    this.#peers = peers;
    this.#providers = providers;
    this.#fetch = fetch;
    this.#read = read;
    this.#antiEntropy = antiEntropy;
    this.#components = new StartableGroup([this.#repair, antiEntropy, providers]);
    this.handler = server.handler;
  }

  get id(): string {
    return this.#self.id;
  }

  /** This node's contact, as replica lists name it. */
  get self(): PeerContact {
    return this.#self;
  }

  start(): Promise<void> {
    return this.#components.start();
  }

  async stop(): Promise<void> {
    if (!this.#components.running) return;
    await this.#components.stop();
    this.#peers.close();
  }

  /** Stores an upload on its r replicas, acknowledged by w (WritePath). */
  put(source: AsyncIterable<Uint8Array>, meta: PutMeta, options: AbortOptions & { maxBytes?: number } = {}): Promise<PutOutcome> {
    return this.#write.put(source, meta, options);
  }

  /** One block, from the local store or from the nodes that should hold it; always verified (BlockFetch). */
  getBlock(cid: CID | string, options: AbortOptions = {}): Promise<Uint8Array> {
    return this.#fetch.getBlock(cid, options);
  }

  /** The object's bytes (a range of them), swarmed from its holders (ReadPath, SwarmRead). */
  read(cid: string, range: { offset: number; length: number } | undefined, options: AbortOptions = {}): AsyncIterable<Uint8Array> {
    return this.#read.read(cid, range, options);
  }

  stat(cid: string, options: StatOptions = {}): Promise<ObjectInfo> {
    return this.#read.stat(cid, options);
  }

  car(cid: string, options: AbortOptions = {}): AsyncIterable<Uint8Array> {
    return this.#read.car(cid, options);
  }

  list(options: { limit: number; after?: string }): { objects: ObjectInfo[]; next?: string } {
    return this.#read.list(options);
  }

  /** Deletes an object with tombstones (DeletePath). */
  remove(cid: string, options: AbortOptions = {}): Promise<void> {
    return this.#delete.remove(cid, options);
  }

  locate(cid: string, options: AbortOptions = {}): Promise<BlockLocation[]> {
    return this.#read.locate(cid, options);
  }

  /** One repair pass; concurrent calls share one pass (Repair). */
  repair(): Promise<RepairReport> {
    return this.#repair.run();
  }

  /** One anti-entropy round with every neighbour (AntiEntropy). */
  antiEntropy(): Promise<AntiEntropyReport> {
    return this.#antiEntropy.round();
  }

  findProviders(root: string, options: AbortOptions = {}): Promise<PeerContact[]> {
    return this.#providers.findProviders(root, options);
  }

  providerRecords(root: string, options: AbortOptions = {}): Promise<{ replicas: string[]; providers: ProviderRecord[] }> {
    return this.#providers.providerRecords(root, options);
  }

  /** Roots this node currently announces itself a provider of. */
  provided(): string[] {
    return this.#providers.provided();
  }
}
