import type { VerifiedSet } from './repair-plan.ts';

/**
 * Distinct replica sets remembered at once. A node's blocks fall into few sets (its neighbourhood's
 * combinations); when more than this many have been seen, everything is forgotten and verified
 * again once, which is what a repair pass does for a block it knows nothing of.
 */
export const MAX_REMEMBERED_SETS = 4096;

/**
 * What each held block was last verified complete against (Repair), kept small because it is the
 * one structure of a node that grows with its store (issue #12: RSS flat while the store grows).
 * A set key is r node ids joined (~200 characters at r = 3) and was kept once per block, with an
 * object per block for the pair: 10 000 blocks held ~1.5 MiB at r = 1 and ~3.5 MiB at r = 3. Here
 * a set key is kept once, and each block maps to one number, `pass × MAX_REMEMBERED_SETS + set`:
 * a small integer V8 stores in the map's table itself (a double beyond 2^31, still exact).
 */
export class VerifiedSets {
  readonly #byBlock = new Map<string, number>();
  readonly #setIds = new Map<string, number>();
  #sets: string[] = [];

  get size(): number {
    return this.#byBlock.size;
  }

  get(cid: string): VerifiedSet | undefined {
    const packed = this.#byBlock.get(cid);
    if (packed === undefined) return undefined;
    const set = this.#sets[packed % MAX_REMEMBERED_SETS];
    return set === undefined ? undefined : { set, pass: Math.floor(packed / MAX_REMEMBERED_SETS) };
  }

  set(cid: string, verified: VerifiedSet): void {
    if (!Number.isSafeInteger(verified.pass) || verified.pass < 0) throw new RangeError(`pass must be a non-negative integer, got ${verified.pass}`);
    let id = this.#setIds.get(verified.set);
    if (id === undefined) {
      if (this.#sets.length === MAX_REMEMBERED_SETS) this.clear();
      id = this.#sets.length;
      this.#sets.push(verified.set);
      this.#setIds.set(verified.set, id);
    }
    this.#byBlock.set(cid, verified.pass * MAX_REMEMBERED_SETS + id);
  }

  delete(cid: string): void {
    this.#byBlock.delete(cid);
  }

  /** Forgets every block and set (all are verified again by the next pass). */
  clear(): void {
    this.#byBlock.clear();
    this.#setIds.clear();
    this.#sets = [];
  }
}
