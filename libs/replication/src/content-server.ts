import { CorruptBlockError, ResourceExhaustedError, type Clock } from '@peerweave/core';
import type { ContentHandler, ObjectRecord, PutBlockRequest } from '@peerweave/protocol';
import { blockMatches, cidToString, parseCid, verifyRecord, type BlockRow, type BlockStore, type ContentDb } from '@peerweave/storage';
import type { AntiEntropy } from './anti-entropy.ts';
import type { ContentMetrics } from './content-metrics.ts';
import type { Providers } from './providers.ts';
import { liveRoots } from './tombstone-rules.ts';
import type { Tombstones } from './tombstones.ts';

/** Block requests (GetBlock, PutBlock) one peer may have in flight here; more are refused. */
export const DEFAULT_MAX_REQUESTS_PER_PEER = 32;

export interface ContentServerInit {
  db: Pick<ContentDb, 'getBlock' | 'addBlock' | 'touch' | 'getTombstone' | 'getRecord' | 'putRecord'>;
  blocks: Pick<BlockStore, 'get' | 'put'>;
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

  /** Stores a block a peer (or this node) sends; false when every object it belongs to is deleted. Throws CORRUPT_BLOCK on bytes that do not match. */
  async acceptBlock(request: PutBlockRequest): Promise<boolean> {
    const { db, blocks, clock, metrics } = this.#init;
    const cid = parseCid(request.cid);
    if (!blockMatches(cid, request.data)) {
      metrics.corrupt.inc({ source: 'peer' });
      throw new CorruptBlockError(`block bytes do not match ${request.cid}`);
    }
    const { refused, live } = liveRoots(request.roots, (root) => db.getTombstone(root) !== undefined);
    if (refused) return false;
    await blocks.put(cid, request.data);
    const kind = request.hintFor ? 'hint' : 'replica';
    db.addBlock({ cid: cidToString(cid), bytes: request.data.length, roots: live, kind, hintFor: request.hintFor, nowMs: clock.now() });
    return true;
  }

  /** Stores a signed record unless it does not verify or its object is deleted. */
  acceptRecord(record: ObjectRecord): boolean {
    const { db } = this.#init;
    if (!verifyRecord(record)) return false;
    if (db.getTombstone(record.cid)) return false;
    if (db.putRecord(record)) this.#init.onRecords?.stored(record);
    return true;
  }

  /** The bytes of a block held here, for a peer that asked (counted, and marked used for the cache LRU); undefined when not held. */
  async serveBlock(cid: string): Promise<Uint8Array | undefined> {
    const { db, blocks, clock, metrics } = this.#init;
    const data = await blocks.get(parseCid(cid));
    if (data === undefined) return undefined;
    db.touch(cid, clock.now());
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
      putBlock: (request, context) => this.#limited(context.peer, async () => ({ stored: await this.acceptBlock(request) })),
      getBlock: (request, context) =>
        this.#limited(context.peer, async () => {
          const data = await this.serveBlock(request.cid);
          return data === undefined ? { found: false, data: new Uint8Array(0) } : { found: true, data };
        }),
      addProvider: async (request) => providers.accept(request),
      getProviders: async (request) => ({ providers: providers.recordsFor(request.cid) }),
      hasBlocks: async (request) => ({ have: request.cids.map((c) => this.holds(c)) }),
      putRecord: async (request) => ({ stored: this.acceptRecord(request.record) }),
      getRecord: async (request) => {
        const tombstone = db.getTombstone(request.cid);
        if (tombstone) return { tombstone };
        const record = db.getRecord(request.cid);
        return record ? { record } : {};
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
