import type { ContentRouting } from './replica-set.ts';

/**
 * The running state shared by the components that work in passes against the current contacts
 * (repair, anti-entropy): started at most once, an abort signal for the pass in flight, and a
 * version bumped on every change of contacts, by which a pass tells whether anything moved since
 * an earlier one.
 */
export class ContactsWatch {
  readonly #routing: Pick<ContentRouting, 'on' | 'off'>;
  readonly #onChange: (() => void) | undefined;
  #running = false;
  #stop = new AbortController();
  #version = 0;
  readonly #listener = (): void => {
    this.#version++;
    this.#onChange?.();
  };

  /** `onChange` runs after each change of contacts while started. */
  constructor(routing: Pick<ContentRouting, 'on' | 'off'>, onChange?: () => void) {
    this.#routing = routing;
    this.#onChange = onChange;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Aborted by stop(). */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** Changes of contacts seen so far. */
  get version(): number {
    return this.#version;
  }

  /** Starts listening; false if already started. */
  start(): boolean {
    if (this.#running) return false;
    this.#running = true;
    this.#stop = new AbortController();
    this.#routing.on('contacts-changed', this.#listener);
    return true;
  }

  /** Stops listening and aborts the pass in flight; false if not started. */
  stop(): boolean {
    if (!this.#running) return false;
    this.#running = false;
    this.#stop.abort();
    this.#routing.off('contacts-changed', this.#listener);
    return true;
  }
}
