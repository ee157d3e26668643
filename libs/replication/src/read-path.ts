import { NotFoundError, PeerweaveError, type AbortOptions } from '@peerweave/core';
import { blockLinks, CHUNK_SIZE, cidKey, cidToString, DAG_PB_CODE, exportCar, exportFile, parseCid, statObject, walkFileLeaves, type ContentDb, type FileLeaf } from '@peerweave/storage';
import type { CID } from 'multiformats/cid';
import type { BlockFetch } from './block-fetch.ts';
import { outcomeLabel, type ContentMetrics } from './content-metrics.ts';
import { groupByPeer, type ContentPeers } from './content-peers.ts';
import { dagInfo, toInfo, type ObjectInfo } from './object-info.ts';
import type { RecordLookup } from './record-lookup.ts';
import type { ReplicaSet } from './replica-set.ts';
import type { SwarmRead } from './swarm-read.ts';

export interface BlockLocation {
  cid: string;
  /** The r nodes that should hold it, as this node sees the network. */
  replicas: string[];
  /** The nodes asked that hold it (replicas and stand-ins). */
  holders: string[];
}

/** The largest object whose block is asked for with its record (one UnixFS chunk). */
export const READ_WITH_RECORD_MAX_BYTES = CHUNK_SIZE;

export interface StatOptions extends AbortOptions {
  /** The object's bytes are read next: ask for a small object's block with its record. */
  withData?: boolean;
}

export interface ReadPathInit {
  db: Pick<ContentDb, 'getTombstone' | 'listRecords'>;
  replicaSet: Pick<ReplicaSet, 'r' | 'knownPreferenceList'>;
  peers: Pick<ContentPeers, 'whoHas'>;
  fetch: Pick<BlockFetch, 'getBlock' | 'offer'>;
  swarm: Pick<SwarmRead, 'read'>;
  records: Pick<RecordLookup, 'find'>;
  metrics: Pick<ContentMetrics, 'gets'>;
}

/**
 * Reads of whole objects: their bytes (a range of them), what they are (stat, list), their CAR,
 * every block CID of their DAG, and where their blocks are.
 */
export class ReadPath {
  readonly #init: ReadPathInit;

  constructor(init: ReadPathInit) {
    this.#init = init;
  }

  /**
   * Streams the object's bytes (a range of them). The leaves are named by the inner nodes as the
   * walk reaches them and swarmed from every node that should hold them at once (SwarmRead), so a
   * read holds the same memory whatever the file's size. Objects of one block, and files whose
   * leaves are not raw blocks, are read block by block through the UnixFS exporter; a file whose
   * walk meets such a node part way is swarmed up to it and exported from there.
   */
  async *read(cidText: string, range: { offset: number; length: number } | undefined, options: AbortOptions = {}): AsyncIterable<Uint8Array> {
    const cid = parseCid(cidText);
    if (this.#init.db.getTombstone(cidToString(cid))) throw new NotFoundError(`object ${cidToString(cid)} was deleted`);
    const get = (c: CID, o: AbortOptions): Promise<Uint8Array> => this.#init.fetch.getBlock(c, o);
    const signal = options.signal ? { signal: options.signal } : {};
    try {
      const walk = cid.code === DAG_PB_CODE ? walkFileLeaves(cid, get, { ...range, ...signal }) : undefined;
      // The first two leaves decide: fewer is a one-block object (or not raw leaves), read whole.
      const head: FileLeaf[] = [];
      try {
        while (walk !== undefined && head.length < 2) {
          const next = await walk.next();
          if (next.done === true) break;
          head.push(next.value);
        }
      } catch (err) {
        if (!notRawLeaves(err)) throw err;
        head.length = 0;
      }
      if (head.length < 2) {
        await walk?.return(undefined);
        yield* exportFile(cid, get, { ...range, ...signal });
      } else {
        // Where the raw leaves stopped, if a node further on keeps its bytes in dag-pb leaves.
        let exportFrom: number | undefined;
        const leaves = async function* (): AsyncGenerator<FileLeaf> {
          yield* head;
          let last = head[head.length - 1]!;
          try {
            for await (const leaf of walk!) yield (last = leaf);
          } catch (err) {
            if (!notRawLeaves(err)) throw err;
            exportFrom = last.offset + last.size;
          }
        };
        yield* this.#init.swarm.read(cidToString(cid), leaves(), range, options.signal);
        if (exportFrom !== undefined) {
          const end = range === undefined ? undefined : range.offset + range.length;
          yield* exportFile(cid, get, { offset: exportFrom, ...(end === undefined ? {} : { length: end - exportFrom }), ...signal });
        }
      }
      this.#init.metrics.gets.inc({ outcome: 'ok' });
    } catch (err) {
      this.#init.metrics.gets.inc({ outcome: outcomeLabel(err) });
      throw err;
    }
  }

  /**
   * What a user sees of an object: its record, or what the DAG tells when there is none. With
   * `withData` (a read of the bytes follows), a small object's block comes with its record from
   * the replica asked first and waits in BlockFetch for that read: one call fewer (not when the
   * block is held here: RecordLookup).
   */
  async stat(cidText: string, options: StatOptions = {}): Promise<ObjectInfo> {
    const cid = parseCid(cidText);
    const canonical = cidToString(cid);
    const { record, tombstone, rootBlock } = await this.#init.records.find(cid, options.signal, options.withData ? { rootBlockMaxBytes: READ_WITH_RECORD_MAX_BYTES } : {});
    if (tombstone) throw new NotFoundError(`object ${canonical} was deleted`);
    if (rootBlock !== undefined) this.#init.fetch.offer(cid, rootBlock);
    if (record) return toInfo(record);
    const { size, blocks } = await statObject(cid, (c, o) => this.#init.fetch.getBlock(c, o), options);
    return dagInfo(canonical, size, blocks);
  }

  car(cidText: string, options: AbortOptions = {}): AsyncIterable<Uint8Array> {
    return exportCar(parseCid(cidText), (c, o) => this.#init.fetch.getBlock(c, o), options);
  }

  /** The records this node holds (as a replica, or because it took the upload), by CID. */
  list(options: { limit: number; after?: string }): { objects: ObjectInfo[]; next?: string } {
    const { db } = this.#init;
    const records = db.listRecords({ limit: options.limit + 1, ...(options.after ? { after: options.after } : {}) });
    const page = records.slice(0, options.limit).filter((r) => !db.getTombstone(r.cid));
    const more = records.length > options.limit;
    return { objects: page.map(toInfo), ...(more ? { next: records[options.limit - 1]!.cid } : {}) };
  }

  /** Every block CID of a DAG; only inner (dag-pb) nodes are fetched, raw leaves are listed. */
  async *dagCids(root: CID, signal: AbortSignal | undefined): AsyncIterable<CID> {
    const stack = [root];
    while (stack.length > 0) {
      const cid = stack.pop()!;
      yield cid;
      if (cid.code !== DAG_PB_CODE) continue;
      const bytes = await this.#init.fetch.getBlock(cid, signal ? { signal } : {});
      stack.push(...blockLinks(cid, bytes).reverse());
    }
  }

  /** Where the blocks of an object are: their replica set and which of the r + 2 closest known nodes hold each. */
  async locate(cidText: string, options: AbortOptions = {}): Promise<BlockLocation[]> {
    const { replicaSet } = this.#init;
    const cids: CID[] = [];
    for await (const c of this.dagCids(parseCid(cidText), options.signal)) cids.push(c);
    const rows = cids.map((c) => ({ cid: cidToString(c), order: replicaSet.knownPreferenceList(cidKey(c), replicaSet.r + 2) }));
    const asks = groupByPeer(rows.flatMap(({ cid, order }) => order.map((peer) => [peer, cid] as const)));
    const { held } = await this.#init.peers.whoHas(asks, options.signal);
    return rows.map(({ cid, order }) => ({
      cid,
      replicas: order.slice(0, replicaSet.r).map((p) => p.id),
      holders: order.filter((p) => held.has(`${p.id}/${cid}`)).map((p) => p.id),
    }));
  }
}

/** The walk met a node whose bytes are not in raw leaves (or not a UnixFS file): the exporter reads it. */
function notRawLeaves(err: unknown): boolean {
  return err instanceof PeerweaveError && err.code === 'INVALID_ARGUMENT';
}
