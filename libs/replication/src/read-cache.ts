import { silentLogger, type Clock, type Logger } from '@peerweave/core';
import { cidToString, type BlockStore, type ContentDb } from '@peerweave/storage';
import type { CID } from 'multiformats/cid';
import { digestKey, RECENT_READS, RecentReads } from './cache-admission.ts';
import { EVICTION_BATCH, evictionVictims, widenBatch } from './cache-eviction.ts';

/** Bytes of blocks kept because this node read them (not a replica); least recently used go first. */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;
/**
 * How long a block received for an upload still in progress (no roots yet) is spared from
 * eviction, waiting for the PinBlocks that ends the upload. Longer than any upload's pause between
 * sending a block and pinning it; an upload that never ends leaves evictable cache after it.
 */
export const DEFAULT_UPLOAD_LEASE_MS = 10 * 60_000;

export interface ReadCacheInit {
  db: Pick<ContentDb, 'addBlock' | 'cachedBytes' | 'leastRecentlyUsedCache'>;
  blocks: Pick<BlockStore, 'put'>;
  clock: Clock;
  /** Drops a block from the store and the database (Tombstones.drop). */
  drop(cid: string): Promise<void>;
  logger?: Logger;
  /** Default {@link DEFAULT_CACHE_BYTES}; 0 keeps nothing read. */
  cacheBytes?: number;
  /** Default {@link DEFAULT_UPLOAD_LEASE_MS}. */
  uploadLeaseMs?: number;
  /** How many first reads of one-block objects {@link ReadCache.keepIfReadAgain} remembers (default RECENT_READS). */
  recentReads?: number;
}

/**
 * The bounded read cache: blocks this node fetched for a reader are kept as 'cache' rows and the
 * least recently used are evicted past `cacheBytes`. Blocks other nodes' uploads sent here before
 * their root was known are cache too, leased: never evicted before the upload pins them or the
 * lease ends.
 */
export class ReadCache {
  readonly #init: ReadCacheInit;
  readonly #log: Logger;
  readonly #cacheBytes: number;
  /** Blocks of other nodes' uploads in progress, with when their lease ends. */
  readonly #leases = new Map<string, number>();
  readonly #uploadLeaseMs: number;
  readonly #recent: RecentReads;

  constructor(init: ReadCacheInit) {
    this.#init = init;
    this.#log = init.logger ?? silentLogger;
    this.#cacheBytes = init.cacheBytes ?? DEFAULT_CACHE_BYTES;
    this.#uploadLeaseMs = init.uploadLeaseMs ?? DEFAULT_UPLOAD_LEASE_MS;
    this.#recent = new RecentReads(init.recentReads ?? RECENT_READS);
  }

  /** Bytes the cache may hold (PEERWEAVE_CACHE_BYTES). */
  get capacity(): number {
    return this.#cacheBytes;
  }

  /** Spares these blocks (received for an upload in progress) from eviction until their lease ends. */
  lease(cids: readonly string[]): void {
    if (cids.length === 0) return;
    const now = this.#init.clock.now();
    const until = now + this.#uploadLeaseMs;
    for (const cid of cids) this.#leases.set(cid, until);
    // Forget ended leases now and then, so the map stays as small as the uploads in progress.
    if (this.#leases.size > 4 * 1024) for (const [cid, end] of this.#leases) if (end <= now) this.#leases.delete(cid);
  }

  /**
   * Keeps a fetched block as evictable cache; true when it was stored. The bytes were checked
   * against their CID on arrival (the swarm's verify), so they are not hashed again, and a cache
   * copy is never fsynced: losing it in a power cut costs a refetch.
   */
  async keep(cid: CID, data: Uint8Array): Promise<boolean> {
    if (this.#cacheBytes <= 0) return false;
    try {
      await this.#init.blocks.put(cid, data, { verified: true, durable: false });
      this.#init.db.addBlock({ cid: cidToString(cid), bytes: data.length, roots: [], kind: 'cache', nowMs: this.#init.clock.now() });
      await this.evict();
      return true;
    } catch (err) {
      this.#log.debug({ err: (err as Error).message }, 'caching a fetched block failed');
      return false;
    }
  }

  /**
   * A one-block object's block that came with its record (a read through a node that does not
   * replicate it): kept only on its second read among the last `recentReads` such reads, as CDNs
   * admit on the second hit. Every read of such an object asks a read quorum of its replicas for
   * the record anyway, so a cached copy spares only the block's bytes in that answer (and serves
   * it while no replica can be reached); most objects read once through a node are not read there
   * again, and keeping each cost a file, a database row and the eviction of a block that was
   * (measured: ~0.5 of ~4 ms of cluster CPU per 4 KiB read through a non-holder). True when stored.
   */
  async keepIfReadAgain(cid: CID, data: Uint8Array): Promise<boolean> {
    if (this.#cacheBytes <= 0 || !this.#recent.seenBefore(digestKey(cid.multihash.digest))) return false;
    return this.keep(cid, data);
  }

  /** Drops least recently used cache blocks, never leased ones, until the cache fits. */
  async evict(): Promise<void> {
    const { db } = this.#init;
    let over = db.cachedBytes() - this.#cacheBytes;
    let batch = EVICTION_BATCH;
    while (over > 0) {
      const victims = evictionVictims(db.leastRecentlyUsedCache(batch), (cid) => this.isLeased(cid), over);
      if (victims.length === 0) {
        const wider = widenBatch(batch, this.#leases.size);
        if (wider === undefined) return;
        batch = wider;
        continue;
      }
      for (const v of victims) {
        await this.#init.drop(v.cid);
        over -= v.bytes;
      }
    }
  }

  /** True while an upload in progress leased `cid` here (PutBlocks without roots, not pinned yet). */
  isLeased(cid: string): boolean {
    const end = this.#leases.get(cid);
    if (end === undefined) return false;
    if (end > this.#init.clock.now()) return true;
    this.#leases.delete(cid);
    return false;
  }
}
