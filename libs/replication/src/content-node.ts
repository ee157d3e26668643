import {
  CorruptBlockError,
  InsufficientReplicasError,
  NotFoundError,
  PeerweaveError,
  ResourceExhaustedError,
  noopMetrics,
  silentLogger,
  throwIfAborted,
  withDeadline,
  type Clock,
  type Logger,
  type Metrics,
  type Startable,
  type TimerHandle,
} from '@peerweave/core';
import type {
  ContentHandler,
  ObjectRecord,
  PeerContact,
  PeerTransport,
  ProviderRecord,
  PutBlockRequest,
  Tombstone,
} from '@peerweave/protocol';
import {
  blockLinks,
  blockMatches,
  cidKey,
  cidToString,
  exportCar,
  exportFile,
  fileLeaves,
  importFile,
  normaliseKeywords,
  parseCid,
  signRecord,
  statObject,
  verifyRecord,
  type BlockRow,
  type BlockStore,
  type ContentDb,
  type FileLeaf,
} from '@peerweave/storage';
import { Swarm, type BlockSource } from '@peerweave/transfer';
import type { CID } from 'multiformats/cid';
import { differingRanges, rangeDigests, type KeyedEntry } from './digests.ts';
import { mapLimit } from './map-limit.ts';
import { assertQuorum, preferenceList } from './placement.ts';

export const DEFAULT_REPLICATION_FACTOR = 3;
export const DEFAULT_WRITE_QUORUM = 2;
/** Bytes of blocks kept because this node read them (not a replica); least recently used go first. */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;
/** How often every held block's replica set is re-checked (and on every change of contacts). */
export const DEFAULT_REPAIR_INTERVAL_MS = 10_000;
/** How often digests are compared with each neighbour. */
export const DEFAULT_ANTI_ENTROPY_INTERVAL_MS = 30_000;
/** How long a delete is remembered; must outlive any repair or anti-entropy delay (Cassandra's gc_grace). */
export const DEFAULT_TOMBSTONE_TTL_MS = 24 * 60 * 60 * 1000;
/** Blocks replicated at once during a put or a repair. */
export const DEFAULT_TRANSFER_CONCURRENCY = 8;
/** Deadline of one block call to a peer. */
export const DEFAULT_BLOCK_DEADLINE_MS = 5_000;
/** How long a provider record lives unless refreshed (the provider refreshes at half of it). */
export const DEFAULT_PROVIDER_TTL_MS = 10 * 60 * 1000;
/** Longest provider record a node keeps, whatever the announcer asks for. */
export const MAX_PROVIDER_TTL_MS = 24 * 60 * 60 * 1000;
/** Most provider records kept per CID (the ones expiring first make room). */
export const MAX_PROVIDERS_PER_CID = 64;
/** Block requests (GetBlock, PutBlock) one peer may have in flight here; more are refused. */
export const DEFAULT_MAX_REQUESTS_PER_PEER = 32;
/** Deadline of a GetProviders question. */
const PROVIDERS_DEADLINE_MS = 1_500;
/** A replica set found complete is asked again after this many repair passes even if unchanged. */
const REVERIFY_EVERY_PASSES = 6;
/**
 * Deadline of a HasBlocks question (no block data moves): a replica that died but is not yet
 * declared dead must not hold a repair pass for the full block deadline.
 */
const QUERY_DEADLINE_MS = 1_500;
/** Most CIDs per HasBlocks message. */
const HAS_BATCH = 1024;

/** The part of the routing layer replication uses (RoutingNode has it). */
export interface ContentRouting {
  lookup(key: Uint8Array, options?: { signal?: AbortSignal; count?: number }): Promise<{ closest: PeerContact[]; timedOut: boolean }>;
  closestKnown(key: Uint8Array, n: number): PeerContact[];
  neighbourhood(): readonly string[];
  on(event: 'contacts-changed', listener: () => void): unknown;
  off(event: 'contacts-changed', listener: () => void): unknown;
}

export interface ContentNodeInit {
  /** This node's contact (id and advertised peer address). */
  self: PeerContact;
  /** Signs the metadata records of uploads this node takes. */
  identity: { publicKey: Uint8Array; sign(data: Uint8Array): Uint8Array };
  routing: ContentRouting;
  transport: PeerTransport;
  blocks: BlockStore;
  db: ContentDb;
  clock: Clock;
  logger?: Logger;
  metrics?: Metrics;
  /** r: copies of every block and record (default DEFAULT_REPLICATION_FACTOR). */
  replicationFactor?: number;
  /** w: copies that must be stored before a put is acknowledged (default DEFAULT_WRITE_QUORUM). */
  writeQuorum?: number;
  cacheBytes?: number;
  repairIntervalMs?: number;
  antiEntropyIntervalMs?: number;
  tombstoneTtlMs?: number;
  transferConcurrency?: number;
  blockDeadlineMs?: number;
  /** Lifetime of the provider records this node announces (default DEFAULT_PROVIDER_TTL_MS). */
  providerTtlMs?: number;
  /** Block requests one peer may have in flight at this node (default DEFAULT_MAX_REQUESTS_PER_PEER). */
  maxRequestsPerPeer?: number;
  /** Told when this node starts or stops holding a metadata record (the search index follows it). */
  onRecords?: { stored(record: ObjectRecord): void; removed(cid: string): void };
}

export interface ObjectInfo {
  cid: string;
  name: string;
  contentType: string;
  size: number;
  blocks: number;
  keywords: string[];
  created: string;
  uploader: string;
}

export interface PutMeta {
  name: string;
  contentType: string;
  keywords: readonly string[];
}

export interface PutOutcome {
  cid: string;
  size: number;
  blocks: number;
  /** The fewest replicas any block of the object reached (≥ w, at most r). */
  replicas: number;
}

export interface BlockLocation {
  cid: string;
  /** The r nodes that should hold it, as this node sees the network. */
  replicas: string[];
  /** The nodes asked that hold it (replicas and stand-ins). */
  holders: string[];
}

export interface RepairReport {
  /** Blocks held that were checked against their replica set. */
  checked: number;
  /** Copies pushed to replicas that lacked them. */
  pushed: number;
  /** Hints handed back to their node. */
  handedBack: number;
  /** Replica copies whose node found a replica missing and could not reach it. */
  backlog: number;
}

interface Options {
  signal?: AbortSignal;
}

/**
 * The content side of one node: uploads become UnixFS DAGs whose blocks and record are written to
 * the r nodes closest to each key (w acknowledgements), reads fetch blocks from whoever holds them,
 * and the node keeps its share of the network's data complete — repair when contacts change,
 * hinted hand-off while a replica is down, anti-entropy digests with its neighbours, tombstones for
 * deletes, garbage collection and a bounded read cache. Runs unchanged over gRPC and in memory.
 */
export class ContentNode implements Startable {
  readonly handler: ContentHandler;
  readonly #init: ContentNodeInit;
  readonly #log: Logger;
  readonly #r: number;
  readonly #w: number;
  readonly #cacheBytes: number;
  readonly #repairIntervalMs: number;
  readonly #antiEntropyIntervalMs: number;
  readonly #tombstoneTtlMs: number;
  readonly #concurrency: number;
  readonly #blockDeadlineMs: number;
  readonly #providerTtlMs: number;
  readonly #maxRequestsPerPeer: number;
  /** Block requests in flight here, per calling peer. */
  readonly #inFlight = new Map<string, number>();
  /**
   * Objects this node read and announced itself a provider of (it keeps their leaves as cache),
   * with those leaves: refreshed while any of them is still held, forgotten when none is.
   */
  readonly #provided = new Map<string, { leaves: string[]; announcedMs: number }>();
  #providerTimer: TimerHandle | undefined;
  /**
   * Replica set (joined ids) each held block was last verified complete against, and in which
   * repair pass. A set is re-checked when it changes and, in any case, every
   * REVERIFY_EVERY_PASSES passes: two nodes can briefly disagree on a set while a death spreads.
   */
  readonly #verified = new Map<string, { set: string; pass: number }>();
  #pass = 0;
  /** Blocks of uploads in progress: staged as cache, never evicted before they are replicated. */
  readonly #staging = new Map<string, number>();
  #running = false;
  #repairTimer: TimerHandle | undefined;
  #antiEntropyTimer: TimerHandle | undefined;
  #repairing: Promise<RepairReport> | undefined;
  #repairAgain = false;
  #stop = new AbortController();
  readonly #onContactsChanged = (): void => this.#scheduleRepair(500);
  readonly #m;

  constructor(init: ContentNodeInit) {
    this.#init = init;
    this.#log = (init.logger ?? silentLogger).child({ component: 'content' });
    this.#r = init.replicationFactor ?? DEFAULT_REPLICATION_FACTOR;
    this.#w = init.writeQuorum ?? DEFAULT_WRITE_QUORUM;
    assertQuorum(this.#r, this.#w);
    this.#cacheBytes = init.cacheBytes ?? DEFAULT_CACHE_BYTES;
    this.#repairIntervalMs = init.repairIntervalMs ?? DEFAULT_REPAIR_INTERVAL_MS;
    this.#antiEntropyIntervalMs = init.antiEntropyIntervalMs ?? DEFAULT_ANTI_ENTROPY_INTERVAL_MS;
    this.#tombstoneTtlMs = init.tombstoneTtlMs ?? DEFAULT_TOMBSTONE_TTL_MS;
    this.#concurrency = init.transferConcurrency ?? DEFAULT_TRANSFER_CONCURRENCY;
    this.#blockDeadlineMs = init.blockDeadlineMs ?? DEFAULT_BLOCK_DEADLINE_MS;
    this.#providerTtlMs = Math.min(init.providerTtlMs ?? DEFAULT_PROVIDER_TTL_MS, MAX_PROVIDER_TTL_MS);
    this.#maxRequestsPerPeer = init.maxRequestsPerPeer ?? DEFAULT_MAX_REQUESTS_PER_PEER;
    this.#m = createContentMetrics(init.metrics ?? noopMetrics, init);
    this.handler = this.#makeHandler();
  }

  get id(): string {
    return this.#init.self.id;
  }

  /** This node's contact, as replica lists name it. */
  get self(): PeerContact {
    return this.#init.self;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#stop = new AbortController();
    this.#init.routing.on('contacts-changed', this.#onContactsChanged);
    this.#scheduleRepair(this.#repairIntervalMs);
    this.#scheduleAntiEntropy(this.#antiEntropyIntervalMs);
    this.#scheduleProviderRefresh();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#stop.abort();
    this.#init.routing.off('contacts-changed', this.#onContactsChanged);
    if (this.#repairTimer) this.#init.clock.clearTimeout(this.#repairTimer);
    if (this.#antiEntropyTimer) this.#init.clock.clearTimeout(this.#antiEntropyTimer);
    if (this.#providerTimer) this.#init.clock.clearTimeout(this.#providerTimer);
    await this.#repairing?.catch(() => {});
  }

  // ------------------------------------------------------------------------------------------
  // Writes

  /**
   * Imports `source` as a UnixFS DAG, then writes every block and the signed record to their r
   * replicas, acknowledging only when each reached w. The upload is staged in the local store
   * first (as evictable cache, rooted nowhere), so a client that goes away mid-upload leaves nothing
   * acknowledged, nothing on other nodes and nothing pinned.
   */
  async put(source: AsyncIterable<Uint8Array>, meta: PutMeta, options: Options & { maxBytes?: number } = {}): Promise<PutOutcome> {
    const { signal } = options;
    const staged: string[] = [];
    try {
      const now = this.#init.clock.now();
      const imported = await importFile(
        source,
        async (cid, bytes) => {
          const text = cidToString(cid);
          staged.push(text);
          this.#staging.set(text, (this.#staging.get(text) ?? 0) + 1);
          await this.#init.blocks.put(cid, bytes);
          this.#init.db.addBlock({ cid: text, bytes: bytes.length, roots: [], kind: 'cache', nowMs: now });
        },
        { ...(signal ? { signal } : {}), ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}) },
      );
      const root = cidToString(imported.cid);
      const existing = await this.#fetchRecord(imported.cid, signal).catch(() => undefined);
      if (existing?.tombstone && !existing.record) {
        throw new PeerweaveError(
          'FAILED_PRECONDITION',
          `object ${root} was deleted at ${new Date(existing.tombstone.deletedMs).toISOString()}; it can be stored again once the delete expires (${new Date(existing.tombstone.deletedMs + this.#tombstoneTtlMs).toISOString()})`,
        );
      }
      const record = signRecord(
        {
          cid: root,
          name: meta.name,
          contentType: meta.contentType,
          size: imported.size,
          blocks: imported.blocks.length,
          keywords: normaliseKeywords(meta.keywords),
          createdMs: existing?.record?.createdMs ?? now,
        },
        this.#init.identity,
      );
      const acks = await mapLimit(imported.blocks, this.#concurrency, async (block) => {
        throwIfAborted(signal);
        const bytes = await this.#init.blocks.get(block.cid);
        if (bytes === undefined) throw new NotFoundError(`staged block ${cidToString(block.cid)} vanished`);
        return this.#replicate(block.cid, bytes, [root], signal);
      });
      const recordAcks = await this.#replicateRecord(record, signal);
      // The node that took the upload remembers the record, so its own listing shows the object.
      if (this.#init.db.putRecord(record)) this.#init.onRecords?.stored(record);
      const replicas = Math.min(recordAcks, ...acks);
      this.#m.puts.inc({ outcome: 'ok' });
      this.#log.info({ cid: root, size: imported.size, blocks: imported.blocks.length, replicas }, 'object stored');
      return { cid: root, size: imported.size, blocks: imported.blocks.length, replicas };
    } catch (err) {
      this.#m.puts.inc({ outcome: err instanceof PeerweaveError ? err.code.toLowerCase() : 'internal' });
      throw err;
    } finally {
      for (const text of staged) {
        const n = (this.#staging.get(text) ?? 1) - 1;
        if (n <= 0) this.#staging.delete(text);
        else this.#staging.set(text, n);
      }
    }
  }

  /** Writes one block to its replicas; returns how many of the r stored it, or throws below w. */
  async #replicate(cid: CID, bytes: Uint8Array, roots: string[], signal: AbortSignal | undefined): Promise<number> {
    const key = cidKey(cid);
    const cidText = cidToString(cid);
    const order = await this.#preferenceList(key, signal);
    const targets = order.slice(0, this.#r);
    const request: PutBlockRequest = { cid: cidText, data: bytes, roots, hintFor: '' };
    const results = await Promise.all(targets.map((t) => this.#storeAt(t, request, signal)));
    const acks = results.filter((ok) => ok === 'stored').length;
    if (results.includes('refused')) {
      throw new PeerweaveError('FAILED_PRECONDITION', `block ${cidText} was refused: its object is deleted`);
    }
    // Hinted hand-off: a copy for each unreachable replica goes to the next node in the list.
    const spares = order.slice(this.#r);
    for (let i = 0; i < targets.length; i++) {
      if (results[i] !== 'failed') continue;
      while (spares.length > 0) {
        const spare = spares.shift()!;
        if ((await this.#storeAt(spare, { ...request, hintFor: targets[i]!.id }, signal)) === 'stored') {
          this.#m.handoffs.inc({ event: 'stored' });
          break;
        }
      }
    }
    if (acks < this.#w) {
      throw new InsufficientReplicasError(
        `block ${cidText} reached ${acks} of its ${targets.length} replicas, fewer than the write quorum ${this.#w}; nothing was acknowledged, retry when more peers are up`,
        { details: { cid: cidText, acknowledged: acks, required: this.#w } },
      );
    }
    return acks;
  }

  async #replicateRecord(record: ObjectRecord, signal: AbortSignal | undefined): Promise<number> {
    const order = await this.#preferenceList(cidKey(parseCid(record.cid)), signal);
    const targets = order.slice(0, this.#r);
    const results = await Promise.all(
      targets.map(async (t) => {
        try {
          if (t.id === this.id) return this.#acceptRecord(record);
          const { stored } = await this.#call(t, 'putRecord', { record }, signal);
          return stored;
        } catch (err) {
          this.#log.debug({ peer: t.id.slice(0, 12), err: (err as Error).message }, 'record write failed');
          return false;
        }
      }),
    );
    const acks = results.filter(Boolean).length;
    if (acks < this.#w) {
      throw new InsufficientReplicasError(`the record of ${record.cid} reached ${acks} of its replicas, fewer than the write quorum ${this.#w}`, {
        details: { cid: record.cid, acknowledged: acks, required: this.#w },
      });
    }
    return acks;
  }

  async #storeAt(target: PeerContact, request: PutBlockRequest, signal: AbortSignal | undefined): Promise<'stored' | 'refused' | 'failed'> {
    try {
      if (target.id === this.id) return (await this.#acceptBlock(request)) ? 'stored' : 'refused';
      const { stored } = await this.#call(target, 'putBlock', request, signal);
      return stored ? 'stored' : 'refused';
    } catch (err) {
      if (signal?.aborted) throw err;
      this.#log.debug({ peer: target.id.slice(0, 12), cid: request.cid, err: (err as Error).message }, 'block write failed');
      return 'failed';
    }
  }

  /**
   * The nodes closest to `key`, this node included, nearest first: those a network lookup found,
   * and those of the local table not declared dead. A replica that stopped answering but is still
   * a member (SWIM has not declared it dead) keeps its place, so its copy goes to the next node as
   * a hinted hand-off (Dynamo's sloppy quorum) instead of that node silently becoming a replica.
   */
  async #preferenceList(key: Uint8Array, signal: AbortSignal | undefined): Promise<PeerContact[]> {
    // r + 1: this node may be one of the r, and the lookup never returns it.
    const { closest } = await this.#init.routing.lookup(key, { count: this.#r + 1, ...(signal ? { signal } : {}) });
    return preferenceList(key, this.#init.self, [...closest, ...this.#init.routing.closestKnown(key, this.#r + 2)]);
  }

  /** The same from the local table only: cheap, used by repair and reads. */
  #knownPreferenceList(key: Uint8Array, n: number): PeerContact[] {
    return preferenceList(key, this.#init.self, this.#init.routing.closestKnown(key, n)).slice(0, n);
  }

  // ------------------------------------------------------------------------------------------
  // Reads

  /** One block, from the local store or from the nodes that should hold it; always verified. */
  async getBlock(cidOrText: CID | string, options: Options = {}): Promise<Uint8Array> {
    const cid = typeof cidOrText === 'string' ? parseCid(cidOrText) : cidOrText;
    const cidText = cidToString(cid);
    const local = await this.#init.blocks.get(cid);
    if (local !== undefined) {
      this.#init.db.touch(cidText, this.#init.clock.now());
      this.#m.fetches.inc({ source: 'local' });
      return local;
    }
    const key = cidKey(cid);
    const asked = new Set<string>([this.id]);
    const tryFrom = async (candidates: PeerContact[]): Promise<Uint8Array | undefined> => {
      for (const peer of candidates) {
        if (asked.has(peer.id)) continue;
        asked.add(peer.id);
        throwIfAborted(options.signal);
        try {
          const { found, data } = await this.#call(peer, 'getBlock', { cid: cidText }, options.signal);
          if (!found) continue;
          if (!blockMatches(cid, data)) {
            this.#m.corrupt.inc({ source: 'peer' });
            this.#log.warn({ peer: peer.id.slice(0, 12), cid: cidText }, 'peer sent a block that does not match its CID');
            continue;
          }
          return data;
        } catch (err) {
          if (options.signal?.aborted) throw err;
        }
      }
      return undefined;
    };
    let data = await tryFrom(this.#knownPreferenceList(key, this.#r + 2));
    if (data === undefined) {
      const { closest } = await this.#init.routing.lookup(key, { count: this.#r + 2, ...(options.signal ? { signal: options.signal } : {}) });
      data = await tryFrom(preferenceList(key, this.#init.self, closest));
    }
    if (data === undefined) {
      this.#m.fetches.inc({ source: 'none' });
      throw new NotFoundError(`no reachable node holds block ${cidText}`);
    }
    this.#m.fetches.inc({ source: 'peer' });
    await this.#cache(cid, data);
    return data;
  }

  /** Keeps a fetched block as evictable cache; true when it was stored. */
  async #cache(cid: CID, data: Uint8Array): Promise<boolean> {
    if (this.#cacheBytes <= 0) return false;
    try {
      await this.#init.blocks.put(cid, data);
      this.#init.db.addBlock({ cid: cidToString(cid), bytes: data.length, roots: [], kind: 'cache', nowMs: this.#init.clock.now() });
      await this.#evictCache();
      return true;
    } catch (err) {
      this.#log.debug({ err: (err as Error).message }, 'caching a fetched block failed');
      return false;
    }
  }

  async #evictCache(): Promise<void> {
    let over = this.#init.db.cachedBytes() - this.#cacheBytes;
    let batch = 32;
    while (over > 0) {
      const victims = this.#init.db.leastRecentlyUsedCache(batch).filter((v) => !this.#staging.has(v.cid));
      if (victims.length === 0) {
        // Everything left is staged by uploads in progress (or nothing is cached): stop.
        if (batch > this.#staging.size) return;
        batch *= 2;
        continue;
      }
      for (const v of victims) {
        if (over <= 0) return;
        await this.#dropBlock(v.cid);
        over -= v.bytes;
      }
    }
  }

  /** The record (and tombstone) of an object from this node or its replicas. */
  async #fetchRecord(cid: CID, signal: AbortSignal | undefined): Promise<{ record?: ObjectRecord; tombstone?: Tombstone }> {
    const cidText = cidToString(cid);
    const localTombstone = this.#init.db.getTombstone(cidText);
    const localRecord = this.#init.db.getRecord(cidText);
    const key = cidKey(cid);
    if (localTombstone) return { tombstone: localTombstone };
    // A replica's own copy is authoritative; any other copy (the uploader's) may have missed a delete.
    if (localRecord && this.#knownPreferenceList(key, this.#r).some((p) => p.id === this.id)) return { record: localRecord };
    let found: { record?: ObjectRecord; tombstone?: Tombstone } = {};
    const ask = async (peers: PeerContact[]): Promise<boolean> => {
      const answers = await Promise.all(
        peers
          .filter((p) => p.id !== this.id)
          .map((p) => this.#call(p, 'getRecord', { cid: cidText }, signal).catch(() => undefined)),
      );
      for (const a of answers) {
        if (a?.tombstone) {
          found = { tombstone: a.tombstone };
          return true;
        }
        if (a?.record && verifyRecord(a.record) && a.record.cid === cidText) found = { record: a.record };
      }
      return found.record !== undefined;
    };
    if (!(await ask(this.#knownPreferenceList(key, this.#r))) && !('tombstone' in found)) {
      const { closest } = await this.#init.routing.lookup(key, { count: this.#r + 1, ...(signal ? { signal } : {}) });
      await ask(preferenceList(key, this.#init.self, closest).slice(0, this.#r + 1));
    }
    if (found.tombstone) this.#applyTombstone(found.tombstone);
    else if (!found.record && localRecord) found = { record: localRecord };
    return found;
  }

  /** What a user sees of an object: its record, or what the DAG tells when there is none. */
  async stat(cidText: string, options: Options = {}): Promise<ObjectInfo> {
    const cid = parseCid(cidText);
    const canonical = cidToString(cid);
    const { record, tombstone } = await this.#fetchRecord(cid, options.signal);
    if (tombstone) throw new NotFoundError(`object ${canonical} was deleted`);
    if (record) return toInfo(record);
    const { size, blocks } = await statObject(cid, (c, o) => this.getBlock(c, o), options);
    return { cid: canonical, name: '', contentType: 'application/octet-stream', size, blocks: blocks ?? 0, keywords: [], created: new Date(0).toISOString(), uploader: '' };
  }

  /**
   * Streams the object's bytes (a range of them). The leaves are named by the inner nodes and
   * fetched by a swarm (libs/transfer) from every node that should hold them at once — this node
   * first when it has a copy — each checked against its CID, in order, with a bounded buffer so a
   * slow reader slows the download. Objects of one block, and files whose leaves are not raw
   * blocks, are read block by block through the UnixFS exporter.
   */
  async *read(cidText: string, range: { offset: number; length: number } | undefined, options: Options = {}): AsyncIterable<Uint8Array> {
    const cid = parseCid(cidText);
    if (this.#init.db.getTombstone(cidToString(cid))) throw new NotFoundError(`object ${cidToString(cid)} was deleted`);
    const get = (c: CID, o: { signal?: AbortSignal }): Promise<Uint8Array> => this.getBlock(c, o);
    const signal = options.signal ? { signal: options.signal } : {};
    try {
      let leaves: FileLeaf[] = [];
      if (cid.code === 0x70) {
        try {
          leaves = await fileLeaves(cid, get, { ...range, ...signal });
        } catch (err) {
          if (!(err instanceof PeerweaveError && err.code === 'INVALID_ARGUMENT')) throw err;
          leaves = [];
        }
      }
      if (leaves.length < 2) {
        yield* exportFile(cid, get, { ...range, ...signal });
      } else {
        yield* this.#swarmRead(cidToString(cid), leaves, range, options.signal);
      }
      this.#m.gets.inc({ outcome: 'ok' });
    } catch (err) {
      this.#m.gets.inc({ outcome: err instanceof PeerweaveError ? err.code.toLowerCase() : 'internal' });
      throw err;
    }
  }

  async *#swarmRead(
    root: string,
    leaves: FileLeaf[],
    range: { offset: number; length: number } | undefined,
    signal: AbortSignal | undefined,
  ): AsyncIterable<Uint8Array> {
    const start = range?.offset ?? 0;
    const end = range === undefined ? Number.POSITIVE_INFINITY : range.offset + range.length;
    const sources = new Map<string, BlockSource>();
    const local: BlockSource = {
      id: this.id,
      fetch: async (c) => {
        const bytes = await this.#init.blocks.get(parseCid(c));
        if (bytes === undefined) throw new NotFoundError(`block ${c} is not stored here`);
        return bytes;
      },
    };
    const remote = (peer: PeerContact): BlockSource => {
      let source = sources.get(peer.id);
      if (!source) {
        source = {
          id: peer.id,
          fetch: async (c, { signal: s }) => {
            const { found, data } = await this.#call(peer, 'getBlock', { cid: c }, s);
            if (!found) throw new NotFoundError(`peer ${peer.id.slice(0, 12)} does not hold ${c}`);
            this.#m.fetches.inc({ source: 'peer' });
            return data;
          },
        };
        sources.set(peer.id, source);
      }
      return source;
    };
    // Last resort for a block none of the expected holders has: the full path, lookup included.
    const network: BlockSource = { id: 'lookup', fetch: (c, { signal: s }) => this.getBlock(c, { signal: s }) };
    // Nodes that read the object before and announced they keep it (provider records): every
    // block is asked of them too, so a popular object is served by more than its r replicas.
    // Asked in the background, and only once a block is missing here (a file read from this
    // node's own copies asks nobody): the first blocks come from the replicas without waiting.
    let providers: BlockSource[] = [];
    let asked = false;
    const askProviders = (): void => {
      if (asked) return;
      asked = true;
      void this.findProviders(root, signal ? { signal } : {}).then((found) => {
        providers = found.filter((p) => p.id !== this.id).map(remote);
        this.#m.providersFound.observe(providers.length);
      });
    };
    const swarm = new Swarm({
      blocks: leaves.map((l) => ({ cid: cidToString(l.cid), bytes: l.size })),
      providers: (c) => {
        const list: BlockSource[] = [];
        if (this.#init.db.getBlock(c)) list.push(local);
        else askProviders();
        // The r nodes that should hold it. Not the next two as well: a node that does not hold a
        // block answers "not found" at once, which the swarm takes as fast, so it was asked for
        // about a quarter of all blocks in vain. A block that moved is found by `network` below.
        for (const p of this.#knownPreferenceList(cidKey(parseCid(c)), this.#r)) if (p.id !== this.id) list.push(remote(p));
        for (const p of providers) if (!list.includes(p)) list.push(p);
        list.push(network);
        return list;
      },
      verify: (c, bytes) => {
        const ok = blockMatches(parseCid(c), bytes);
        if (!ok) this.#m.corrupt.inc({ source: 'peer' });
        return ok;
      },
      clock: this.#init.clock,
      requestTimeoutMs: this.#blockDeadlineMs,
      logger: this.#log,
      ...(this.#init.metrics ? { metrics: this.#init.metrics } : {}),
      ...(signal ? { signal } : {}),
    });
    let i = 0;
    let announced = false;
    for await (const { cid: c, bytes } of swarm.blocks()) {
      const leaf = leaves[i++]!;
      if (!this.#init.db.getBlock(c) && (await this.#cache(leaf.cid, bytes)) && !announced) {
        // The first block kept makes this node a provider; announced once, refreshed by a timer.
        announced = true;
        this.#provide(root, leaves.map((l) => cidToString(l.cid)));
      }
      yield bytes.subarray(Math.max(0, start - leaf.offset), Math.min(leaf.size, end - leaf.offset));
    }
  }

  /**
   * Nodes other than the replicas that announced they serve `root` (provider records), asked of
   * the r nodes closest to it that this node knows. Answers within a short deadline; a node that
   * does not answer adds nobody.
   */
  async findProviders(root: string, options: Options = {}): Promise<PeerContact[]> {
    const { providers } = await this.providerRecords(root, options);
    return providers.map((r) => ({ id: r.id, address: r.address, role: 'peer', incarnation: 0 }));
  }

  /** The provider records of `root` from its r closest known nodes (merged, latest expiry kept), and those nodes. */
  async providerRecords(root: string, options: Options = {}): Promise<{ replicas: string[]; providers: ProviderRecord[] }> {
    const key = cidKey(parseCid(root));
    const found = new Map<string, ProviderRecord>();
    const add = (records: readonly ProviderRecord[]): void => {
      for (const r of records) if ((found.get(r.id)?.expiresMs ?? -1) < r.expiresMs) found.set(r.id, r);
    };
    const replicas = this.#knownPreferenceList(key, this.#r);
    await Promise.all(
      replicas.map(async (p) => {
        if (p.id === this.id) return add(this.#init.db.providers(root, this.#init.clock.now(), MAX_PROVIDERS_PER_CID));
        try {
          add((await this.#call(p, 'getProviders', { cid: root }, options.signal, PROVIDERS_DEADLINE_MS)).providers);
        } catch {
          // Unreachable or too slow: the other replicas of the record answer.
        }
      }),
    );
    return { replicas: replicas.map((p) => p.id), providers: [...found.values()] };
  }

  /** Starts providing `root`: its record goes to the r nodes closest to it now, and on every refresh. */
  #provide(root: string, leaves: string[]): void {
    this.#provided.set(root, { leaves, announcedMs: this.#init.clock.now() });
    void this.#announce([root]);
  }

  async #announce(roots: string[]): Promise<void> {
    const byPeer = groupByPeer(roots.flatMap((root) => this.#knownPreferenceList(cidKey(parseCid(root)), this.#r).map((p) => [p, root] as const)));
    await mapLimit(byPeer.values(), this.#concurrency, async ({ peer, cids }) => {
      const request = { cids, id: this.id, address: this.#init.self.address, ttlMs: this.#providerTtlMs };
      try {
        if (peer.id === this.id) await this.handler.addProvider(request, { signal: this.#stop.signal, peer: this.#init.self.address });
        else await this.#call(peer, 'addProvider', request, this.#stop.signal, PROVIDERS_DEADLINE_MS);
        this.#m.announcements.inc({ outcome: 'ok' }, cids.length);
      } catch (err) {
        this.#m.announcements.inc({ outcome: err instanceof PeerweaveError ? err.code.toLowerCase() : 'internal' }, cids.length);
      }
    });
  }

  /** Re-announces what this node still holds blocks of, at half the record lifetime; forgets the rest. */
  #scheduleProviderRefresh(): void {
    if (!this.#running) return;
    this.#providerTimer = this.#init.clock.setTimeout(() => {
      const now = this.#init.clock.now();
      const due: string[] = [];
      for (const [root, p] of this.#provided) {
        if (!p.leaves.some((c) => this.#init.db.getBlock(c) !== undefined) || this.#init.db.getTombstone(root)) {
          this.#provided.delete(root);
          continue;
        }
        if (now - p.announcedMs >= this.#providerTtlMs / 2) {
          p.announcedMs = now;
          due.push(root);
        }
      }
      this.#init.db.expireProviders(now);
      void this.#announce(due).finally(() => this.#scheduleProviderRefresh());
    }, Math.max(1_000, Math.floor(this.#providerTtlMs / 4)));
  }

  /** Roots this node currently announces itself a provider of. */
  provided(): string[] {
    return [...this.#provided.keys()];
  }

  car(cidText: string, options: Options = {}): AsyncIterable<Uint8Array> {
    const cid = parseCid(cidText);
    return exportCar(cid, (c, o) => this.getBlock(c, o), options);
  }

  /** The records this node holds (as a replica, or because it took the upload), by CID. */
  list(options: { limit: number; after?: string }): { objects: ObjectInfo[]; next?: string } {
    const records = this.#init.db.listRecords({ limit: options.limit + 1, ...(options.after ? { after: options.after } : {}) });
    const page = records.slice(0, options.limit).filter((r) => !this.#init.db.getTombstone(r.cid));
    const more = records.length > options.limit;
    return { objects: page.map(toInfo), ...(more ? { next: records[options.limit - 1]!.cid } : {}) };
  }

  /**
   * Deletes an object: a tombstone goes to the replicas of its record and of every block (they
   * drop the object's claim on the block; blocks no longer claimed are collected), and anti-entropy
   * spreads it to any node that missed it. Repair never brings a tombstoned object back.
   */
  async remove(cidText: string, options: Options = {}): Promise<void> {
    const cid = parseCid(cidText);
    const root = cidToString(cid);
    const { record, tombstone } = await this.#fetchRecord(cid, options.signal);
    if (tombstone) return;
    const blocks: CID[] = [];
    try {
      for await (const c of this.#dagCids(cid, options.signal)) blocks.push(c);
    } catch (err) {
      if (!record) throw err instanceof NotFoundError ? new NotFoundError(`object ${root} is not stored here or on its replicas`) : err;
      // The record exists but some inner block is unreachable: tombstone what can be found.
    }
    const t: Tombstone = { cid: root, deletedMs: this.#init.clock.now(), by: this.id };
    this.#applyTombstone(t);
    const targets = new Map<string, PeerContact>();
    for (const key of [cidKey(cid), ...blocks.map((b) => cidKey(b))]) {
      for (const p of this.#knownPreferenceList(key, this.#r + 1)) targets.set(p.id, p);
    }
    for (const p of (await this.#preferenceList(cidKey(cid), options.signal)).slice(0, this.#r)) targets.set(p.id, p);
    // The node that took the upload keeps a copy of the record for its own listing.
    const uploader = record ? this.#init.routing.closestKnown(Buffer.from(record.uploader, 'hex'), 1).find((p) => p.id === record.uploader) : undefined;
    if (uploader) targets.set(uploader.id, uploader);
    targets.delete(this.id);
    await Promise.all([...targets.values()].map((p) => this.#call(p, 'putTombstone', { tombstone: t }, options.signal).catch(() => undefined)));
    this.#log.info({ cid: root, blocks: blocks.length, told: targets.size }, 'object deleted');
  }

  /** Every block CID of a DAG; only inner (dag-pb) nodes are fetched, raw leaves are listed. */
  async *#dagCids(root: CID, signal: AbortSignal | undefined): AsyncIterable<CID> {
    const stack = [root];
    while (stack.length > 0) {
      const cid = stack.pop()!;
      yield cid;
      if (cid.code !== 0x70) continue;
      const bytes = await this.getBlock(cid, signal ? { signal } : {});
      stack.push(...blockLinks(cid, bytes).reverse());
    }
  }

  /** Where the blocks of an object are: their replica set and which nodes hold each. */
  async locate(cidText: string, options: Options = {}): Promise<BlockLocation[]> {
    const cid = parseCid(cidText);
    const cids: CID[] = [];
    for await (const c of this.#dagCids(cid, options.signal)) cids.push(c);
    const rows = cids.map((c) => ({ cid: cidToString(c), order: this.#knownPreferenceList(cidKey(c), this.#r + 2) }));
    const asks = groupByPeer(rows.flatMap(({ cid, order }) => order.map((peer) => [peer, cid] as const)));
    const { held } = await this.#whoHas(asks, options.signal);
    return rows.map(({ cid, order }) => ({
      cid,
      replicas: order.slice(0, this.#r).map((p) => p.id),
      holders: order.filter((p) => held.has(`${p.id}/${cid}`)).map((p) => p.id),
    }));
  }

  /**
   * One HasBlocks per peer (in batches) for every block it is asked about. `held` has
   * `<peer>/<cid>` of the copies found; `lacking` the copies missing on peers that answered;
   * `unreachable` the blocks a peer could not be asked about.
   */
  async #whoHas(
    asks: Map<string, { peer: PeerContact; cids: string[] }>,
    signal: AbortSignal | undefined,
  ): Promise<{ held: Set<string>; lacking: { peer: PeerContact; cid: string }[]; unreachable: Set<string> }> {
    const held = new Set<string>();
    const lacking: { peer: PeerContact; cid: string }[] = [];
    const unreachable = new Set<string>();
    await mapLimit(asks.values(), this.#concurrency, async ({ peer, cids }) => {
      for (let i = 0; i < cids.length; i += HAS_BATCH) {
        const batch = cids.slice(i, i + HAS_BATCH);
        try {
          const have = peer.id === this.id ? batch.map((c) => this.#holds(c)) : (await this.#call(peer, 'hasBlocks', { cids: batch }, signal)).have;
          batch.forEach((c, j) => {
            if (have[j]) held.add(`${peer.id}/${c}`);
            else lacking.push({ peer, cid: c });
          });
        } catch {
          for (const c of batch) unreachable.add(c);
        }
      }
    });
    return { held, lacking, unreachable };
  }

  #holds(cidText: string): boolean {
    const row = this.#init.db.getBlock(cidText);
    return row !== undefined && row.kind !== 'cache';
  }

  // ------------------------------------------------------------------------------------------
  // Serving peers

  #makeHandler(): ContentHandler {
    return {
      putBlock: (request, context) => this.#limited(context.peer, async () => ({ stored: await this.#acceptBlock(request) })),
      getBlock: (request, context) =>
        this.#limited(context.peer, async () => {
          const cid = parseCid(request.cid);
          const data = await this.#init.blocks.get(cid);
          if (data === undefined) return { found: false, data: new Uint8Array(0) };
          this.#init.db.touch(request.cid, this.#init.clock.now());
          this.#m.served.inc();
          this.#m.servedBytes.inc({}, data.length);
          return { found: true, data };
        }),
      addProvider: async (request) => {
        const expiresMs = this.#init.clock.now() + Math.min(request.ttlMs, MAX_PROVIDER_TTL_MS);
        for (const cid of request.cids) {
          parseCid(cid);
          this.#init.db.addProvider({ cid, id: request.id, address: request.address, expiresMs }, MAX_PROVIDERS_PER_CID);
        }
        return { accepted: request.cids.length };
      },
      getProviders: async (request) => {
        parseCid(request.cid);
        return { providers: this.#init.db.providers(request.cid, this.#init.clock.now(), MAX_PROVIDERS_PER_CID) };
      },
      hasBlocks: async (request) => ({ have: request.cids.map((c) => this.#holds(c)) }),
      putRecord: async (request) => ({ stored: this.#acceptRecord(request.record) }),
      getRecord: async (request) => {
        const tombstone = this.#init.db.getTombstone(request.cid);
        if (tombstone) return { tombstone };
        const record = this.#init.db.getRecord(request.cid);
        return record ? { record } : {};
      },
      putTombstone: async (request) => ({ applied: this.#applyTombstone(request.tombstone) }),
      syncDigest: async (request) => ({ digests: rangeDigests(this.#sharedEntries(request.from)) }),
      syncKeys: async (request) => {
        const prefixes = new Set(request.prefixes);
        const keys: string[] = [];
        const tombstones: Tombstone[] = [];
        for (const e of this.#sharedEntries(request.from)) {
          if (!prefixes.has(e.key[0]!)) continue;
          if (e.label.startsWith('t:')) tombstones.push(this.#init.db.getTombstone(e.label.slice(2))!);
          else keys.push(e.label);
        }
        return { keys, tombstones: tombstones.filter(Boolean) };
      },
    };
  }

  /**
   * Runs one block request of `peer` unless it already has the most allowed in flight here: the
   * excess is refused at once with RESOURCE_EXHAUSTED (the swarm shrinks that peer's window and
   * asks others), never queued, so one greedy downloader cannot hold a server's memory.
   */
  async #limited<T>(caller: string, work: () => Promise<T>): Promise<T> {
    // By host: over gRPC `caller` is the connection's source ip:port, and a peer may open several.
    const peer = caller.replace(/:\d+$/, '');
    const n = this.#inFlight.get(peer) ?? 0;
    if (n >= this.#maxRequestsPerPeer) {
      this.#m.refused.inc();
      throw new ResourceExhaustedError(`peer ${peer} already has ${n} block requests in flight here (limit ${this.#maxRequestsPerPeer})`);
    }
    this.#inFlight.set(peer, n + 1);
    try {
      return await work();
    } finally {
      const left = (this.#inFlight.get(peer) ?? 1) - 1;
      if (left <= 0) this.#inFlight.delete(peer);
      else this.#inFlight.set(peer, left);
    }
  }

  /** Stores a block a peer (or this node) sends; false when every object it belongs to is deleted. */
  async #acceptBlock(request: PutBlockRequest): Promise<boolean> {
    const cid = parseCid(request.cid);
    if (!blockMatches(cid, request.data)) {
      this.#m.corrupt.inc({ source: 'peer' });
      throw new CorruptBlockError(`block bytes do not match ${request.cid}`);
    }
    const live = request.roots.filter((r) => !this.#init.db.getTombstone(r));
    if (request.roots.length > 0 && live.length === 0) return false;
    await this.#init.blocks.put(cid, request.data);
    const kind = request.hintFor ? 'hint' : 'replica';
    this.#init.db.addBlock({ cid: cidToString(cid), bytes: request.data.length, roots: live, kind, hintFor: request.hintFor, nowMs: this.#init.clock.now() });
    return true;
  }

  #acceptRecord(record: ObjectRecord): boolean {
    if (!verifyRecord(record)) return false;
    if (this.#init.db.getTombstone(record.cid)) return false;
    if (this.#init.db.putRecord(record)) this.#init.onRecords?.stored(record);
    return true;
  }

  /** Applies a delete: forgets the record, drops the object's claim on blocks, collects orphans. */
  #applyTombstone(t: Tombstone): boolean {
    if (t.deletedMs + this.#tombstoneTtlMs < this.#init.clock.now()) return false;
    const applied = this.#init.db.putTombstone(t);
    if (this.#init.db.deleteRecord(t.cid)) this.#init.onRecords?.removed(t.cid);
    const orphans = this.#init.db.removeRoot(t.cid);
    for (const cid of orphans) void this.#dropBlock(cid);
    return applied;
  }

  async #dropBlock(cidText: string): Promise<void> {
    this.#init.db.removeBlock(cidText);
    this.#verified.delete(cidText);
    try {
      await this.#init.blocks.delete(parseCid(cidText));
    } catch (err) {
      this.#log.debug({ cid: cidText, err: (err as Error).message }, 'deleting a block file failed');
    }
  }

  // ------------------------------------------------------------------------------------------
  // Repair, hand-off, anti-entropy, garbage collection

  #scheduleRepair(delayMs: number): void {
    if (!this.#running) return;
    if (this.#repairTimer) this.#init.clock.clearTimeout(this.#repairTimer);
    this.#repairTimer = this.#init.clock.setTimeout(() => {
      this.#repairTimer = undefined;
      void this.repair()
        .catch((err: unknown) => this.#log.warn({ err: (err as Error).message }, 'repair pass failed'))
        .finally(() => this.#scheduleRepair(this.#repairIntervalMs));
    }, delayMs);
  }

  #scheduleAntiEntropy(delayMs: number): void {
    if (!this.#running) return;
    this.#antiEntropyTimer = this.#init.clock.setTimeout(() => {
      void this.antiEntropy()
        .catch((err: unknown) => this.#log.warn({ err: (err as Error).message }, 'anti-entropy round failed'))
        .finally(() => this.#scheduleAntiEntropy(this.#antiEntropyIntervalMs));
    }, delayMs);
  }

  /**
   * One repair pass over every block this node holds: each replica copy checks that the other
   * replicas of its key have it (only when the replica set changed since it was last found
   * complete) and pushes it where missing; a hint goes back to its node once that node is
   * reachable; a replica copy this node is no longer responsible for is handed to the new replicas
   * and kept only as cache. Concurrent calls share one pass.
   */
  repair(): Promise<RepairReport> {
    if (this.#repairing) {
      this.#repairAgain = true;
      return this.#repairing;
    }
    this.#repairing = this.#repairPass().finally(() => {
      this.#repairing = undefined;
      if (this.#repairAgain && this.#running) {
        this.#repairAgain = false;
        this.#scheduleRepair(0);
      }
    });
    return this.#repairing;
  }

  async #repairPass(): Promise<RepairReport> {
    const signal = this.#stop.signal;
    const report: RepairReport = { checked: 0, pushed: 0, handedBack: 0, backlog: 0 };
    this.#pass++;
    this.#collectGarbage();
    // Which blocks each other replica must be asked about.
    const toAsk: (readonly [PeerContact, string])[] = [];
    const replicaSets = new Map<string, string>();
    const handBack: { row: BlockRow; target: PeerContact; selfIsReplica: boolean }[] = [];
    const demote: string[] = [];
    for (const row of this.#init.db.blocks()) {
      if (row.kind === 'cache') continue;
      if (row.roots.length === 0) continue;
      report.checked++;
      const cid = parseCid(row.cid);
      const replicas = this.#knownPreferenceList(cidKey(cid), this.#r);
      const selfIsReplica = replicas.some((p) => p.id === this.id);
      if (row.kind === 'hint') {
        const target = replicas.find((p) => p.id === row.hintFor);
        if (target) handBack.push({ row, target, selfIsReplica });
        else if (selfIsReplica) this.#init.db.setKind(row.cid, 'replica');
        continue;
      }
      const setKey = replicas.map((p) => p.id).join(',');
      const verified = this.#verified.get(row.cid);
      if (verified && verified.set === setKey && selfIsReplica && this.#pass - verified.pass < REVERIFY_EVERY_PASSES) continue;
      replicaSets.set(row.cid, setKey);
      for (const p of replicas) if (p.id !== this.id) toAsk.push([p, row.cid]);
      if (!selfIsReplica) demote.push(row.cid);
    }
    const { lacking: pushes, unreachable: incomplete } = await this.#whoHas(groupByPeer(toAsk), signal);
    const pushed = await mapLimit(pushes, this.#concurrency, async ({ peer, cid }) => {
      const ok = await this.#pushBlock(peer, cid, '', signal);
      if (!ok) incomplete.add(cid);
      return ok;
    });
    report.pushed = pushed.filter(Boolean).length;
    this.#m.moved.inc({ reason: 'repair' }, report.pushed);
    for (const [cid, setKey] of replicaSets) {
      if (incomplete.has(cid)) continue;
      this.#verified.set(cid, { set: setKey, pass: this.#pass });
    }
    for (const cid of demote) {
      // The new replicas have it now: keep the copy only as evictable cache.
      if (!incomplete.has(cid)) this.#init.db.setKind(cid, 'cache');
    }
    const handed = await mapLimit(handBack, this.#concurrency, async ({ row, target, selfIsReplica }) => {
      if (!(await this.#pushBlock(target, row.cid, '', signal))) return false;
      this.#init.db.setKind(row.cid, selfIsReplica ? 'replica' : 'cache');
      this.#m.handoffs.inc({ event: 'delivered' });
      return true;
    });
    report.handedBack = handed.filter(Boolean).length;
    report.backlog = incomplete.size;
    this.#m.backlog.set(report.backlog);
    if (report.pushed > 0 || report.handedBack > 0 || report.backlog > 0) this.#log.info({ ...report }, 'repair pass');
    await this.#evictCache();
    return report;
  }

  async #pushBlock(peer: PeerContact, cidText: string, hintFor: string, signal: AbortSignal): Promise<boolean> {
    const row = this.#init.db.getBlock(cidText);
    if (!row) return false;
    const data = await this.#init.blocks.get(parseCid(cidText));
    if (data === undefined) {
      // Lost or corrupt on disk: forget it, so repair pulls it from another replica.
      this.#init.db.removeBlock(cidText);
      return false;
    }
    try {
      const { stored } = await this.#call(peer, 'putBlock', { cid: cidText, data, roots: row.roots, hintFor }, signal);
      if (!stored) await this.#learnTombstones(peer, row.roots, signal);
      return stored;
    } catch {
      return false;
    }
  }

  /**
   * A peer refused a block because its objects are deleted: this node missed the delete (it was
   * down). Fetch the tombstones from that peer and apply them, which drops the local copies.
   */
  async #learnTombstones(peer: PeerContact, roots: readonly string[], signal: AbortSignal): Promise<void> {
    for (const root of roots) {
      const { tombstone } = await this.#call(peer, 'getRecord', { cid: root }, signal).catch(() => ({ tombstone: undefined }));
      if (tombstone && tombstone.cid === root) this.#applyTombstone(tombstone);
    }
  }

  /**
   * One anti-entropy round with every neighbour: compare digests of the keys both should hold
   * (and of the tombstones each knows) per range of the key space; for ranges that differ,
   * exchange the lists, push the blocks and tombstones the neighbour lacks and apply the
   * tombstones this node missed. What this node lacks, the neighbour pushes in its own round.
   */
  async antiEntropy(): Promise<{ neighbours: number; ranges: number; pushed: number }> {
    const signal = this.#stop.signal;
    let ranges = 0;
    let pushed = 0;
    const neighbours = this.#init.routing.neighbourhood();
    const index = this.#replicaIndex();
    for (const id of neighbours) {
      if (signal.aborted) break;
      const peer = this.#init.routing.closestKnown(Buffer.from(id, 'hex'), 1).find((p) => p.id === id);
      if (!peer) continue;
      try {
        const entries = this.#sharedEntries(id, index);
        const ours = rangeDigests(entries);
        const { digests } = await this.#call(peer, 'syncDigest', { from: this.id, digests: ours }, signal);
        const differing = differingRanges(ours, digests);
        if (differing.length === 0) continue;
        ranges += differing.length;
        const { keys, tombstones } = await this.#call(peer, 'syncKeys', { from: this.id, prefixes: differing }, signal);
        for (const t of tombstones) this.#applyTombstone(t);
        const theirs = new Set([...keys, ...tombstones.map((t) => `t:${t.cid}`)]);
        const wanted = new Set(differing);
        const missing = entries.filter((e) => wanted.has(e.key[0]!) && !theirs.has(e.label));
        const results = await mapLimit(missing, this.#concurrency, async (e) => {
          if (e.label.startsWith('t:')) {
            const t = this.#init.db.getTombstone(e.label.slice(2));
            if (t) await this.#call(peer, 'putTombstone', { tombstone: t }, signal).catch(() => undefined);
            return false;
          }
          if (this.#init.db.getTombstone(e.label)) return false;
          return this.#pushBlock(peer, e.label, '', signal);
        });
        pushed += results.filter(Boolean).length;
      } catch (err) {
        this.#log.debug({ peer: id.slice(0, 12), err: (err as Error).message }, 'anti-entropy with a neighbour failed');
      }
    }
    this.#m.antiEntropy.inc();
    this.#m.moved.inc({ reason: 'anti_entropy' }, pushed);
    return { neighbours: neighbours.length, ranges, pushed };
  }

  /**
   * Every replica copy this node is responsible for, with the other replicas of its key, and every
   * tombstone it knows (`replicas` undefined: shared with everyone). Built once per anti-entropy
   * round and filtered per neighbour by {@link #sharedEntries}.
   */
  #replicaIndex(): (KeyedEntry & { replicas?: ReadonlySet<string> })[] {
    const index: (KeyedEntry & { replicas?: ReadonlySet<string> })[] = [];
    for (const row of this.#init.db.blocks()) {
      if (row.kind !== 'replica') continue;
      const key = cidKey(parseCid(row.cid));
      const replicas = new Set(this.#knownPreferenceList(key, this.#r).map((p) => p.id));
      if (replicas.has(this.id)) index.push({ key, label: row.cid, replicas });
    }
    for (const t of this.#init.db.tombstones()) index.push({ key: cidKey(parseCid(t.cid)), label: `t:${t.cid}` });
    return index;
  }

  /** Blocks this node holds that `peer` should hold too, and every tombstone this node knows. */
  #sharedEntries(peer: string, index = this.#replicaIndex()): KeyedEntry[] {
    return index.filter((e) => e.replicas === undefined || e.replicas.has(peer));
  }

  /** Expired tombstones go; blocks that no live object claims go (staged uploads become cache). */
  #collectGarbage(): void {
    this.#init.db.expireTombstones(this.#init.clock.now() - this.#tombstoneTtlMs);
    for (const row of this.#init.db.blocks()) {
      if (row.kind === 'cache') continue;
      if (row.roots.length > 0 && row.roots.every((r) => this.#init.db.getTombstone(r))) void this.#dropBlock(row.cid);
    }
  }

  // ------------------------------------------------------------------------------------------

  #call<M extends keyof ContentHandler>(
    peer: PeerContact,
    method: M,
    request: Parameters<ContentHandler[M]>[0],
    signal: AbortSignal | undefined,
    deadlineMs = method === 'hasBlocks' ? Math.min(this.#blockDeadlineMs, QUERY_DEADLINE_MS) : this.#blockDeadlineMs,
  ): Promise<Awaited<ReturnType<ContentHandler[M]>>> {
    const deadline = withDeadline(deadlineMs, { clock: this.#init.clock, ...(signal ? { signal } : {}) });
    return (
      this.#init.transport.request(peer.address, method, request as never, { signal: deadline.signal, deadlineMs }) as Promise<
        Awaited<ReturnType<ContentHandler[M]>>
      >
    ).finally(() => deadline.clear());
  }
}

/** (peer, cid) pairs grouped by peer, in first-seen order. */
function groupByPeer(pairs: Iterable<readonly [PeerContact, string]>): Map<string, { peer: PeerContact; cids: string[] }> {
  const groups = new Map<string, { peer: PeerContact; cids: string[] }>();
  for (const [peer, cid] of pairs) {
    let entry = groups.get(peer.id);
    if (!entry) groups.set(peer.id, (entry = { peer, cids: [] }));
    entry.cids.push(cid);
  }
  return groups;
}

function toInfo(r: ObjectRecord): ObjectInfo {
  return {
    cid: r.cid,
    name: r.name,
    contentType: r.contentType,
    size: r.size,
    blocks: r.blocks,
    keywords: [...r.keywords],
    created: new Date(r.createdMs).toISOString(),
    uploader: r.uploader,
  };
}

function createContentMetrics(metrics: Metrics, init: ContentNodeInit) {
  metrics.gauge({ name: 'peerweave_storage_blocks', help: 'Blocks in the local block store.', collect: () => init.blocks.stats().blocks });
  metrics.gauge({ name: 'peerweave_storage_bytes', help: 'Bytes of blocks in the local block store.', collect: () => init.blocks.stats().bytes });
  metrics.gauge({ name: 'peerweave_storage_cache_bytes', help: 'Bytes of blocks kept only as read cache.', collect: () => init.db.cachedBytes() });
  return {
    puts: metrics.counter({ name: 'peerweave_content_puts_total', help: 'Object uploads by outcome (ok or the error code).', labelNames: ['outcome'] }),
    gets: metrics.counter({ name: 'peerweave_content_gets_total', help: 'Object reads by outcome (ok or the error code).', labelNames: ['outcome'] }),
    fetches: metrics.counter({ name: 'peerweave_content_block_fetches_total', help: 'Blocks read, by where they came from (local, peer, none).', labelNames: ['source'] }),
    served: metrics.counter({ name: 'peerweave_content_blocks_served_total', help: 'Blocks sent to peers that asked for them.' }),
    servedBytes: metrics.counter({ name: 'peerweave_content_served_bytes_total', help: 'Bytes of blocks sent to peers that asked for them.' }),
    refused: metrics.counter({ name: 'peerweave_content_requests_refused_total', help: 'Block requests refused with RESOURCE_EXHAUSTED because the peer had too many in flight here.' }),
    announcements: metrics.counter({ name: 'peerweave_content_provider_announcements_total', help: 'Provider records sent (one per CID and node told), by outcome.', labelNames: ['outcome'] }),
    providersFound: metrics.histogram({ name: 'peerweave_content_providers_found', help: 'Providers besides the replicas found for an object read from many peers.', buckets: [0, 1, 2, 4, 8, 16, 32, 64] }),
    corrupt: metrics.counter({ name: 'peerweave_content_corrupt_blocks_total', help: 'Blocks refused because their bytes did not match their CID, by source.', labelNames: ['source'] }),
    backlog: metrics.gauge({ name: 'peerweave_replication_repair_backlog_blocks', help: 'Blocks whose replica set was found incomplete and could not be completed in the last repair pass.' }),
    handoffs: metrics.counter({ name: 'peerweave_replication_handoffs_total', help: 'Hinted hand-off copies stored for an unreachable replica, and delivered back to it.', labelNames: ['event'] }),
    antiEntropy: metrics.counter({ name: 'peerweave_replication_anti_entropy_rounds_total', help: 'Anti-entropy rounds run with the neighbourhood.' }),
    moved: metrics.counter({ name: 'peerweave_replication_blocks_moved_total', help: 'Blocks copied to restore replicas, by reason (repair, anti_entropy).', labelNames: ['reason'] }),
  };
}
