import { InsufficientReplicasError, PeerweaveError, raceSignal, silentLogger, toAbortError, type AbortOptions, type Clock, type Logger, type ObjectRecord } from '@peerweave/core';
import type { PeerContact, PutBlockRequest } from '@peerweave/protocol';
import { cidKey, cidToString, importFile, normaliseKeywords, parseCid, signRecord, type ContentDb, type RecordSigner } from '@peerweave/storage';
import type { CID } from 'multiformats/cid';
import { outcomeLabel, type ContentMetrics } from './content-metrics.ts';
import type { ContentPeers } from './content-peers.ts';
import type { ContentServer } from './content-server.ts';
import { mapLimit } from './map-limit.ts';
import type { RecordLookup } from './record-lookup.ts';
import type { ReplicaSet } from './replica-set.ts';
import { PeerSilence } from './peer-silence.ts';
import { SPECULATIVE_HANDOFF_MS, writeReplicas, type ReplicaWrites, type StoreResult } from './replica-writes.ts';
import type { Tombstones } from './tombstones.ts';
import { pinPlan, quorumShortfall, type CopyOutcome } from './write-plan.ts';

/**
 * Blocks of one upload on their way to replicas at once. Bounds the upload's memory (this many
 * 256 KiB blocks plus the importer's few) and, when every slot is taken, stops reading the request
 * body: back-pressure from the slowest replica reaches the HTTP client.
 */
export const DEFAULT_WRITE_WINDOW_BLOCKS = 16;
/** Most blocks named in one PinBlocks call (the message's limit). */
const PIN_BATCH = 1024;
/** Deadline of the release of a failed upload's pins (best effort). */
const RELEASE_DEADLINE_MS = 2_000;

export interface PutMeta {
  name: string;
  contentType: string;
  keywords: readonly string[];
}

export interface PutOutcome {
  cid: string;
  size: number;
  blocks: number;
  /** The fewest copies any block of the object reached, hinted stand-ins included (≥ w, at most r). */
  replicas: number;
}

export interface WritePathInit {
  self: Pick<PeerContact, 'id'>;
  /** Signs the metadata records of uploads this node takes. */
  identity: RecordSigner;
  db: Pick<ContentDb, 'putRecord' | 'getRecord' | 'getTombstone'>;
  clock: Clock;
  replicaSet: Pick<ReplicaSet, 'r' | 'w' | 'preferenceList'>;
  peers: Pick<ContentPeers, 'storeBlock' | 'storeRecord' | 'pinBlocks' | 'concurrency'>;
  /** Stores and pins this node's own copies, as a peer's would be. */
  server: Pick<ContentServer, 'acceptBlock' | 'acceptRecord' | 'pin' | 'release'>;
  records: Pick<RecordLookup, 'find'>;
  tombstones: Pick<Tombstones, 'expiresMs' | 'apply'>;
  metrics: Pick<ContentMetrics, 'puts' | 'handoffs'>;
  logger?: Logger;
  /** Told when this node starts holding a metadata record (the search index follows it). */
  onRecords?: { stored(record: ObjectRecord): void };
  /** Default {@link DEFAULT_WRITE_WINDOW_BLOCKS}. */
  writeWindowBlocks?: number;
  /** Default SPECULATIVE_HANDOFF_MS (replica-writes.ts). */
  speculativeHandoffMs?: number;
}

/**
 * Uploads, pipelined: every block goes to its r replicas as soon as the importer made it, while
 * later bytes of the body are still being read, over each replica's write stream (PutBlocks, one
 * group commit per batch on the replica). The root CID is known only when the last byte is in, so
 * those blocks travel with no roots and sit on the replicas as leased, evictable cache; the upload
 * ends with one PinBlocks per replica that pins them to the root, and the root block travels last
 * with the signed record in the same call. A put is acknowledged when every block is pinned on w
 * nodes of its preference list and the record is on w: a client that goes away mid-upload leaves
 * nothing acknowledged and nothing pinned anywhere.
 *
 * Sloppy quorum (Dynamo): a replica that fails, or stays silent for the speculative delay, is
 * replaced by the next node of the preference list for that block, which holds a hinted copy
 * (the root's with the record) and hands it back once the replica is reachable; the hint counts
 * towards w. A replica known silent from earlier copies (peer-silence.ts) gets its stand-in at
 * once for every later block. So a put fails only when fewer than w nodes of a block's
 * preference list take it. Copies still in flight when a block's outcome is known finish in the
 * background (a failed put waits for them) and hold a window slot of their own, so memory stays
 * bounded by twice the window.
 *
 * Each block is hashed once here (by the importer) and once on each replica; placement comes from
 * the routing table when it is complete for the key (ReplicaSet.preferenceList), otherwise from a
 * lookup.
 */
export class WritePath {
  readonly #init: WritePathInit;
  readonly #log: Logger;
  readonly #window: number;
  /** What this node's copies have seen of each peer: a busy replica is not a silent one. */
  readonly #silence: PeerSilence;

  constructor(init: WritePathInit) {
    this.#init = init;
    this.#log = init.logger ?? silentLogger;
    this.#window = init.writeWindowBlocks ?? DEFAULT_WRITE_WINDOW_BLOCKS;
    this.#silence = new PeerSilence(init.clock, init.speculativeHandoffMs ?? SPECULATIVE_HANDOFF_MS);
  }

  async put(source: AsyncIterable<Uint8Array>, meta: PutMeta, options: AbortOptions & { maxBytes?: number } = {}): Promise<PutOutcome> {
    const { signal } = options;
    const { clock, metrics } = this.#init;
    const sends: Promise<CopyOutcome[]>[] = [];
    /** Every copy of every block settled, also those that finished after their block's outcome was known. */
    const lates: Promise<unknown>[] = [];
    const track = (sent: Promise<ReplicaWrites>): Promise<CopyOutcome[]> => {
      const settled = sent.then((s) => s.settled);
      settled.catch(() => undefined);
      lates.push(settled);
      return sent.then((s) => s.enough);
    };
    try {
      const now = clock.now();
      const slots = new Slots(this.#window);
      const lateSlots = new Slots(this.#window);
      // The block the importer made last is held back one step: when the import ends, it is the
      // root (the importer hands the root over after every block it links to), which travels with
      // the record instead.
      let held: { cid: CID; bytes: Uint8Array } | undefined;
      const dispatch = async (block: { cid: CID; bytes: Uint8Array }): Promise<void> => {
        await slots.take(signal);
        const sent = this.#send(block.cid, block.bytes, signal);
        // A block leaves the window once its outcome is known; copies of it still in flight (to a
        // silent replica) keep a slot of the late window, or this one while that is full.
        sent.then(
          async (s) => {
            await s.enough;
            if (lateSlots.tryTake()) {
              slots.give();
              await s.settled;
              lateSlots.give();
            } else {
              await s.settled;
              slots.give();
            }
          },
          () => slots.give(),
        );
        const copies = track(sent);
        copies.catch(() => undefined);
        sends.push(copies);
      };
      const imported = await importFile(
        source,
        async (cid, bytes) => {
          const previous = held;
          held = { cid, bytes };
          if (previous) await dispatch(previous);
        },
        { ...(signal ? { signal } : {}), ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}) },
      );
      const root = cidToString(imported.cid);
      const last = held!;
      const rootHeld = cidToString(last.cid) === root;
      // Not the importer's order after all: the last block goes like the others; the root went
      // out unrooted too and is pinned with them, and the record then travels on its own.
      if (!rootHeld) await dispatch(last);
      this.#refuseIfDeletedHere(root);
      const record = signRecord(
        {
          cid: root,
          name: meta.name,
          contentType: meta.contentType,
          size: imported.size,
          blocks: imported.blocks.length,
          keywords: normaliseKeywords(meta.keywords),
          createdMs: this.#init.db.getRecord(root)?.createdMs ?? now,
        },
        this.#init.identity,
      );
      const copies = (await Promise.all(sends)).flat();
      const { w } = this.#init.replicaSet;
      // Pin what went out unrooted, and only then commit: the root block with the record. A put
      // that fails before the commit releases what it pinned, so it leaves nothing pinned.
      const pinned = await this.#pin(root, copies, signal).catch(async (err: unknown) => {
        await this.#release(root, copies);
        throw err;
      });
      const cids = imported.blocks.map((b) => cidToString(b.cid));
      let verdict = quorumShortfall(pinned, rootHeld ? cids.filter((c) => c !== root) : cids, w);
      let rootCopies: CopyOutcome[] = [];
      if (verdict.cid === undefined && !signal?.aborted) {
        if (rootHeld) {
          rootCopies = await track(this.#sendRoot(last, record, signal)).catch(async (err: unknown) => {
            await this.#release(root, pinned);
            throw err;
          });
        }
        verdict = quorumShortfall([...pinned, ...rootCopies], cids, w);
      }
      // A node that refused a copy knows the object is deleted: the put fails even with w copies.
      if (verdict.cid !== undefined || verdict.refused || signal?.aborted) {
        await this.#release(root, pinned);
        if (signal?.aborted) throw toAbortError(signal);
        if (verdict.refused) await this.#deletedError(root, signal);
        throw new InsufficientReplicasError(
          `block ${verdict.cid} reached ${verdict.acks} of its replicas, fewer than the write quorum ${w}; nothing was acknowledged, retry when more peers are up`,
          { details: { cid: verdict.cid, acknowledged: verdict.acks, required: w } },
        );
      }
      if (!rootHeld) await this.#sendRecordAlone(record, signal);
      // The node that took the upload remembers the record, so its own listing shows the object.
      if (this.#init.db.putRecord(record)) this.#init.onRecords?.stored(record);
      metrics.puts.inc({ outcome: 'ok' });
      // A slow replica and its stand-in may both have stored a block: r copies is what a put aims at.
      const replicas = Math.min(verdict.fewest, this.#init.replicaSet.r);
      this.#log.info({ cid: root, size: imported.size, blocks: imported.blocks.length, replicas }, 'object stored');
      return { cid: root, size: imported.size, blocks: imported.blocks.length, replicas };
    } catch (err) {
      // No block send is left running behind the caller's back, not even a late one.
      await Promise.allSettled(sends);
      await Promise.allSettled(lates);
      metrics.puts.inc({ outcome: outcomeLabel(err) });
      throw err;
    }
  }

  /** A block of an upload in progress (no roots yet) to its r replicas, or hints for the unreachable ones. */
  async #send(cid: CID, bytes: Uint8Array, signal: AbortSignal | undefined): Promise<ReplicaWrites> {
    const request: PutBlockRequest = { cid: cidToString(cid), data: bytes, roots: [], hintFor: '' };
    return this.#replicate(cid, request, signal);
  }

  /** The root block with the signed record, in one call per replica: a small object costs r calls. */
  async #sendRoot(block: { cid: CID; bytes: Uint8Array }, record: ObjectRecord, signal: AbortSignal | undefined): Promise<ReplicaWrites> {
    const request: PutBlockRequest = { cid: record.cid, data: block.bytes, roots: [record.cid], hintFor: '', record };
    return this.#replicate(block.cid, request, signal);
  }

  /**
   * The block to its r replicas at once; hinted hand-off to the next nodes of the list for each
   * replica that fails or stays silent (replica-writes.ts). A hint of the root block carries the
   * record too: a stored hint counts towards w, so the record must be on every node that counts,
   * and it travels back with the block (block-push.ts).
   */
  async #replicate(cid: CID, request: PutBlockRequest, signal: AbortSignal | undefined): Promise<ReplicaWrites> {
    const { replicaSet, clock, metrics } = this.#init;
    const order = await replicaSet.preferenceList(cidKey(cid), signal);
    const selfId = this.#init.self.id;
    return writeReplicas({
      cid: request.cid,
      targets: order.slice(0, replicaSet.r),
      spares: order.slice(replicaSet.r),
      w: replicaSet.w,
      clock,
      ...(this.#init.speculativeHandoffMs !== undefined ? { speculativeMs: this.#init.speculativeHandoffMs } : {}),
      // This node's own copy waits on its own disk, never across a network: it is never silent.
      answeredAt: (id) => (id === selfId ? clock.now() : this.#silence.answeredAt(id)),
      silent: (id) => id !== selfId && this.#silence.silent(id),
      store: async (peer, hintFor) => {
        if (signal?.aborted) return 'failed';
        const result = await this.#storeAt(peer, hintFor === '' ? request : { ...request, hintFor }, signal);
        if (hintFor !== '' && result === 'stored') metrics.handoffs.inc({ event: 'stored' });
        return result;
      },
    });
  }

  /** This node's own copy is accepted here; another node's goes over its write stream. */
  async #storeAt(target: PeerContact, request: PutBlockRequest, signal: AbortSignal | undefined): Promise<StoreResult> {
    try {
      if (target.id === this.#init.self.id) {
        // This node's copy of the record is written once the put is acknowledged (below), so a put
        // that fails leaves no record here to list.
        return (await this.#init.server.acceptBlock(request, { verified: true })) ? 'stored' : 'refused';
      }
      this.#silence.sent(target.id);
      let stored: boolean;
      try {
        stored = await this.#init.peers.storeBlock(target, request, signal);
      } catch (err) {
        // An abort of the put is this node's doing, not the peer's silence.
        this.#silence.settled(target.id, signal?.aborted ? 'cancelled' : 'failed');
        throw err;
      }
      this.#silence.settled(target.id, 'answered');
      return stored ? 'stored' : 'refused';
    } catch (err) {
      if (signal?.aborted) throw err;
      this.#log.debug({ peer: target.id.slice(0, 12), cid: request.cid, err: (err as Error).message }, 'block write failed');
      return 'failed';
    }
  }

  /**
   * Pins the copies sent without roots to `root`: one PinBlocks per node that took some (this node
   * pins its own in place). A copy counts once it is pinned; a node that does not answer pins none,
   * and one known silent by now (it stopped answering after it took them) is not asked: its
   * copies are lost with it, and the block counts the others.
   */
  async #pin(root: string, copies: readonly CopyOutcome[], signal: AbortSignal | undefined): Promise<CopyOutcome[]> {
    const plan = pinPlan(copies);
    const out: CopyOutcome[] = copies.filter((c) => c.result !== 'stored');
    await mapLimit([...plan.values()], this.#init.peers.concurrency, async ({ peer, blocks }) => {
      for (let i = 0; i < blocks.length; i += PIN_BATCH) {
        const batch = blocks.slice(i, i + PIN_BATCH);
        let flags: readonly boolean[];
        if (peer.id === this.#init.self.id) flags = this.#init.server.pin(root, batch);
        else if (this.#silence.silent(peer.id)) flags = batch.map(() => false);
        else {
          this.#silence.sent(peer.id);
          try {
            flags = await this.#init.peers.pinBlocks(peer, root, batch, signal);
            this.#silence.settled(peer.id, 'answered');
          } catch (err) {
            this.#silence.settled(peer.id, signal?.aborted ? 'cancelled' : 'failed');
            if (signal?.aborted) throw err;
            flags = batch.map(() => false);
          }
        }
        batch.forEach((b, j) => out.push({ cid: b.cid, peer, hintFor: b.hintFor, result: flags[j] ? 'stored' : 'failed' }));
      }
    });
    return out;
  }

  /**
   * Best effort, after a failed put: the nodes that pinned copies drop the root's claim again (a
   * node that holds the object's record keeps them: the object exists). Its own short deadline,
   * not the caller's signal, which may be why the put failed.
   */
  async #release(root: string, pinned: readonly CopyOutcome[]): Promise<void> {
    const plan = pinPlan(pinned);
    await mapLimit([...plan.values()], this.#init.peers.concurrency, async ({ peer, blocks }) => {
      for (let i = 0; i < blocks.length; i += PIN_BATCH) {
        const batch = blocks.slice(i, i + PIN_BATCH);
        try {
          if (peer.id === this.#init.self.id) this.#init.server.release(root, batch);
          else await this.#init.peers.pinBlocks(peer, root, batch, AbortSignal.timeout(RELEASE_DEADLINE_MS), true);
        } catch (err) {
          this.#log.debug({ peer: peer.id.slice(0, 12), root, err: (err as Error).message }, 'releasing a failed upload’s blocks failed');
        }
      }
    });
  }

  /**
   * When the root block went out with the others (no record with it): the record on its own, to
   * the r replicas, and while fewer than w took it to the next nodes of the list (those not known
   * silent first), one at a time.
   */
  async #sendRecordAlone(record: ObjectRecord, signal: AbortSignal | undefined): Promise<void> {
    const { replicaSet, peers, server, self } = this.#init;
    const order = await replicaSet.preferenceList(cidKey(parseCid(record.cid)), signal);
    const put = async (t: PeerContact): Promise<boolean> => {
      try {
        return t.id === self.id ? server.acceptRecord(record) : await peers.storeRecord(t, record, signal);
      } catch {
        return false;
      }
    };
    let acks = (await Promise.all(order.slice(0, replicaSet.r).map(put))).filter(Boolean).length;
    const spares = order.slice(replicaSet.r);
    spares.sort((x, y) => Number(this.#silence.silent(x.id)) - Number(this.#silence.silent(y.id)));
    for (const spare of spares) {
      if (acks >= replicaSet.w || signal?.aborted) break;
      if (await put(spare)) acks++;
    }
    if (acks < replicaSet.w) {
      throw new InsufficientReplicasError(`the record of ${record.cid} reached ${acks} of its replicas, fewer than the write quorum ${replicaSet.w}`, {
        details: { cid: record.cid, acknowledged: acks, required: replicaSet.w },
      });
    }
  }

  /** This node knows the object was deleted: refuse before anything is pinned. */
  #refuseIfDeletedHere(root: string): void {
    const t = this.#init.db.getTombstone(root);
    if (t) throw this.#deleted(root, t.deletedMs, this.#init.tombstones.expiresMs(t));
  }

  /** A replica refused the object because it is deleted: learn the tombstone and say when it expires. */
  async #deletedError(root: string, signal: AbortSignal | undefined): Promise<never> {
    const found = await this.#init.records.find(parseCid(root), signal).catch(() => undefined);
    const t = found?.tombstone;
    if (t) {
      this.#init.tombstones.apply(t);
      throw this.#deleted(root, t.deletedMs, this.#init.tombstones.expiresMs(t));
    }
    throw new PeerweaveError('FAILED_PRECONDITION', `object ${root} was refused by its replicas: it is deleted`);
  }

  #deleted(root: string, deletedMs: number, expiresMs: number): PeerweaveError {
    return new PeerweaveError(
      'FAILED_PRECONDITION',
      `object ${root} was deleted at ${new Date(deletedMs).toISOString()}; it can be stored again once the delete expires (${new Date(expiresMs).toISOString()})`,
    );
  }
}

/**
 * A counting semaphore for the upload window: `take` waits (or rejects when `signal` aborts)
 * until fewer than `size` blocks are on their way.
 */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  async take(signal: AbortSignal | undefined): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await raceSignal(new Promise<void>((resolve) => this.#waiting.push(resolve)), signal);
  }

  /** A slot if one is free now, without waiting. */
  tryTake(): boolean {
    if (this.#free === 0) return false;
    this.#free--;
    return true;
  }

  give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}
