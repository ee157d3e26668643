import { NotFoundError, silentLogger, throwIfAborted, type AbortOptions, type Clock, type Logger } from '@peerweave/core';
import type { PeerContact } from '@peerweave/protocol';
import { blockMatches, cidKey, cidToString, parseCid, type BlockStore, type ContentDb } from '@peerweave/storage';
import type { CID } from 'multiformats/cid';
import type { ContentMetrics } from './content-metrics.ts';
import type { ContentPeers } from './content-peers.ts';
import type { ReadCache } from './read-cache.ts';
import type { ReplicaSet } from './replica-set.ts';

export interface BlockFetchInit {
  self: Pick<PeerContact, 'id'>;
  db: Pick<ContentDb, 'touch' | 'getBlock'>;
  blocks: Pick<BlockStore, 'get'>;
  clock: Clock;
  replicaSet: Pick<ReplicaSet, 'r' | 'knownPreferenceList' | 'lookupPreferenceList'>;
  peers: Pick<ContentPeers, 'fetchBlock'>;
  cache: Pick<ReadCache, 'keep'>;
  metrics: Pick<ContentMetrics, 'fetches' | 'corrupt'>;
  logger?: Logger;
}

/**
 * Bytes of root blocks that came with their record (RecordLookup) and wait for the read that
 * asked for them: a few small objects' worth; the oldest go first.
 */
const ARRIVED_MAX_BYTES = 4 * 1024 * 1024;

/**
 * One block, wherever it is: the local store, then a block that arrived with its record, then
 * the r + 2 closest known nodes in order, then the nodes a lookup finds. Every block from a peer
 * is checked against its CID (a peer that sends wrong bytes is skipped and counted) and kept in
 * the read cache.
 */
export class BlockFetch {
  readonly #init: BlockFetchInit;
  readonly #log: Logger;
  readonly #arrived = new Map<string, Uint8Array>();
  #arrivedBytes = 0;

  constructor(init: BlockFetchInit) {
    this.#init = init;
    this.#log = init.logger ?? silentLogger;
  }

  async getBlock(cidOrText: CID | string, options: AbortOptions = {}): Promise<Uint8Array> {
    const { db, blocks, clock, replicaSet, metrics } = this.#init;
    const cid = typeof cidOrText === 'string' ? parseCid(cidOrText) : cidOrText;
    const cidText = cidToString(cid);
    // The database knows what is held here (a block's row is written once its file is): asking it
    // first spares a read that fails for every block a non-holder fetches.
    const row = db.getBlock(cidText);
    const local = row === undefined ? undefined : await blocks.get(cid, { sizeHint: row.bytes });
    if (local !== undefined) {
      db.touch(cidText, clock.now());
      metrics.fetches.inc({ source: 'local' });
      return local;
    }
    const arrived = this.#arrived.get(cidText);
    if (arrived !== undefined) {
      this.#forget(cidText, arrived);
      metrics.fetches.inc({ source: 'peer' });
      await this.#init.cache.keep(cid, arrived);
      return arrived;
    }
    const key = cidKey(cid);
    const asked = new Set<string>([this.#init.self.id]);
    let data = await this.#tryFrom(cid, replicaSet.knownPreferenceList(key, replicaSet.r + 2), asked, options.signal);
    if (data === undefined) {
      const found = await replicaSet.lookupPreferenceList(key, replicaSet.r + 2, options.signal);
      data = await this.#tryFrom(cid, found, asked, options.signal);
    }
    if (data === undefined) {
      metrics.fetches.inc({ source: 'none' });
      throw new NotFoundError(`no reachable node holds block ${cidText}`);
    }
    metrics.fetches.inc({ source: 'peer' });
    await this.#init.cache.keep(cid, data);
    return data;
  }

  /**
   * A block a peer sent with its record, already checked against `cid`: the next getBlock of it
   * takes it from here (and caches it, as any fetched block) instead of asking a peer again.
   */
  offer(cid: CID, data: Uint8Array): void {
    const key = cidToString(cid);
    if (this.#arrived.has(key) || data.length > ARRIVED_MAX_BYTES) return;
    this.#arrived.set(key, data);
    this.#arrivedBytes += data.length;
    for (const [oldest, bytes] of this.#arrived) {
      if (this.#arrivedBytes <= ARRIVED_MAX_BYTES) break;
      this.#forget(oldest, bytes);
    }
  }

  #forget(key: string, bytes: Uint8Array): void {
    this.#arrived.delete(key);
    this.#arrivedBytes -= bytes.length;
  }

  /** The first verified copy from `candidates` not asked yet, in order. */
  async #tryFrom(cid: CID, candidates: readonly PeerContact[], asked: Set<string>, signal: AbortSignal | undefined): Promise<Uint8Array | undefined> {
    const cidText = cidToString(cid);
    for (const peer of candidates) {
      if (asked.has(peer.id)) continue;
      asked.add(peer.id);
      throwIfAborted(signal);
      try {
        const data = await this.#init.peers.fetchBlock(peer, cidText, signal);
        if (data === undefined) continue;
        if (!blockMatches(cid, data)) {
          this.#init.metrics.corrupt.inc({ source: 'peer' });
          this.#log.warn({ peer: peer.id.slice(0, 12), cid: cidText }, 'peer sent a block that does not match its CID');
          continue;
        }
        return data;
      } catch (err) {
        if (signal?.aborted) throw err;
      }
    }
    return undefined;
  }
}
