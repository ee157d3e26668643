import type { SearchHit } from '@peerweave/protocol';
import { clampLimit } from './query.ts';

export interface HitCollectorInit {
  /** Distinct CIDs wanted, held to 1..MAX_SEARCH_LIMIT. */
  limit: number;
}

/** A merged hit: the best-scoring report of a CID, and everyone who reported it. */
export interface CollectedHit extends SearchHit {
  /** Nodes that hold the object, in the order they were first reported. */
  readonly holders: readonly string[];
  /** Nodes whose answers listed it (a supernode answers for its leaves), in arrival order. */
  readonly responders: readonly string[];
}

interface Slot {
  best: SearchHit;
  readonly holders: Set<string>;
  readonly responders: Set<string>;
}

/**
 * Gathers the hits of one search as answers arrive from many nodes. The same object comes back
 * from every node that holds it (and from each supernode that indexes one of them), so hits are
 * merged by CID: the best score is kept (scores of different nodes are only roughly comparable,
 * the best one is the most generous reading), every holder is kept (a download wants them all as
 * providers). At most `limit` CIDs are kept: a better hit pushes the worst one out, so memory stays
 * bounded however many nodes answer.
 */
export class HitCollector {
  readonly #limit: number;
  readonly #slots = new Map<string, Slot>();
  readonly #responders = new Set<string>();

  constructor(init: HitCollectorInit) {
    this.#limit = clampLimit(init.limit);
  }

  /** Takes one node's answer (an empty one still counts as a response). */
  add(responder: string, hits: readonly SearchHit[]): void {
    this.#responders.add(responder);
    for (const hit of hits) {
      const slot = this.#slots.get(hit.cid);
      if (slot !== undefined) {
        if (score(hit) > score(slot.best)) slot.best = hit;
        slot.holders.add(hit.holder);
        slot.responders.add(responder);
        continue;
      }
      if (this.#slots.size >= this.#limit) {
        const worst = this.#worst();
        if (worst === undefined || compare(hit, worst.best) >= 0) continue;
        this.#slots.delete(worst.best.cid);
      }
      this.#slots.set(hit.cid, { best: hit, holders: new Set([hit.holder]), responders: new Set([responder]) });
    }
  }

  /** Best first (score descending, then CID), at most limit. */
  results(): CollectedHit[] {
    return [...this.#slots.values()]
      .map((slot) => ({ ...slot.best, holders: [...slot.holders], responders: [...slot.responders] }))
      .sort(compare);
  }

  /** Distinct nodes that answered. */
  get responders(): number {
    return this.#responders.size;
  }

  /** True once `limit` distinct CIDs are in: more answers can only improve, not add. */
  get full(): boolean {
    return this.#slots.size >= this.#limit;
  }

  /** The slot that sorts last (O(limit); limit ≤ MAX_SEARCH_LIMIT). */
  #worst(): Slot | undefined {
    let worst: Slot | undefined;
    for (const slot of this.#slots.values()) {
      if (worst === undefined || compare(slot.best, worst.best) > 0) worst = slot;
    }
    return worst;
  }
}

/** A peer's NaN or infinite score ranks last rather than poisoning the sort or claiming the top. */
function score(hit: SearchHit): number {
  return Number.isFinite(hit.score) ? hit.score : -Number.MAX_VALUE;
}

/** Sort order of results: higher score first, then CID ascending. */
function compare(a: SearchHit, b: SearchHit): number {
  return score(b) - score(a) || (a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0);
}
