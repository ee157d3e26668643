import { silentLogger, type Clock, type Logger, type Tombstone } from '@peerweave/core';
import type { PeerContact } from '@peerweave/protocol';
import { parseCid, type BlockStore, type ContentDb } from '@peerweave/storage';
import type { ContentPeers } from './content-peers.ts';
import { isGarbage, tombstoneExpired } from './tombstone-rules.ts';

/** How long a delete is remembered; must outlive any repair or anti-entropy delay (Cassandra's gc_grace). */
export const DEFAULT_TOMBSTONE_TTL_MS = 24 * 60 * 60 * 1000;

export interface TombstonesInit {
  db: Pick<ContentDb, 'putTombstone' | 'getTombstone' | 'expireTombstones' | 'deleteRecord' | 'removeRoot' | 'removeBlock' | 'blocks' | 'changes'>;
  blocks: Pick<BlockStore, 'delete'>;
  clock: Clock;
  peers: Pick<ContentPeers, 'getRecord'>;
  logger?: Logger;
  /** Default {@link DEFAULT_TOMBSTONE_TTL_MS}. */
  tombstoneTtlMs?: number;
  /** Told when this node stops holding a metadata record (the search index follows it). */
  onRecords?: { removed(cid: string): void };
}

/**
 * Deletes as this node keeps them: applying a tombstone (the record goes, the object's claim on
 * its blocks goes, blocks no object claims any more are dropped), learning the tombstones a peer
 * knows and this node missed, dropping blocks, and collecting expired tombstones and garbage.
 */
export class Tombstones {
  readonly ttlMs: number;
  readonly #init: TombstonesInit;
  readonly #log: Logger;
  /** ContentDb.changes when the blocks were last walked for garbage. */
  #walkedAt = -1;

  constructor(init: TombstonesInit) {
    this.#init = init;
    this.#log = init.logger ?? silentLogger;
    this.ttlMs = init.tombstoneTtlMs ?? DEFAULT_TOMBSTONE_TTL_MS;
  }

  /** Applies a delete: forgets the record, drops the object's claim on blocks, collects orphans. False when already known or expired. */
  apply(t: Tombstone): boolean {
    if (tombstoneExpired(t.deletedMs, this.#init.clock.now(), this.ttlMs)) return false;
    const { db } = this.#init;
    const applied = db.putTombstone(t);
    if (db.deleteRecord(t.cid)) this.#init.onRecords?.removed(t.cid);
    const orphans = db.removeRoot(t.cid);
    for (const cid of orphans) void this.drop(cid);
    return applied;
  }

  /** When the same bytes may be stored again. */
  expiresMs(t: Tombstone): number {
    return t.deletedMs + this.ttlMs;
  }

  /**
   * A peer refused a block because its objects are deleted: this node missed the delete (it was
   * down). Fetch the tombstones from that peer and apply them, which drops the local copies.
   */
  async learn(peer: PeerContact, roots: readonly string[], signal: AbortSignal): Promise<void> {
    for (const root of roots) {
      const { tombstone } = await this.#init.peers.getRecord(peer, root, signal).catch(() => ({ tombstone: undefined }));
      if (tombstone && tombstone.cid === root) this.apply(tombstone);
    }
  }

  /** Forgets a block here: its row at once (synchronously), then its file. */
  async drop(cid: string): Promise<void> {
    this.#init.db.removeBlock(cid);
    try {
      await this.#init.blocks.delete(parseCid(cid));
    } catch (err) {
      this.#log.debug({ cid, err: (err as Error).message }, 'deleting a block file failed');
    }
  }

  /** Expired tombstones go; blocks that no live object claims go (staged uploads, claimed by none, stay as cache). */
  collectGarbage(): void {
    const { db } = this.#init;
    db.expireTombstones(this.#init.clock.now() - this.ttlMs);
    // Garbage only appears when a tombstone or a block is added: with no change to the store since
    // the last walk, walking every block again would find nothing (and an idle node does this
    // every repair period).
    if (db.changes === this.#walkedAt) return;
    this.#walkedAt = db.changes;
    const deleted = (root: string): boolean => db.getTombstone(root) !== undefined;
    for (const row of db.blocks()) if (isGarbage(row, deleted)) void this.drop(row.cid);
  }
}
