import type { PeerContact } from '@peerweave/protocol';
import { parseCid, type BlockStore, type ContentDb } from '@peerweave/storage';
import type { ContentPeers } from './content-peers.ts';
import type { Tombstones } from './tombstones.ts';

export interface BlockPushInit {
  db: Pick<ContentDb, 'getBlock' | 'removeBlock' | 'getRecord'>;
  blocks: Pick<BlockStore, 'get'>;
  peers: Pick<ContentPeers, 'storeBlock'>;
  tombstones: Pick<Tombstones, 'learn'>;
}

/**
 * Copies a block this node holds to a peer that should hold it (repair, hand-back,
 * anti-entropy), with the objects it belongs to, and an object's root block with the object's
 * record when this node holds it: a hint of a root counts towards a write's quorum and may be the
 * record's only copy on that side of a partition, so the record goes back with it. A refusal
 * means the peer knows a delete this node missed: the tombstones are learnt from it.
 */
export class BlockPush {
  readonly #init: BlockPushInit;

  constructor(init: BlockPushInit) {
    this.#init = init;
  }

  /** True when `peer` stored it; false when refused, unreachable, or the copy here is gone. */
  async push(peer: PeerContact, cid: string, signal: AbortSignal): Promise<boolean> {
    const { db, blocks, peers, tombstones } = this.#init;
    const row = db.getBlock(cid);
    if (!row) return false;
    const data = await blocks.get(parseCid(cid));
    if (data === undefined) {
      // Lost or corrupt on disk: forget it, so repair pulls it from another replica.
      db.removeBlock(cid);
      return false;
    }
    try {
      const record = row.roots.includes(cid) ? db.getRecord(cid) : undefined;
      const stored = await peers.storeBlock(peer, { cid, data, roots: row.roots, hintFor: '', ...(record ? { record } : {}) }, signal);
      if (!stored) await tombstones.learn(peer, row.roots, signal);
      return stored;
    } catch {
      return false;
    }
  }
}
