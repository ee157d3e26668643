import { freeBuffer, NotFoundError, hasOwnBuffer, releasableChunk, silentLogger, type Clock, type Logger, type Metrics } from '@peerweave/core';
import type { PeerContact } from '@peerweave/protocol';
import { cidKey, cidToString, parseCid, type BlockStore, type ContentDb, type FileLeaf } from '@peerweave/storage';
import { Swarm, type BlockSource, type WantedBlock } from '@peerweave/transfer';
import type { BlockFetch } from './block-fetch.ts';
import { blockMatchesOffLoop } from './block-verify.ts';
import type { ContentMetrics } from './content-metrics.ts';
import type { ContentPeers } from './content-peers.ts';
import type { Providers } from './providers.ts';
import type { ReadCache } from './read-cache.ts';
import type { ReplicaSet } from './replica-set.ts';
import { swarmSources } from './swarm-sources.ts';

/** Fetched blocks being written to the read cache at once, behind the reader (each holds its bytes). */
export const CACHE_WRITES_IN_FLIGHT = 8;

export interface SwarmReadInit {
  self: Pick<PeerContact, 'id'>;
  db: Pick<ContentDb, 'getBlock'>;
  blocks: Pick<BlockStore, 'get'>;
  clock: Clock;
  replicaSet: Pick<ReplicaSet, 'r' | 'knownPreferenceList'>;
  peers: Pick<ContentPeers, 'fetchBlock' | 'blockDeadlineMs'>;
  /** The full path for a block none of the expected holders has. */
  fetch: Pick<BlockFetch, 'getBlock'>;
  cache: Pick<ReadCache, 'keep' | 'capacity'>;
  providers: Pick<Providers, 'findProviders' | 'provide'>;
  metrics: Pick<ContentMetrics, 'fetches' | 'corrupt' | 'providersFound'>;
  /** Handed to the swarm, which declares its own metrics. */
  swarmMetrics?: Metrics;
  logger?: Logger;
}

/**
 * Reads a file's leaves from many nodes at once (libs/transfer's swarm): this node when it has a
 * copy, the replicas of each leaf, the providers of the object, in order, each block checked
 * against its CID, with a bounded buffer so a slow reader slows the download. The leaves may come
 * as a stream (walkFileLeaves): they are pulled as the swarm needs them and forgotten once read,
 * so a read holds the same memory whatever the file's size. The first leaf kept in the read cache
 * makes this node a provider of the object.
 */
export class SwarmRead {
  readonly #init: SwarmReadInit;

  constructor(init: SwarmReadInit) {
    this.#init = init;
  }

  async *read(
    root: string,
    leaves: Iterable<FileLeaf> | AsyncIterable<FileLeaf>,
    range: { offset: number; length: number } | undefined,
    signal: AbortSignal | undefined,
  ): AsyncIterable<Uint8Array> {
    const { self, db, blocks, replicaSet, peers, metrics } = this.#init;
    const start = range?.offset ?? 0;
    const end = range === undefined ? Number.POSITIVE_INFINITY : range.offset + range.length;
    const sources = new Map<string, BlockSource>();
    // Blocks that arrived from a peer in a buffer of their own (the transport marked them: the
    // message grpc-js reassembled for them) and that nothing but this read has seen: that memory is
    // freed as soon as the consumer has written the block out (chunk-release.ts), not when a full
    // GC gets to it. Blocks from this node's store or from BlockFetch are left to the GC.
    const owned = new WeakSet<Uint8Array>();
    const local: BlockSource = {
      id: self.id,
      fetch: async (c) => {
        const bytes = await blocks.get(parseCid(c));
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
            const data = await peers.fetchBlock(peer, c, s);
            if (data === undefined) throw new NotFoundError(`peer ${peer.id.slice(0, 12)} does not hold ${c}`);
            metrics.fetches.inc({ source: 'peer' });
            if (hasOwnBuffer(data)) owned.add(data);
            return data;
          },
        };
        sources.set(peer.id, source);
      }
      return source;
    };
    const network: BlockSource = { id: 'lookup', fetch: (c, { signal: s }) => this.#init.fetch.getBlock(c, { signal: s }) };
    // Nodes that read the object before and announced they keep it (provider records): every
    // block is asked of them too, so a popular object is served by more than its r replicas.
    // Asked in the background, and only once a block is missing here (a file read from this
    // node's own copies asks nobody): the first blocks come from the replicas without waiting.
    let providers: BlockSource[] = [];
    let asked = false;
    const askProviders = (): void => {
      if (asked) return;
      asked = true;
      void this.#init.providers.findProviders(root, signal ? { signal } : {}).then((found) => {
        providers = found.filter((p) => p.id !== self.id).map(remote);
        metrics.providersFound.observe(providers.length);
      });
    };
    // Who holds each leaf the swarm has been told of and the reader has not taken yet.
    const holders = new Map<string, { local: BlockSource | undefined; replicas: BlockSource[] }>();
    // The leaves handed to the swarm and not yet read, in order (it yields in the order it pulls).
    const named: FileLeaf[] = [];
    async function* wanted(): AsyncGenerator<WantedBlock> {
      for await (const leaf of leaves) {
        named.push(leaf);
        yield { cid: cidToString(leaf.cid), bytes: leaf.size };
      }
    }
    const swarm = new Swarm({
      blocks: wanted(),
      providers: (c) => {
        // Who holds a leaf is worked out once per read (the swarm asks on every scheduling pass):
        // a routing-table walk and a database read per block, not per pass.
        let known = holders.get(c);
        if (known === undefined) {
          const here = db.getBlock(c) !== undefined;
          const replicas = replicaSet.knownPreferenceList(cidKey(parseCid(c)), replicaSet.r).filter((p) => p.id !== self.id);
          holders.set(c, (known = { local: here ? local : undefined, replicas: replicas.map(remote) }));
        }
        if (known.local === undefined) askProviders();
        return swarmSources(known.local, known.replicas, providers, network);
      },
      // Hashed once on arrival, on the thread pool for a full-size block (block-verify.ts).
      verify: (c, bytes) => {
        const counted = (ok: boolean): boolean => {
          if (!ok) metrics.corrupt.inc({ source: 'peer' });
          return ok;
        };
        const ok = blockMatchesOffLoop(parseCid(c), bytes);
        return typeof ok === 'boolean' ? counted(ok) : ok.then(counted);
      },
      clock: this.#init.clock,
      requestTimeoutMs: peers.blockDeadlineMs,
      logger: this.#init.logger ?? silentLogger,
      ...(this.#init.swarmMetrics ? { metrics: this.#init.swarmMetrics } : {}),
      ...(signal ? { signal } : {}),
    });
    let announced = false;
    // Fetched blocks are kept in the read cache behind the reader's back: the bytes go to the
    // reader at once and the disk write overlaps the next blocks. At most CACHE_WRITES_IN_FLIGHT
    // writes wait at a time, which bounds the memory they hold. One read keeps at most the
    // cache's capacity of its file: beyond that every block kept would evict one it kept earlier
    // (scan resistance, as database buffer pools do for a full scan), which cost a third of the
    // throughput of a 1 GiB read for nothing.
    const caching = new Set<Promise<void>>();
    let cachedBytes = 0;
    // The leaves this read kept (at most the cache's capacity of them): the provider record is
    // refreshed while any of them is still here. The list is Providers' own from the first one on.
    const kept: string[] = [];
    const keep = (leaf: FileLeaf, bytes: Uint8Array): Promise<void> => {
      const p: Promise<void> = this.#init.cache.keep(leaf.cid, bytes).then((stored) => {
        caching.delete(p);
        if (!stored) return;
        kept.push(cidToString(leaf.cid));
        if (!announced) {
          // The first block kept makes this node a provider; announced once, refreshed by a timer.
          announced = true;
          this.#init.providers.provide(root, kept);
        }
      });
      caching.add(p);
      return p;
    };
    try {
      for await (const { cid: c, bytes } of swarm.blocks()) {
        const leaf = named.shift()!;
        const heldHere = holders.get(c)?.local !== undefined;
        holders.delete(c);
        let cacheWrite: Promise<void> | undefined;
        // A leaf this node held when the swarm asked where it is was not fetched: nothing to keep.
        if (!heldHere && cachedBytes + bytes.length <= this.#init.cache.capacity && db.getBlock(c) === undefined) {
          if (caching.size >= CACHE_WRITES_IN_FLIGHT) await Promise.race(caching);
          cachedBytes += bytes.length;
          cacheWrite = keep(leaf, bytes);
        }
        const chunk = bytes.subarray(Math.max(0, start - leaf.offset), Math.min(leaf.size, end - leaf.offset));
        if (!owned.has(bytes)) {
          yield chunk;
          continue;
        }
        // Freed once the consumer wrote the chunk out and the read cache's write of it is done.
        const free = (): void => void freeBuffer(bytes);
        yield releasableChunk(chunk, () => (cacheWrite === undefined ? free() : void cacheWrite.then(free, free)));
      }
    } finally {
      await Promise.all(caching);
    }
  }
}
