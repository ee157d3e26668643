/**
 * The long-lived streams a binding is serving, so that a stopping server can drain them: each stops
 * taking new work and ends (OK) once what it took is answered. A stream added while draining is
 * drained at once.
 */
export class StreamRegistry {
  readonly #streams = new Set<{ drain(): void }>();
  #draining = false;

  /** Streams open now. */
  get size(): number {
    return this.#streams.size;
  }

  add(stream: { drain(): void }): void {
    this.#streams.add(stream);
    if (this.#draining) stream.drain();
  }

  delete(stream: { drain(): void }): void {
    this.#streams.delete(stream);
  }

  drain(): void {
    this.#draining = true;
    for (const stream of [...this.#streams]) stream.drain();
  }
}
