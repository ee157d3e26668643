import { systemClock, type Clock, type ObjectRecord, type Tombstone } from '@peerweave/core';
import type { GetRecordResponse, PeerContact } from '@peerweave/protocol';
import { blockMatches, cidKey, cidToString, verifyRecord, type ContentDb } from '@peerweave/storage';
import type { CID } from 'multiformats/cid';
import type { ContentPeers } from './content-peers.ts';
import type { ReplicaSet } from './replica-set.ts';
import type { Tombstones } from './tombstones.ts';

/**
 * A replica asked for a record that has not answered after this long gets company: the next known
 * replica is asked too, without giving up on the first (Cassandra's speculative retry, "rapid read
 * protection"). Far above a GetRecord's round trip on a LAN (a 1 KiB GET through a non-holder in
 * the 22-container cluster: p99 24 ms), far below the call's deadline (PEERWEAVE_DEADLINE_MS, 5 s),
 * which a read otherwise spends on a replica that vanished without closing its connection (a
 * partition, a frozen host) until SWIM declares it dead. Costs one call more per read only then.
 */
export const SPECULATIVE_RETRY_MS = 500;

const settles = (a: RecordAnswer): boolean => a.record !== undefined || a.tombstone !== undefined;

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
  db: Pick<ContentDb, 'getRecord' | 'getTombstone' | 'getBlock'>;
  replicaSet: Pick<ReplicaSet, 'r' | 'w' | 'knownPreferenceList' | 'lookupPreferenceList' | 'isReplica'>;
  peers: Pick<ContentPeers, 'getRecord'>;
  tombstones: Pick<Tombstones, 'apply'>;
  /** Times the speculative retry (default the system clock). */
  clock?: Clock;
  /** Default {@link SPECULATIVE_RETRY_MS}. */
  speculativeRetryMs?: number;
}

/**
 * The record (or tombstone) of an object, from this node or its replicas: this node's own copy
 * when it is a replica, else a read quorum ({@link readQuorum}) of the replicas it knows (made up
 * by the next two known nodes while replicas fail or stay silent), else those a lookup finds. A tombstone found is applied here too. Asked for it, the first replica
 * asked also sends a small object's root block with the record (one call reads it), unless this
 * node holds that block.
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
    // A block held here (cached on an earlier read) is read from here: the record comes alone.
    const rootBlockMaxBytes = options.rootBlockMaxBytes && db.getBlock(cidText) === undefined ? options.rootBlockMaxBytes : 0;
    const ask = { cid, quorum: readQuorum(replicaSet.r, replicaSet.w), rootBlockMaxBytes, signal };
    // The r replicas, then the next two nodes: when replicas stay silent (a partition) the quorum is
    // made up by the nodes after them, which hold hints or nothing (Dynamo's sloppy quorum, as the
    // write's hand-off), instead of waiting for the silent ones' deadlines.
    let found = await this.#ask(replicaSet.knownPreferenceList(key, replicaSet.r + 2), ask);
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
   * nothing here), and more of them while fewer than that answered: the next one as soon as one
   * fails, and one more each time the calls in flight stay unanswered for the speculative retry
   * delay. The first call, and each speculative one, also asks for the root block. With nobody
   * left to ask, silence for the delay ends the wait if a record or tombstone came meanwhile.
   */
  async #ask(peers: readonly PeerContact[], ask: { cid: CID; quorum: number; rootBlockMaxBytes: number; signal: AbortSignal | undefined }): Promise<RecordFound> {
    const selfId = this.#init.self.id;
    const clock = this.#init.clock ?? systemClock;
    const retryMs = this.#init.speculativeRetryMs ?? SPECULATIVE_RETRY_MS;
    const others = peers.filter((p) => p.id !== selfId);
    let answered = others.length < peers.length ? 1 : 0;
    const cidText = cidToString(ask.cid);
    const answers: (GetRecordResponse | undefined)[] = [];
    const inFlight = new Set<Promise<void>>();
    let next = 0;
    const launch = (withBlock: boolean): void => {
      const peer = others[next++]!;
      const call: Promise<void> = this.#init.peers
        .getRecord(peer, cidText, ask.signal, withBlock ? ask.rootBlockMaxBytes : 0)
        .catch(() => undefined)
        .then((answer) => {
          inFlight.delete(call);
          answers.push(answer);
          if (answer !== undefined) answered++;
        });
      inFlight.add(call);
    };
    const topUp = (): void => {
      while (answered + inFlight.size < ask.quorum && next < others.length) launch(next === 0);
    };
    topUp();
    while (answered < ask.quorum && inFlight.size > 0) {
      let timer: ReturnType<Clock['setTimeout']> | undefined;
      const slow = new Promise<'slow'>((resolve) => (timer = clock.setTimeout(() => resolve('slow'), retryMs)));
      const outcome = await Promise.race([...inFlight, slow]);
      clock.clearTimeout(timer!);
      if (outcome === 'slow' && next < others.length && !ask.signal?.aborted) launch(true);
      // Nobody left to ask, those in flight silent for the delay (across a partition, until their
      // deadline), and a record or tombstone in hand: it is the answer, without the wait.
      else if (outcome === 'slow' && settles(pickRecordAnswer(answers, cidText))) break;
      topUp();
    }
    const found: RecordFound = pickRecordAnswer(answers, cidText);
    if (found.record) {
      const block = answers.find((a) => a?.rootBlock !== undefined && a.record?.cid === cidText)?.rootBlock;
      if (block !== undefined && blockMatches(ask.cid, block)) found.rootBlock = block;
    }
    return found;
  }
}
