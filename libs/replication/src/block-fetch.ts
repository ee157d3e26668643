import { NotFoundError, silentLogger, toAbortError, type AbortOptions, type Clock, type Logger, type TimerHandle } from '@peerweave/core';
import type { PeerContact } from '@peerweave/protocol';
import { blockMatches, cidKey, cidToString, parseCid, type BlockStore, type ContentDb } from '@peerweave/storage';
import type { CID } from 'multiformats/cid';
import type { ContentMetrics } from './content-metrics.ts';
import type { ContentPeers } from './content-peers.ts';
import type { ReadCache } from './read-cache.ts';
import { SPECULATIVE_RETRY_MS } from './record-lookup.ts';
import type { ReplicaSet } from './replica-set.ts';

export interface BlockFetchInit {
  self: Pick<PeerContact, 'id'>;
  db: Pick<ContentDb, 'touch' | 'getBlock'>;
  blocks: Pick<BlockStore, 'get'>;
  clock: Clock;
  replicaSet: Pick<ReplicaSet, 'r' | 'knownPreferenceList' | 'lookupPreferenceList'>;
  peers: Pick<ContentPeers, 'fetchBlock'>;
  cache: Pick<ReadCache, 'keep' | 'keepIfReadAgain'>;
  metrics: Pick<ContentMetrics, 'fetches' | 'corrupt'>;
  logger?: Logger;
  /** A node asked that has not answered after this long gets company (default SPECULATIVE_RETRY_MS). */
  speculativeRetryMs?: number;
}

/**
 * Bytes of root blocks that came with their record (RecordLookup) and wait for the read that
 * asked for them: a few small objects' worth; the oldest go first.
 */
const ARRIVED_MAX_BYTES = 4 * 1024 * 1024;

/**
 * One block, wherever it is: a block that arrived with its record, the local store, then the
 * r + 2 closest known nodes in order, then the nodes a lookup finds. Every block from a peer is
 * checked against its CID (a peer that sends wrong bytes is skipped and counted) and kept in the
 * read cache (one that came with its record on its second read: ReadCache.keepIfReadAgain). A node that fails is followed by the next at once, and one that stays silent for
 * the speculative retry delay by the next too, without giving up on it (as the record's read does):
 * a node across a partition holds a read for that delay, not for the block deadline.
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
    // A block that came with its record is in memory and checked already; it is asked for only
    // when not held here (RecordLookup), so taking it first spares the database a lookup.
    const arrived = this.#arrived.get(cidText);
    if (arrived !== undefined) {
      this.#forget(cidText, arrived);
      metrics.fetches.inc({ source: 'peer' });
      await this.#init.cache.keepIfReadAgain(cid, arrived);
      return arrived;
    }
    // The database knows what is held here (a block's row is written once its file is): asking it
    // first spares a read that fails for every block a non-holder fetches.
    const row = db.getBlock(cidText);
    const local = row === undefined ? undefined : await blocks.get(cid, { sizeHint: row.bytes });
    if (local !== undefined) {
      // Only cache blocks are evicted by access time (ContentServer.serveBlock).
      if (row!.kind === 'cache') db.touch(cidText, clock.now());
      metrics.fetches.inc({ source: 'local' });
      return local;
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
   * takes it from here (and caches it if it was read lately: ReadCache.keepIfReadAgain) instead
   * of asking a peer again.
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

  /**
   * The first verified copy from `candidates` not asked yet, in order: the next is asked when one
   * fails, lacks it or lies, and when the calls in flight stay silent for the speculative delay.
   * The calls still in flight when a copy arrives are cancelled.
   */
  async #tryFrom(cid: CID, candidates: readonly PeerContact[], asked: Set<string>, signal: AbortSignal | undefined): Promise<Uint8Array | undefined> {
    const cidText = cidToString(cid);
    const queue = candidates.filter((p) => !asked.has(p.id));
    const { clock, peers, metrics } = this.#init;
    const retryMs = this.#init.speculativeRetryMs ?? SPECULATIVE_RETRY_MS;
    const losers = new AbortController();
    const callSignal = signal ? AbortSignal.any([signal, losers.signal]) : losers.signal;
    return new Promise<Uint8Array | undefined>((resolve, reject) => {
      let inFlight = 0;
      let done = false;
      let timer: TimerHandle | undefined;
      const end = (outcome: () => void): void => {
        done = true;
        if (timer !== undefined) clock.clearTimeout(timer);
        losers.abort();
        outcome();
      };
      const next = (): void => {
        if (timer !== undefined) clock.clearTimeout(timer);
        timer = undefined;
        if (done) return;
        if (signal?.aborted) return end(() => reject(toAbortError(signal)));
        const peer = queue.shift();
        if (peer === undefined) {
          if (inFlight === 0) end(() => resolve(undefined));
          return;
        }
        asked.add(peer.id);
        inFlight++;
        timer = clock.setTimeout(next, retryMs);
        peers.fetchBlock(peer, cidText, callSignal).then(
          (data) => {
            inFlight--;
            if (done) return;
            if (data !== undefined && blockMatches(cid, data)) return end(() => resolve(data));
            if (data !== undefined) {
              metrics.corrupt.inc({ source: 'peer' });
              this.#log.warn({ peer: peer.id.slice(0, 12), cid: cidText }, 'peer sent a block that does not match its CID');
            }
            next();
          },
          (err: unknown) => {
            inFlight--;
            if (done) return;
            if (signal?.aborted) return end(() => reject(err));
            next();
          },
        );
      };
      next();
    });
  }
}
