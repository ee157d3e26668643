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

/** Send order: fewest transmits first, newest first among equals. */
function sendsBefore(a: Queued, b: Queued): boolean {
  return a.transmits < b.transmits || (a.transmits === b.transmits && a.id > b.id);
}

/**
 * memberlist's TransmitLimitedQueue: the membership updates this node still has to gossip. Each
 * outgoing message piggybacks the least-transmitted (hence newest) updates; an update is dropped
 * after retransmitLimit(mult, n) sends, and a newer update about the same member replaces the
 * queued one (only the latest fact about a member is worth spreading).
 */
export class BroadcastQueue {
  readonly #retransmitMult: number;
  readonly #viewSize: () => number;
  readonly #maxQueued: number;
  /** Keyed by the member the update is about. */
  readonly #byMember = new Map<string, Queued>();
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
    this.#byMember.delete(key);
    this.#byMember.set(key, { update, id: this.#nextId++, transmits: 0 });
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
    for (const q of chosen) {
      q.transmits++;
      if (q.transmits >= limit) this.#byMember.delete(q.update.contact.id);
    }
    return chosen.map((q) => q.update);
  }

  /** The queued update about `memberId`, if any (for tests and diagnostics). */
  peek(memberId: string): MemberUpdate | undefined {
    return this.#byMember.get(memberId)?.update;
  }

  clear(): void {
    this.#byMember.clear();
  }

  /**
   * The first `n` in send order by one pass with a small sorted buffer: `take` runs for every
   * outgoing message, and sorting the whole queue each time dominated large simulations.
   */
  #first(n: number): Queued[] {
    const best: Queued[] = [];
    for (const q of this.#byMember.values()) {
      if (best.length === n && !sendsBefore(q, best[n - 1]!)) continue;
      let i = best.length < n ? best.length : n - 1;
      while (i > 0 && sendsBefore(q, best[i - 1]!)) {
        if (i < n) best[i] = best[i - 1]!;
        i--;
      }
      best[i] = q;
    }
    return best;
  }

  #ordered(): Queued[] {
    return [...this.#byMember.values()].sort((a, b) => a.transmits - b.transmits || b.id - a.id);
  }

  /** Drops from the far end of the send order: most transmitted, then oldest (memberlist Prune). */
  #prune(): void {
    const ordered = this.#ordered();
    for (let i = ordered.length - 1; i >= 0 && this.#byMember.size > this.#maxQueued; i--) {
      this.#byMember.delete(ordered[i]!.update.contact.id);
    }
  }
}
