import { InsufficientReplicasError, NotFoundError, PeerweaveError, silentLogger, throwIfAborted, type AbortOptions, type Clock, type Logger } from '@peerweave/core';
import type { ObjectRecord, PeerContact, PutBlockRequest } from '@peerweave/protocol';
import { cidKey, cidToString, importFile, normaliseKeywords, parseCid, signRecord, type BlockStore, type ContentDb, type RecordSigner } from '@peerweave/storage';
import type { CID } from 'multiformats/cid';
import { outcomeLabel, type ContentMetrics } from './content-metrics.ts';
import type { ContentPeers } from './content-peers.ts';
import type { ContentServer } from './content-server.ts';
import { mapLimit } from './map-limit.ts';
import type { ReadCache } from './read-cache.ts';
import type { RecordLookup } from './record-lookup.ts';
import type { ReplicaSet } from './replica-set.ts';
import type { Tombstones } from './tombstones.ts';

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

export interface WritePathInit {
  self: Pick<PeerContact, 'id'>;
  /** Signs the metadata records of uploads this node takes. */
  identity: RecordSigner;
  db: Pick<ContentDb, 'putRecord'>;
  blocks: Pick<BlockStore, 'get'>;
  clock: Clock;
  replicaSet: Pick<ReplicaSet, 'r' | 'w' | 'preferenceList'>;
  peers: Pick<ContentPeers, 'storeBlock' | 'storeRecord' | 'concurrency'>;
  cache: Pick<ReadCache, 'stage'>;
  /** Stores this node's own copies, as a peer's would be. */
  server: Pick<ContentServer, 'acceptBlock' | 'acceptRecord'>;
  records: Pick<RecordLookup, 'find'>;
  tombstones: Pick<Tombstones, 'expiresMs'>;
  metrics: Pick<ContentMetrics, 'puts' | 'handoffs'>;
  logger?: Logger;
  /** Told when this node starts holding a metadata record (the search index follows it). */
  onRecords?: { stored(record: ObjectRecord): void };
}

/** How one replica took a write. */
type StoreResult = 'stored' | 'refused' | 'failed';

/**
 * Uploads: the stream becomes a UnixFS DAG staged in the read cache, then every block and the
 * signed record go to their r replicas, acknowledged only when each reached w of them (hinted
 * hand-off copies do not count). A replica that does not answer keeps its slot; its copy goes to
 * the next node in the preference list as a hint.
 */
export class WritePath {
  readonly #init: WritePathInit;
  readonly #log: Logger;

  constructor(init: WritePathInit) {
    this.#init = init;
    this.#log = init.logger ?? silentLogger;
  }

  /**
   * Imports `source` as a UnixFS DAG, then writes every block and the signed record to their r
   * replicas, acknowledging only when each reached w. The upload is staged in the local store
   * first (as evictable cache, rooted nowhere), so a client that goes away mid-upload leaves nothing
   * acknowledged, nothing on other nodes and nothing pinned.
   */
  async put(source: AsyncIterable<Uint8Array>, meta: PutMeta, options: AbortOptions & { maxBytes?: number } = {}): Promise<PutOutcome> {
    const { signal } = options;
    const { clock, peers, metrics } = this.#init;
    const staging = this.#init.cache.stage();
    try {
      const now = clock.now();
      const imported = await importFile(source, (cid, bytes) => staging.add(cid, bytes, now), {
        ...(signal ? { signal } : {}),
        ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      });
      const root = cidToString(imported.cid);
      const existing = await this.#init.records.find(imported.cid, signal).catch(() => undefined);
      if (existing?.tombstone && !existing.record) {
        const t = existing.tombstone;
        throw new PeerweaveError(
          'FAILED_PRECONDITION',
          `object ${root} was deleted at ${new Date(t.deletedMs).toISOString()}; it can be stored again once the delete expires (${new Date(this.#init.tombstones.expiresMs(t)).toISOString()})`,
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
      const acks = await mapLimit(imported.blocks, peers.concurrency, async (block) => {
        throwIfAborted(signal);
        const bytes = await this.#init.blocks.get(block.cid);
        if (bytes === undefined) throw new NotFoundError(`staged block ${cidToString(block.cid)} vanished`);
        return this.#replicate(block.cid, bytes, [root], signal);
      });
      const recordAcks = await this.#replicateRecord(record, signal);
      // The node that took the upload remembers the record, so its own listing shows the object.
      if (this.#init.db.putRecord(record)) this.#init.onRecords?.stored(record);
      const replicas = Math.min(recordAcks, ...acks);
      metrics.puts.inc({ outcome: 'ok' });
      this.#log.info({ cid: root, size: imported.size, blocks: imported.blocks.length, replicas }, 'object stored');
      return { cid: root, size: imported.size, blocks: imported.blocks.length, replicas };
    } catch (err) {
      metrics.puts.inc({ outcome: outcomeLabel(err) });
      throw err;
    } finally {
      staging.release();
    }
  }

  /** Writes one block to its replicas; returns how many of the r stored it, or throws below w. */
  async #replicate(cid: CID, bytes: Uint8Array, roots: string[], signal: AbortSignal | undefined): Promise<number> {
    const { replicaSet } = this.#init;
    const cidText = cidToString(cid);
    const order = await replicaSet.preferenceList(cidKey(cid), signal);
    const targets = order.slice(0, replicaSet.r);
    const request: PutBlockRequest = { cid: cidText, data: bytes, roots, hintFor: '' };
    const results = await Promise.all(targets.map((t) => this.#storeAt(t, request, signal)));
    const acks = results.filter((ok) => ok === 'stored').length;
    if (results.includes('refused')) {
      throw new PeerweaveError('FAILED_PRECONDITION', `block ${cidText} was refused: its object is deleted`);
    }
    // Hinted hand-off: a copy for each unreachable replica goes to the next node in the list.
    const spares = order.slice(replicaSet.r);
    for (let i = 0; i < targets.length; i++) {
      if (results[i] !== 'failed') continue;
      while (spares.length > 0) {
        const spare = spares.shift()!;
        if ((await this.#storeAt(spare, { ...request, hintFor: targets[i]!.id }, signal)) === 'stored') {
          this.#init.metrics.handoffs.inc({ event: 'stored' });
          break;
        }
      }
    }
    if (acks < replicaSet.w) {
      throw new InsufficientReplicasError(
        `block ${cidText} reached ${acks} of its ${targets.length} replicas, fewer than the write quorum ${replicaSet.w}; nothing was acknowledged, retry when more peers are up`,
        { details: { cid: cidText, acknowledged: acks, required: replicaSet.w } },
      );
    }
    return acks;
  }

  async #replicateRecord(record: ObjectRecord, signal: AbortSignal | undefined): Promise<number> {
    const { replicaSet, peers, server, self } = this.#init;
    const order = await replicaSet.preferenceList(cidKey(parseCid(record.cid)), signal);
    const targets = order.slice(0, replicaSet.r);
    const results = await Promise.all(
      targets.map(async (t) => {
        try {
          if (t.id === self.id) return server.acceptRecord(record);
          return await peers.storeRecord(t, record, signal);
        } catch (err) {
          this.#log.debug({ peer: t.id.slice(0, 12), err: (err as Error).message }, 'record write failed');
          return false;
        }
      }),
    );
    const acks = results.filter(Boolean).length;
    if (acks < replicaSet.w) {
      throw new InsufficientReplicasError(`the record of ${record.cid} reached ${acks} of its replicas, fewer than the write quorum ${replicaSet.w}`, {
        details: { cid: record.cid, acknowledged: acks, required: replicaSet.w },
      });
    }
    return acks;
  }

  /** This node's own copy is accepted here; another node's goes over the network. */
  async #storeAt(target: PeerContact, request: PutBlockRequest, signal: AbortSignal | undefined): Promise<StoreResult> {
    try {
      if (target.id === this.#init.self.id) return (await this.#init.server.acceptBlock(request)) ? 'stored' : 'refused';
      return (await this.#init.peers.storeBlock(target, request, signal)) ? 'stored' : 'refused';
    } catch (err) {
      if (signal?.aborted) throw err;
      this.#log.debug({ peer: target.id.slice(0, 12), cid: request.cid, err: (err as Error).message }, 'block write failed');
      return 'failed';
    }
  }
}
