import type { ObjectRecord, Tombstone } from '@peerweave/core';
import type { GetRecordResponse, PeerContact } from '@peerweave/protocol';
import { blockMatches, cidKey, cidToString, verifyRecord, type ContentDb } from '@peerweave/storage';
import type { CID } from 'multiformats/cid';
import type { ContentPeers } from './content-peers.ts';
import type { ReplicaSet } from './replica-set.ts';
import type { Tombstones } from './tombstones.ts';

/** What is known of an object: its record, its tombstone, or neither. */
export interface RecordAnswer {
  record?: ObjectRecord;
  tombstone?: Tombstone;
}

/** A record answer that may carry the object's root block, checked against its CID. */
export interface RecordFound extends RecordAnswer {
  rootBlock?: Uint8Array;
}

/**
 * How many replicas a read asks for the record: r − w + 1, the fewest whose every choice shares a
 * node with every write quorum of w (Dynamo's R + W > N), so a record acknowledged to w replicas
 * is seen by every read. More are asked only when some of those do not answer.
 */
export function readQuorum(r: number, w: number): number {
  return Math.max(1, Math.min(r, r - w + 1));
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
  replicaSet: Pick<ReplicaSet, 'r' | 'w' | 'knownPreferenceList' | 'lookupPreferenceList' | 'isReplica'>;
  peers: Pick<ContentPeers, 'getRecord'>;
  tombstones: Pick<Tombstones, 'apply'>;
}

/**
 * The record (or tombstone) of an object, from this node or its replicas: this node's own copy
 * when it is a replica, else a read quorum ({@link readQuorum}) of the replicas it knows, else
 * those a lookup finds. A tombstone found is applied here too. Asked for it, the first replica
 * asked also sends a small object's root block with the record (one call reads it).
 */
export class RecordLookup {
  readonly #init: RecordLookupInit;

  constructor(init: RecordLookupInit) {
    this.#init = init;
  }

  async find(cid: CID, signal: AbortSignal | undefined, options: { rootBlockMaxBytes?: number } = {}): Promise<RecordFound> {
    const { db, replicaSet } = this.#init;
    const cidText = cidToString(cid);
    const localTombstone = db.getTombstone(cidText);
    const localRecord = db.getRecord(cidText);
    const key = cidKey(cid);
    if (localTombstone) return { tombstone: localTombstone };
    // A replica's own copy is authoritative; any other copy (the uploader's) may have missed a delete.
    if (localRecord && replicaSet.isReplica(key)) return { record: localRecord };
    const ask = { cid, quorum: readQuorum(replicaSet.r, replicaSet.w), rootBlockMaxBytes: options.rootBlockMaxBytes ?? 0, signal };
    let found = await this.#ask(replicaSet.knownPreferenceList(key, replicaSet.r), ask);
    if (!found.record && !found.tombstone) {
      const looked = await replicaSet.lookupPreferenceList(key, replicaSet.r + 1, signal);
      found = await this.#ask(looked.slice(0, replicaSet.r + 1), { ...ask, quorum: replicaSet.r + 1 });
    }
    if (found.tombstone) this.#init.tombstones.apply(found.tombstone);
    else if (!found.record && localRecord) found = { record: localRecord };
    return found;
  }

  /**
   * Asks `quorum` of `peers` (in their order; this node, when among them, has answered already:
   * nothing here), and more of them while fewer than that answered.
   */
  async #ask(peers: readonly PeerContact[], ask: { cid: CID; quorum: number; rootBlockMaxBytes: number; signal: AbortSignal | undefined }): Promise<RecordFound> {
    const selfId = this.#init.self.id;
    const others = peers.filter((p) => p.id !== selfId);
    let answered = others.length < peers.length ? 1 : 0;
    const cidText = cidToString(ask.cid);
    const answers: (GetRecordResponse | undefined)[] = [];
    let next = 0;
    while (answered < ask.quorum && next < others.length) {
      const batch = others.slice(next, next + ask.quorum - answered);
      const first = next === 0;
      next += batch.length;
      const got = await Promise.all(
        batch.map((p, i) =>
          this.#init.peers.getRecord(p, cidText, ask.signal, first && i === 0 ? ask.rootBlockMaxBytes : 0).catch(() => undefined),
        ),
      );
      answers.push(...got);
      answered += got.filter((a) => a !== undefined).length;
    }
    const found: RecordFound = pickRecordAnswer(answers, cidText);
    if (found.record) {
      const block = answers.find((a) => a?.rootBlock !== undefined && a.record?.cid === cidText)?.rootBlock;
      if (block !== undefined && blockMatches(ask.cid, block)) found.rootBlock = block;
    }
    return found;
  }
}
