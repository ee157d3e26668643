import { CorruptBlockError, PeerweaveError, ResourceExhaustedError, type Clock, type ObjectRecord } from '@peerweave/core';
import type { BlockPut, BlockPutAck, ContentHandler, PutBlockRequest } from '@peerweave/protocol';
import { blockMatches, cidToString, parseCid, verifyRecord, type AddBlockRow, type BlockRow, type BlockStore, type ContentDb } from '@peerweave/storage';
import type { CID } from 'multiformats/cid';
import type { AntiEntropy } from './anti-entropy.ts';
import type { ContentMetrics } from './content-metrics.ts';
import type { Providers } from './providers.ts';
import { liveRoots } from './tombstone-rules.ts';
import type { Tombstones } from './tombstones.ts';

/** Block requests (GetBlock, PutBlock) one peer may have in flight here; more are refused. */
export const DEFAULT_MAX_REQUESTS_PER_PEER = 32;

export interface ContentServerInit {
  db: Pick<ContentDb, 'getBlock' | 'addBlock' | 'addBlocks' | 'touch' | 'getTombstone' | 'getRecord' | 'putRecord' | 'removeRoot' | 'setKind' | 'transaction'>;
  blocks: Pick<BlockStore, 'get' | 'put' | 'putMany'>;
  /**
   * Blocks that arrive with no roots belong to an upload still in progress (its root is not known
   * until its last byte): they are kept as cache, protected from eviction for a while, and pinned
   * by the PinBlocks that ends the upload. An upload that never ends leaves only evictable cache.
   */
  lease(cids: readonly string[]): void;
  clock: Clock;
  metrics: Pick<ContentMetrics, 'served' | 'servedBytes' | 'refused' | 'corrupt'>;
  tombstones: Pick<Tombstones, 'apply'>;
  sync: Pick<AntiEntropy, 'digestFor' | 'keysFor'>;
  providers: Pick<Providers, 'accept' | 'recordsFor'>;
  /** Told when this node starts holding a metadata record (the search index follows it). */
  onRecords?: { stored(record: ObjectRecord): void };
  /** Default {@link DEFAULT_MAX_REQUESTS_PER_PEER}. */
  maxRequestsPerPeer?: number;
}

/** True when a block row is a copy this node answers HasBlocks for: a replica or a hint, not cache. */
export function holdsCopy(row: Pick<BlockRow, 'kind'> | undefined): boolean {
  return row !== undefined && row.kind !== 'cache';
}

/** The host of a caller's address: over gRPC the source ip:port, and a peer may open several connections. */
export function callerHost(caller: string): string {
  return caller.replace(/:\d+$/, '');
}

/**
 * The serving side of content: what this node does when a peer calls it. Block requests are
 * limited per calling host. Serving a block ({@link serveBlock}) and accepting one
 * ({@link acceptBlock}: hash check, tombstone check, store, row) happen here only, for peers and
 * for this node's own writes alike, whatever carries the bytes (unary calls today, streams next).
 */
export class ContentServer {
  readonly handler: ContentHandler;
  readonly #init: ContentServerInit;
  readonly #maxRequestsPerPeer: number;
  /** Block requests in flight here, per calling host. */
  readonly #inFlight = new Map<string, number>();

  constructor(init: ContentServerInit) {
    this.#init = init;
    this.#maxRequestsPerPeer = init.maxRequestsPerPeer ?? DEFAULT_MAX_REQUESTS_PER_PEER;
    this.handler = this.#makeHandler();
  }

  /**
   * Stores a block a peer (or this node) sends; false when every object it belongs to is deleted.
   * Throws CORRUPT_BLOCK on bytes that do not match, unless `verified` (this node's own upload,
   * hashed once by the importer). A block with no roots is an upload in progress: kept as leased
   * cache until its upload pins it. With `record` (the root block of a small object carries its
   * record: one PutBlock writes the object), true only if the record is stored too (as
   * {@link acceptRecord}); a record that does not verify or whose object is deleted leaves the
   * block stored.
   */
  async acceptBlock(request: PutBlockRequest, options: { verified?: boolean; record?: ObjectRecord } = {}): Promise<boolean> {
    const { db, blocks, clock } = this.#init;
    const cid = parseCid(request.cid);
    if (!options.verified) this.#verify(cid, request.cid, request.data);
    const row = this.#row(request, cidToString(cid), clock.now());
    if (row === undefined) return false;
    // Checked before the block is stored, so that once it is durable its row and the record
    // go in with one commit.
    const record = options.record !== undefined && verifyRecord(options.record) ? options.record : undefined;
    // Group commit: concurrent single-block writes (this node's own copies during a put, unary
    // PutBlocks) share one commit-log sync instead of an fsync each.
    await blocks.putMany([{ cid, bytes: request.data }], { verified: true });
    const { kept, isNew } = db.transaction(() => {
      db.addBlock(row);
      return record === undefined ? { kept: false, isNew: false } : this.#storeRecord(record);
    });
    if (row.kind === 'cache') this.#init.lease([row.cid]);
    if (isNew && record !== undefined) this.#init.onRecords?.stored(record);
    return options.record === undefined || kept;
  }

  /**
   * The blocks of one write-stream batch: each checked against its CID once, the good ones made
   * durable together (one commit-log sync for the batch, BlockStore.putMany) and recorded in one
   * transaction, then acknowledged — never before the sync. A block that does not match gets
   * CORRUPT_BLOCK and is never stored; one whose objects are all deleted is refused (stored false).
   */
  async acceptBlocks(puts: readonly BlockPut[]): Promise<BlockPutAck[]> {
    const { db, blocks, clock } = this.#init;
    const now = clock.now();
    const acks: BlockPutAck[] = new Array(puts.length);
    const entries: { cid: CID; bytes: Uint8Array }[] = [];
    const rows: AddBlockRow[] = [];
    const accepted: number[] = [];
    puts.forEach((put, i) => {
      try {
        const cid = parseCid(put.cid);
        this.#verify(cid, put.cid, put.data);
        const row = this.#row(put, cidToString(cid), now);
        if (row === undefined) {
          acks[i] = { cid: put.cid, stored: false, error: '', message: '' };
          return;
        }
        entries.push({ cid, bytes: put.data });
        rows.push(row);
        accepted.push(i);
      } catch (err) {
        const code = err instanceof PeerweaveError ? err.code : 'INTERNAL';
        acks[i] = { cid: put.cid, stored: false, error: code, message: err instanceof PeerweaveError ? err.message : 'internal error' };
      }
    });
    if (entries.length > 0) {
      await blocks.putMany(entries, { verified: true });
      db.addBlocks(rows);
      this.#init.lease(rows.filter((r) => r.kind === 'cache').map((r) => r.cid));
    }
    for (const i of accepted) acks[i] = { cid: puts[i]!.cid, stored: true, error: '', message: '' };
    return acks;
  }

  #verify(cid: CID, text: string, data: Uint8Array): void {
    if (!blockMatches(cid, data)) {
      this.#init.metrics.corrupt.inc({ source: 'peer' });
      throw new CorruptBlockError(`block bytes do not match ${text}`);
    }
  }

  /** The row a received block becomes, or undefined when every root it names is deleted. */
  #row(put: Pick<BlockPut, 'data' | 'roots' | 'hintFor'>, cid: string, nowMs: number): AddBlockRow | undefined {
    const { refused, live } = liveRoots(put.roots, (root) => this.#init.db.getTombstone(root) !== undefined);
    if (refused) return undefined;
    const kind = put.roots.length === 0 ? 'cache' : put.hintFor ? 'hint' : 'replica';
    return { cid, bytes: put.data.length, roots: live, kind, ...(kind === 'hint' ? { hintFor: put.hintFor } : {}), nowMs };
  }

  /**
   * Ends an upload here: blocks it sent earlier with no roots (leased cache) become replicas or
   * hints of `root`, in one transaction. False for a block no longer held (evicted, never
   * arrived), and for all of them when the object is deleted.
   */
  pin(root: string, blocks: readonly { cid: string; hintFor: string }[]): boolean[] {
    const { db, clock } = this.#init;
    if (db.getTombstone(root)) return blocks.map(() => false);
    const now = clock.now();
    const rows: AddBlockRow[] = [];
    const pinned = blocks.map(({ cid, hintFor }) => {
      const row = db.getBlock(cid);
      if (row === undefined) return false;
      rows.push({ cid, bytes: row.bytes, roots: [root], kind: hintFor ? 'hint' : 'replica', ...(hintFor ? { hintFor } : {}), nowMs: now });
      return true;
    });
    db.addBlocks(rows);
    return pinned;
  }

  /**
   * Undoes {@link pin} for an upload that failed after pinning: `root` no longer claims these
   * blocks, and those no other object claims become evictable cache. Nothing is released when
   * this node holds the object's record: then the object exists (stored before, or this upload's
   * record arrived) and its blocks stay.
   */
  release(root: string, blocks: readonly { cid: string }[]): boolean[] {
    const { db } = this.#init;
    if (db.getRecord(root)) return blocks.map(() => false);
    const orphans = new Set(db.removeRoot(root));
    for (const cid of orphans) db.setKind(cid, 'cache');
    return blocks.map((b) => orphans.has(b.cid));
  }

  /** Stores a signed record unless it does not verify or its object is deleted. */
  acceptRecord(record: ObjectRecord): boolean {
    if (!verifyRecord(record)) return false;
    const { kept, isNew } = this.#storeRecord(record);
    if (isNew) this.#init.onRecords?.stored(record);
    return kept;
  }

  /** A verified record into the database unless its object is deleted: kept, and whether it is new here. */
  #storeRecord(record: ObjectRecord): { kept: boolean; isNew: boolean } {
    const { db } = this.#init;
    if (db.getTombstone(record.cid)) return { kept: false, isNew: false };
    return { kept: true, isNew: db.putRecord(record) };
  }

  /** The bytes of a block held here, for a peer that asked (counted, and marked used for the cache LRU); undefined when not held. */
  async serveBlock(cid: string): Promise<Uint8Array | undefined> {
    const { db, blocks, clock, metrics } = this.#init;
    // Not hashed again: the asker checks every block against its CID on arrival (Kubo's
    // HashOnRead=false); this node's own reads (BlockFetch) still verify what they take from disk.
    // The database knows what is held here: a block without a row is not read from disk (a
    // failed open per block asked of a non-holder), and the row's size lets a small one be read
    // with one synchronous call.
    const row = db.getBlock(cid);
    if (row === undefined) return undefined;
    const data = await blocks.get(parseCid(cid), { verify: false, sizeHint: row.bytes });
    if (data === undefined) return undefined;
    // Access times order the cache's eviction, and only cache blocks are evicted: serving a
    // replica's or a hint's block writes nothing (it was an UPDATE, a write transaction, per block
    // served to a reader). A block demoted to cache later keeps the access time it had.
    if (row.kind === 'cache') db.touch(cid, clock.now());
    metrics.served.inc();
    metrics.servedBytes.inc({}, data.length);
    return data;
  }

  /** True when this node holds `cid` as a replica or hint. */
  holds(cid: string): boolean {
    return holdsCopy(this.#init.db.getBlock(cid));
  }

  #makeHandler(): ContentHandler {
    const { db, tombstones, sync, providers } = this.#init;
    return {
      putBlock: (request, context) =>
        this.#limited(context.peer, async () => {
          // The root block of an object may carry its record: one call writes a small object.
          const stored = await this.acceptBlock(request, request.record === undefined ? {} : { record: request.record });
          return { stored };
        }),
      pinBlocks: async (request) => ({ pinned: request.release ? this.release(request.root, request.blocks) : this.pin(request.root, request.blocks) }),
      // A read stream's blocks count against the same per-host limit as unary GetBlock (excess is
      // answered with a RESOURCE_EXHAUSTED frame for that block); writes are bounded per stream by
      // the protocol lib's queue.
      readBlock: (cid, context) => this.#limited(context.peer, () => this.serveBlock(cid)),
      writeBlocks: (puts) => this.acceptBlocks(puts),
      getBlock: (request, context) =>
        this.#limited(context.peer, async () => {
          const data = await this.serveBlock(request.cid);
          return data === undefined ? { found: false, data: new Uint8Array(0) } : { found: true, data };
        }),
      addProvider: async (request) => providers.accept(request),
      getProviders: async (request) => ({ providers: providers.recordsFor(request.cid) }),
      hasBlocks: async (request) => ({ have: request.cids.map((c) => this.holds(c)) }),
      putRecord: async (request) => ({ stored: this.acceptRecord(request.record) }),
      getRecord: async (request, context) => {
        const tombstone = db.getTombstone(request.cid);
        if (tombstone) return { tombstone };
        const record = db.getRecord(request.cid);
        if (!record) return {};
        const max = request.rootBlockMaxBytes ?? 0;
        // A small object's only block rides along, so its reader needs no GetBlock. It counts
        // against the caller's block limit like one; over the limit it is just left out.
        if (max <= 0 || record.blocks !== 1 || record.size > max) return { record };
        const rootBlock = await this.#limited(context.peer, () => this.serveBlock(request.cid)).catch(() => undefined);
        return rootBlock !== undefined && rootBlock.length <= max ? { record, rootBlock } : { record };
      },
      putTombstone: async (request) => ({ applied: tombstones.apply(request.tombstone) }),
      syncDigest: async (request) => ({ digests: sync.digestFor(request.from) }),
      syncKeys: async (request) => sync.keysFor(request.from, request.prefixes),
    };
  }

  /**
   * Runs one block request of `caller` unless its host already has the most allowed in flight
   * here: the excess is refused at once with RESOURCE_EXHAUSTED (the swarm shrinks that peer's
   * window and asks others), never queued, so one greedy downloader cannot hold a server's memory.
   */
  async #limited<T>(caller: string, work: () => Promise<T>): Promise<T> {
    const peer = callerHost(caller);
    const n = this.#inFlight.get(peer) ?? 0;
    if (n >= this.#maxRequestsPerPeer) {
      this.#init.metrics.refused.inc();
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
}
