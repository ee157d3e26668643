import type { MemberUpdate } from '@peerweave/protocol';
import { retransmitLimit } from './swim-math.ts';

/** Default cap on queued updates; beyond it the most-transmitted, oldest are dropped. */
export const DEFAULT_MAX_QUEUED_UPDATES = 1024;

export interface BroadcastQueueInit {
  /** Multiplier of the retransmit limit: each update is sent retransmitMult × ceil(log10(n + 1)) times. */
  retransmitMult: number;
  /** Current view size n (members this node knows, itself included). */
  viewSize: () => number;
  /** Bound on queued updates. Default {@link DEFAULT_MAX_QUEUED_UPDATES}. */
  maxQueued?: number;
}

/**
 * What an update is for the order of sending: `state`, a change of a known member's state or
 * incarnation (suspect, dead, left, a refutation, a restart) and any update whose kind is not said;
 * `join`, a member alive that was unknown to this node. A `state` update is always sent before any
 * `join` one: failure detection depends on it, while a new member is also found by lookups.
 */
export type BroadcastLane = 'state' | 'join';

interface Queued {
  readonly update: MemberUpdate;
  /** 0: the state lane, 1: the join lane. */
  readonly lane: 0 | 1;
  /** Enqueue order: a higher id is newer. */
  readonly id: number;
  transmits: number;
}

/**
 * memberlist's TransmitLimitedQueue: the membership updates this node still has to gossip. Each
 * outgoing message piggybacks the least-transmitted (hence newest) updates; an update is dropped
 * after retransmitLimit(mult, n) sends, and a newer update about the same member replaces the
 * queued one (only the latest fact about a member is worth spreading).
 *
 * Kept in send order as memberlist keeps it in a B-tree: one list per transmit count, each sorted
 * by enqueue order, so `take` (run for every outgoing message) reads the ends of the first lists
 * instead of scanning the queue. At 10 000 simulated nodes the scan was a third of the CPU.
 *
 * Unlike memberlist's, the queue has two lanes, and every update of the `state` lane goes before
 * any of the `join` lane. `join` is the news that a member new to this node exists (see
 * {@link BroadcastLane}): a node that joins, or that many join beside, queues one such update for
 * every contact its table takes in, 130–200 of them at 1 000–10 000 simulated nodes, each to be
 * sent retransmitLimit times at ~8 a message; SWIM piggybacks on one probe and one ack a period,
 * so they took 100–150 s to drain, and while they did a death that had been sent a few times
 * waited behind every join update sent fewer times: in a 1 000-node simulation 865 nodes held a
 * death in their queues and sent each copy about once in 15 s, and a node that held the dead
 * member suspect heard of it from nobody for 13 s, until its own suspicion timer's maximum ran
 * out. memberlist has no such backlog to fear: it gossips separately, several packets a period.
 * A take can also cap the join lane (`maxJoin`): Swim gives state news up to 32 slots of a message
 * and join news at most 8 (DEFAULT_MAX_PIGGYBACK, DEFAULT_MAX_JOIN_PIGGYBACK).
 */
export class BroadcastQueue {
  readonly #retransmitMult: number;
  readonly #viewSize: () => number;
  readonly #maxQueued: number;
  /** Keyed by the member the update is about. */
  readonly #byMember = new Map<string, Queued>();
  /** lanes[lane][t]: the queued updates of that lane sent t times, oldest (lowest id) first. */
  readonly #lanes: [Queued[][], Queued[][]] = [[], []];
  /**
   * Per lane, a level below which every level is empty: take() starts there instead of reading
   * each empty level's length from 0 on (a cache miss each with thousands of simulated nodes, and
   * an idle state lane has a dozen). Only an enqueue adds below it, at level 0; take() moves an
   * update up a level.
   */
  readonly #lowest: [number, number] = [0, 0];
  #nextId = 1;

  constructor(init: BroadcastQueueInit) {
    this.#retransmitMult = init.retransmitMult;
    this.#viewSize = init.viewSize;
    this.#maxQueued = Math.max(1, init.maxQueued ?? DEFAULT_MAX_QUEUED_UPDATES);
  }

  get size(): number {
    return this.#byMember.size;
  }

  /**
   * Queues `update` with no transmits yet in `lane` (default `state`), replacing any queued update
   * about the same member.
   */
  enqueue(update: MemberUpdate, lane: BroadcastLane = 'state'): void {
    const key = update.contact.id;
    const old = this.#byMember.get(key);
    if (old !== undefined) this.#unlevel(old);
    const q: Queued = { update, lane: lane === 'join' ? 1 : 0, id: this.#nextId++, transmits: 0 };
    this.#byMember.delete(key);
    this.#byMember.set(key, q);
    // The newest id: it goes at the end of level 0.
    this.#level(q.lane, 0).push(q);
    this.#lowest[q.lane] = 0;
    if (this.#byMember.size > this.#maxQueued) this.#prune();
  }

  /**
   * Up to `maxCount` updates for one outgoing message, at most `maxJoin` of them from the join lane:
   * the state lane before the join lane, and in each fewest transmits first, newest first among
   * equals. Each counts one transmit; those that reach the retransmit limit leave the queue.
   */
  take(maxCount: number, maxJoin = maxCount): MemberUpdate[] {
    if (maxCount <= 0 || this.#byMember.size === 0) return [];
    const limit = retransmitLimit(this.#retransmitMult, this.#viewSize());
    const chosen = this.#first(maxCount, Math.max(0, maxJoin));
    const out: MemberUpdate[] = new Array<MemberUpdate>(chosen.length);
    // Chosen entries are the last ones of their levels: pop them before moving any up.
    for (let i = chosen.length - 1; i >= 0; i--) this.#lanes[chosen[i]!.lane][chosen[i]!.transmits]!.pop();
    for (let i = 0; i < chosen.length; i++) {
      const q = chosen[i]!;
      out[i] = q.update;
      q.transmits++;
      if (q.transmits >= limit) this.#byMember.delete(q.update.contact.id);
      else insertById(this.#level(q.lane, q.transmits), q);
    }
    return out;
  }

  /** The queued update about `memberId`, if any (for tests and diagnostics). */
  peek(memberId: string): MemberUpdate | undefined {
    return this.#byMember.get(memberId)?.update;
  }

  clear(): void {
    this.#byMember.clear();
    this.#lanes[0].length = 0;
    this.#lanes[1].length = 0;
    this.#lowest[0] = 0;
    this.#lowest[1] = 0;
  }

  /** The first `n` in send order, at most `maxJoin` of the join lane: the newest of the lowest levels, the state lane's first. */
  #first(n: number, maxJoin: number): Queued[] {
    const best: Queued[] = [];
    for (let lane = 0; lane < 2 && best.length < n; lane++) {
      const end = lane === 0 ? n : Math.min(n, best.length + maxJoin);
      const levels = this.#lanes[lane]!;
      let low = this.#lowest[lane]!;
      while (low < levels.length && levels[low]!.length === 0) low++;
      this.#lowest[lane] = low;
      for (let t = low; t < levels.length && best.length < end; t++) {
        const level = levels[t]!;
        for (let i = level.length - 1; i >= 0 && best.length < end; i--) best.push(level[i]!);
      }
    }
    return best;
  }

  #level(lane: 0 | 1, t: number): Queued[] {
    const levels = this.#lanes[lane];
    while (levels.length <= t) levels.push([]);
    return levels[t]!;
  }

  /** Takes `q` out of its level (found by binary search on its id). */
  #unlevel(q: Queued): void {
    const level = this.#lanes[q.lane][q.transmits];
    if (level === undefined) return;
    const i = indexById(level, q.id);
    if (level[i] === q) level.splice(i, 1);
  }

  /** Drops from the far end of the send order: the join lane first, most transmitted, then oldest (memberlist Prune). */
  #prune(): void {
    for (let lane = 1; lane >= 0; lane--) {
      const levels = this.#lanes[lane]!;
      for (let t = levels.length - 1; t >= 0 && this.#byMember.size > this.#maxQueued; t--) {
        const level = levels[t]!;
        let cut = 0;
        while (cut < level.length && this.#byMember.size > this.#maxQueued) {
          this.#byMember.delete(level[cut]!.update.contact.id);
          cut++;
        }
        if (cut > 0) level.splice(0, cut);
      }
    }
  }
}

/** The first index of `level` (sorted by id) whose id is ≥ `id`. */
function indexById(level: readonly Queued[], id: number): number {
  let lo = 0;
  let hi = level.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (level[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertById(level: Queued[], q: Queued): void {
  if (level.length === 0 || level[level.length - 1]!.id < q.id) level.push(q);
  else level.splice(indexById(level, q.id), 0, q);
}
