import { NotFoundError, silentLogger, type AbortOptions, type Clock, type Logger, type Tombstone } from '@peerweave/core';
import type { PeerContact } from '@peerweave/protocol';
import { cidKey, cidToString, parseCid } from '@peerweave/storage';
import type { CID } from 'multiformats/cid';
import type { ContentPeers } from './content-peers.ts';
import type { ReadPath } from './read-path.ts';
import type { RecordLookup } from './record-lookup.ts';
import type { ReplicaSet } from './replica-set.ts';
import type { Tombstones } from './tombstones.ts';

export interface DeletePathInit {
  self: Pick<PeerContact, 'id'>;
  clock: Clock;
  replicaSet: Pick<ReplicaSet, 'r' | 'knownPreferenceList' | 'preferenceList' | 'contact'>;
  peers: Pick<ContentPeers, 'storeTombstone'>;
  records: Pick<RecordLookup, 'find'>;
  dag: Pick<ReadPath, 'dagCids'>;
  tombstones: Pick<Tombstones, 'apply'>;
  logger?: Logger;
}

/**
 * Deletes: a tombstone goes to the replicas of the object's record and of every block (they drop
 * the object's claim on the block; blocks no longer claimed are collected) and to the uploader,
 * which keeps a copy of the record; anti-entropy spreads it to any node that missed it. Repair
 * never brings a tombstoned object back.
 */
export class DeletePath {
  readonly #init: DeletePathInit;
  readonly #log: Logger;

  constructor(init: DeletePathInit) {
    this.#init = init;
    this.#log = init.logger ?? silentLogger;
  }

  async remove(cidText: string, options: AbortOptions = {}): Promise<void> {
    const { self, replicaSet, peers } = this.#init;
    const cid = parseCid(cidText);
    const root = cidToString(cid);
    const { record, tombstone } = await this.#init.records.find(cid, options.signal);
    if (tombstone) return;
    const blocks: CID[] = [];
    try {
      for await (const c of this.#init.dag.dagCids(cid, options.signal)) blocks.push(c);
    } catch (err) {
      if (!record) throw err instanceof NotFoundError ? new NotFoundError(`object ${root} is not stored here or on its replicas`) : err;
      // The record exists but some inner block is unreachable: tombstone what can be found.
    }
    const t: Tombstone = { cid: root, deletedMs: this.#init.clock.now(), by: self.id };
    this.#init.tombstones.apply(t);
    const targets = new Map<string, PeerContact>();
    for (const key of [cidKey(cid), ...blocks.map((b) => cidKey(b))]) {
      for (const p of replicaSet.knownPreferenceList(key, replicaSet.r + 1)) targets.set(p.id, p);
    }
    for (const p of (await replicaSet.preferenceList(cidKey(cid), options.signal)).slice(0, replicaSet.r)) targets.set(p.id, p);
    // The node that took the upload keeps a copy of the record for its own listing.
    const uploader = record ? replicaSet.contact(record.uploader) : undefined;
    if (uploader) targets.set(uploader.id, uploader);
    targets.delete(self.id);
    await Promise.all([...targets.values()].map((p) => peers.storeTombstone(p, t, options.signal).catch(() => undefined)));
    this.#log.info({ cid: root, blocks: blocks.length, told: targets.size }, 'object deleted');
  }
}
