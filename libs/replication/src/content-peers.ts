import { PeerweaveError, withDeadline, type Clock, type ObjectRecord, type ProviderRecord, type Tombstone } from '@peerweave/core';
import type {
  AddProviderRequest,
  ContentMethods,
  GetRecordResponse,
  PeerContact,
  ContentClient,
  PutBlockRequest,
  SyncDigestRequest,
  SyncDigestResponse,
  SyncKeysRequest,
  SyncKeysResponse,
} from '@peerweave/protocol';
import { BlockStreams } from './block-streams.ts';
import { mapLimit } from './map-limit.ts';

/** Blocks (and other calls) sent to peers at once during a put, a repair or an announcement. */
export const DEFAULT_TRANSFER_CONCURRENCY = 8;
/** Deadline of one block call to a peer. */
export const DEFAULT_BLOCK_DEADLINE_MS = 5_000;
/** Deadline of a provider call (AddProvider, GetProviders): a slow answer only loses extra sources. */
export const PROVIDERS_DEADLINE_MS = 1_500;
/**
 * Deadline of a HasBlocks question (no block data moves): a replica that died but is not yet
 * declared dead must not hold a repair pass for the full block deadline.
 */
export const QUERY_DEADLINE_MS = 1_500;
/** Most CIDs per HasBlocks message. */
export const HAS_BATCH = 1024;

export interface ContentPeersInit {
  /** This node: asked about in {@link ContentPeers.whoHas} without a call. */
  self: Pick<PeerContact, 'id'>;
  transport: ContentClient;
  clock: Clock;
  /** True when this node holds `cid` as a replica or hint (not as cache). */
  holds(cid: string): boolean;
  /** Default {@link DEFAULT_BLOCK_DEADLINE_MS}. */
  blockDeadlineMs?: number;
  /** Default {@link DEFAULT_TRANSFER_CONCURRENCY}. */
  transferConcurrency?: number;
}

/** Answers of {@link ContentPeers.whoHas}. */
export interface WhoHas {
  /** `<peer>/<cid>` of every copy found. */
  held: Set<string>;
  /** Copies missing on peers that answered. */
  lacking: { peer: PeerContact; cid: string }[];
  /** Blocks some peer could not be asked about. */
  unreachable: Set<string>;
}

/** (peer, cid) pairs to ask about, per peer. */
export type PeerAsks = Map<string, { peer: PeerContact; cids: string[] }>;

/**
 * The calling side of the content service, narrowed to what content uses, each call with its
 * deadline. Every block that moves between nodes goes through {@link fetchBlock} or
 * {@link storeBlock}: the one place to change when block transfer moves to streams.
 */
export class ContentPeers {
  readonly blockDeadlineMs: number;
  /** How many calls a component runs at once over many peers or blocks. */
  readonly concurrency: number;
  readonly #init: ContentPeersInit;
  readonly #streams: BlockStreams;
  /** Peers that do not serve the block streams (an older version): they get unary calls. */
  readonly #unaryOnly = new Set<string>();

  constructor(init: ContentPeersInit) {
    this.#init = init;
    this.blockDeadlineMs = init.blockDeadlineMs ?? DEFAULT_BLOCK_DEADLINE_MS;
    this.concurrency = init.transferConcurrency ?? DEFAULT_TRANSFER_CONCURRENCY;
    this.#streams = new BlockStreams({ transport: init.transport, clock: init.clock, blockDeadlineMs: this.blockDeadlineMs });
  }

  /**
   * The bytes `peer` holds for `cid` (not verified: check them against the CID), or undefined when
   * it lacks it. On the peer's long-lived read stream (GetBlocks), so a window of fetches to one
   * peer shares one stream; a peer without it is asked with unary GetBlock.
   */
  async fetchBlock(peer: PeerContact, cid: string, signal: AbortSignal | undefined): Promise<Uint8Array | undefined> {
    if (!this.#unaryOnly.has(peer.address)) {
      try {
        return await this.#streams.fetch(peer, cid, signal);
      } catch (err) {
        if (!this.#noStreams(peer, err)) throw err;
      }
    }
    const { found, data } = await this.#call(peer, 'getBlock', { cid }, signal);
    return found ? data : undefined;
  }

  /**
   * Sends a block to `peer`; false when it refused it (every object it belongs to is deleted
   * there). On the peer's write stream (PutBlocks): true means the peer made it durable in a group
   * commit. A block with no roots belongs to an upload in progress (see PinBlocks).
   */
  async storeBlock(peer: PeerContact, request: PutBlockRequest, signal: AbortSignal | undefined): Promise<boolean> {
    if (!this.#unaryOnly.has(peer.address) && request.record === undefined) {
      try {
        return await this.#streams.store(peer, request, signal);
      } catch (err) {
        if (!this.#noStreams(peer, err)) throw err;
      }
    }
    return (await this.#call(peer, 'putBlock', request, signal)).stored;
  }

  /** Ends an upload on `peer`: pins the blocks it took without roots to `root`; one flag per block. */
  async pinBlocks(
    peer: PeerContact,
    root: string,
    blocks: readonly { cid: string; hintFor: string }[],
    signal: AbortSignal | undefined,
    release = false,
  ): Promise<readonly boolean[]> {
    return (await this.#call(peer, 'pinBlocks', { root, blocks, ...(release ? { release } : {}) }, signal)).pinned;
  }

  /** Closes the block streams (on stop). */
  close(): void {
    this.#streams.close();
  }

  /** True (and remembered) when `err` says the peer does not serve the block streams. */
  #noStreams(peer: PeerContact, err: unknown): boolean {
    if (!(err instanceof PeerweaveError && err.code === 'METHOD_NOT_ALLOWED')) return false;
    this.#unaryOnly.add(peer.address);
    return true;
  }

  async storeRecord(peer: PeerContact, record: ObjectRecord, signal: AbortSignal | undefined): Promise<boolean> {
    return (await this.#call(peer, 'putRecord', { record }, signal)).stored;
  }

  /** The record of `cid` on `peer`; with `rootBlockMaxBytes` above 0 also its root block, if small and held (unverified). */
  getRecord(peer: PeerContact, cid: string, signal: AbortSignal | undefined, rootBlockMaxBytes = 0): Promise<GetRecordResponse> {
    return this.#call(peer, 'getRecord', rootBlockMaxBytes > 0 ? { cid, rootBlockMaxBytes } : { cid }, signal);
  }

  async storeTombstone(peer: PeerContact, tombstone: Tombstone, signal: AbortSignal | undefined): Promise<boolean> {
    return (await this.#call(peer, 'putTombstone', { tombstone }, signal)).applied;
  }

  syncDigest(peer: PeerContact, request: SyncDigestRequest, signal: AbortSignal | undefined): Promise<SyncDigestResponse> {
    return this.#call(peer, 'syncDigest', request, signal);
  }

  syncKeys(peer: PeerContact, request: SyncKeysRequest, signal: AbortSignal | undefined): Promise<SyncKeysResponse> {
    return this.#call(peer, 'syncKeys', request, signal);
  }

  async addProvider(peer: PeerContact, request: AddProviderRequest, signal: AbortSignal | undefined): Promise<void> {
    await this.#call(peer, 'addProvider', request, signal, PROVIDERS_DEADLINE_MS);
  }

  async getProviders(peer: PeerContact, cid: string, signal: AbortSignal | undefined): Promise<readonly ProviderRecord[]> {
    return (await this.#call(peer, 'getProviders', { cid }, signal, PROVIDERS_DEADLINE_MS)).providers;
  }

  /**
   * One HasBlocks per peer (in batches of {@link HAS_BATCH}) for every block it is asked about;
   * this node answers from its own bookkeeping. A batch that fails marks its blocks unreachable.
   */
  async whoHas(asks: PeerAsks, signal: AbortSignal | undefined): Promise<WhoHas> {
    const held = new Set<string>();
    const lacking: { peer: PeerContact; cid: string }[] = [];
    const unreachable = new Set<string>();
    await mapLimit(asks.values(), this.concurrency, async ({ peer, cids }) => {
      for (let i = 0; i < cids.length; i += HAS_BATCH) {
        const batch = cids.slice(i, i + HAS_BATCH);
        try {
          const have =
            peer.id === this.#init.self.id ? batch.map((c) => this.#init.holds(c)) : (await this.#call(peer, 'hasBlocks', { cids: batch }, signal)).have;
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

  #call<M extends keyof ContentMethods>(
    peer: PeerContact,
    method: M,
    request: ContentMethods[M]['request'],
    signal: AbortSignal | undefined,
    deadlineMs = method === 'hasBlocks' ? Math.min(this.blockDeadlineMs, QUERY_DEADLINE_MS) : this.blockDeadlineMs,
  ): Promise<ContentMethods[M]['response']> {
    const deadline = withDeadline(deadlineMs, { clock: this.#init.clock, ...(signal ? { signal } : {}) });
    return this.#init.transport.request(peer.address, method, request, { signal: deadline.signal, deadlineMs }).finally(() => deadline.clear());
  }
}

/** (peer, cid) pairs grouped by peer, in first-seen order. */
export function groupByPeer(pairs: Iterable<readonly [PeerContact, string]>): PeerAsks {
  const groups: PeerAsks = new Map();
  for (const [peer, cid] of pairs) {
    let entry = groups.get(peer.id);
    if (!entry) groups.set(peer.id, (entry = { peer, cids: [] }));
    entry.cids.push(cid);
  }
  return groups;
}
