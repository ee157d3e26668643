/**
 * Counts blocks that sources have handed out but the reader has not yet taken, across all fake
 * sources of a download: the memory the swarm holds on the reader's behalf. A block delivered twice
 * (end game) counts once; one that arrives after the reader took it does not count.
 */
export class DeliveryTracker {
  readonly #outstanding = new Set<string>();
  readonly #consumed = new Set<string>();
  #max = 0;

  delivered(cid: string): void {
    if (this.#consumed.has(cid)) return;
    this.#outstanding.add(cid);
    this.#max = Math.max(this.#max, this.#outstanding.size);
  }

  consumed(cid: string): void {
    this.#outstanding.delete(cid);
    this.#consumed.add(cid);
  }

  /** Delivered and not yet consumed, now. */
  get current(): number {
    return this.#outstanding.size;
  }

  /** The most that were ever delivered and not yet consumed at once. */
  get max(): number {
    return this.#max;
  }
}
