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

interface Queued {
  readonly update: MemberUpdate;
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
 */
export class BroadcastQueue {
  readonly #retransmitMult: number;
  readonly #viewSize: () => number;
  readonly #maxQueued: number;
  /** Keyed by the member the update is about. */
  readonly #byMember = new Map<string, Queued>();
  /** levels[t]: the queued updates sent t times, oldest (lowest id) first. */
  readonly #levels: Queued[][] = [];
  #nextId = 1;

  constructor(init: BroadcastQueueInit) {
    this.#retransmitMult = init.retransmitMult;
    this.#viewSize = init.viewSize;
    this.#maxQueued = Math.max(1, init.maxQueued ?? DEFAULT_MAX_QUEUED_UPDATES);
  }

  get size(): number {
    return this.#byMember.size;
  }

  /** Queues `update` with no transmits yet, replacing any queued update about the same member. */
  enqueue(update: MemberUpdate): void {
    const key = update.contact.id;
    const old = this.#byMember.get(key);
    if (old !== undefined) this.#unlevel(old);
    const q: Queued = { update, id: this.#nextId++, transmits: 0 };
    this.#byMember.delete(key);
    this.#byMember.set(key, q);
    // The newest id: it goes at the end of level 0.
    this.#level(0).push(q);
    if (this.#byMember.size > this.#maxQueued) this.#prune();
  }

  /**
   * Up to `maxCount` updates for one outgoing message: fewest transmits first, newest first among
   * equals. Each counts one transmit; those that reach the retransmit limit leave the queue.
   */
  take(maxCount: number): MemberUpdate[] {
    if (maxCount <= 0 || this.#byMember.size === 0) return [];
    const limit = retransmitLimit(this.#retransmitMult, this.#viewSize());
    const chosen = this.#first(maxCount);
    const out: MemberUpdate[] = new Array<MemberUpdate>(chosen.length);
    // Chosen entries are the last ones of their levels: pop them before moving any up.
    for (let i = chosen.length - 1; i >= 0; i--) this.#levels[chosen[i]!.transmits]!.pop();
    for (let i = 0; i < chosen.length; i++) {
      const q = chosen[i]!;
      out[i] = q.update;
      q.transmits++;
      if (q.transmits >= limit) this.#byMember.delete(q.update.contact.id);
      else insertById(this.#level(q.transmits), q);
    }
    return out;
  }

  /** The queued update about `memberId`, if any (for tests and diagnostics). */
  peek(memberId: string): MemberUpdate | undefined {
    return this.#byMember.get(memberId)?.update;
  }

  clear(): void {
    this.#byMember.clear();
    this.#levels.length = 0;
  }

  /** The first `n` in send order: the newest of the lowest levels. */
  #first(n: number): Queued[] {
    const best: Queued[] = [];
    for (let t = 0; t < this.#levels.length && best.length < n; t++) {
      const level = this.#levels[t]!;
      for (let i = level.length - 1; i >= 0 && best.length < n; i--) best.push(level[i]!);
    }
    return best;
  }

  #level(t: number): Queued[] {
    while (this.#levels.length <= t) this.#levels.push([]);
    return this.#levels[t]!;
  }

  /** Takes `q` out of its level (found by binary search on its id). */
  #unlevel(q: Queued): void {
    const level = this.#levels[q.transmits];
    if (level === undefined) return;
    const i = indexById(level, q.id);
    if (level[i] === q) level.splice(i, 1);
  }

  /** Drops from the far end of the send order: most transmitted, then oldest (memberlist Prune). */
  #prune(): void {
    for (let t = this.#levels.length - 1; t >= 0 && this.#byMember.size > this.#maxQueued; t--) {
      const level = this.#levels[t]!;
      let cut = 0;
      while (cut < level.length && this.#byMember.size > this.#maxQueued) {
        this.#byMember.delete(level[cut]!.update.contact.id);
        cut++;
      }
      if (cut > 0) level.splice(0, cut);
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
