import type { ObjectRecord, Tombstone } from '@peerweave/core';
import type { GetRecordResponse, PeerContact } from '@peerweave/protocol';
import { cidKey, cidToString, verifyRecord, type ContentDb } from '@peerweave/storage';
import type { CID } from 'multiformats/cid';
import type { ContentPeers } from './content-peers.ts';
import type { ReplicaSet } from './replica-set.ts';
import type { Tombstones } from './tombstones.ts';

/** What is known of an object: its record, its tombstone, or neither. */
export interface RecordAnswer {
  record?: ObjectRecord;
  tombstone?: Tombstone;
}

/**
 * The answer of several replicas to GetRecord: a tombstone from any of them wins (a delete is
 * never undone by a replica that missed it); otherwise a record that verifies and names `cid`
 * (the last such one: all valid copies of a record are equal but for their creation time).
 */
export function pickRecordAnswer(answers: readonly (GetRecordResponse | undefined)[], cid: string): RecordAnswer {
  let found: RecordAnswer = {};
  for (const a of answers) {
    if (a?.tombstone) return { tombstone: a.tombstone };
    if (a?.record && verifyRecord(a.record) && a.record.cid === cid) found = { record: a.record };
  }
  return found;
}

export interface RecordLookupInit {
  self: Pick<PeerContact, 'id'>;
  db: Pick<ContentDb, 'getRecord' | 'getTombstone'>;
  replicaSet: Pick<ReplicaSet, 'r' | 'knownPreferenceList' | 'lookupPreferenceList' | 'isReplica'>;
  peers: Pick<ContentPeers, 'getRecord'>;
  tombstones: Pick<Tombstones, 'apply'>;
}

/**
 * The record (or tombstone) of an object, from this node or its replicas: this node's own copy
 * when it is a replica, else the replicas it knows, else those a lookup finds. A tombstone found
 * is applied here too.
 */
export class RecordLookup {
  readonly #init: RecordLookupInit;

  constructor(init: RecordLookupInit) {
    this.#init = init;
  }

  async find(cid: CID, signal: AbortSignal | undefined): Promise<RecordAnswer> {
    const { db, replicaSet } = this.#init;
    const cidText = cidToString(cid);
    const localTombstone = db.getTombstone(cidText);
    const localRecord = db.getRecord(cidText);
    const key = cidKey(cid);
    if (localTombstone) return { tombstone: localTombstone };
    // A replica's own copy is authoritative; any other copy (the uploader's) may have missed a delete.
    if (localRecord && replicaSet.isReplica(key)) return { record: localRecord };
    let found = await this.#ask(replicaSet.knownPreferenceList(key, replicaSet.r), cidText, signal);
    if (!found.record && !found.tombstone) {
      const looked = await replicaSet.lookupPreferenceList(key, replicaSet.r + 1, signal);
      found = await this.#ask(looked.slice(0, replicaSet.r + 1), cidText, signal);
    }
    if (found.tombstone) this.#init.tombstones.apply(found.tombstone);
    else if (!found.record && localRecord) found = { record: localRecord };
    return found;
  }

  async #ask(peers: readonly PeerContact[], cid: string, signal: AbortSignal | undefined): Promise<RecordAnswer> {
    const others = peers.filter((p) => p.id !== this.#init.self.id);
    const answers = await Promise.all(others.map((p) => this.#init.peers.getRecord(p, cid, signal).catch(() => undefined)));
    return pickRecordAnswer(answers, cid);
  }
}
