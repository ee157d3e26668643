import { UnreachableError } from './errors.ts';

/** A transfer with no byte for this long is aborted (transfers have no total deadline). */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

export interface StallGuardInit {
  readonly timeoutMs?: number;
  /** Names the transfer in the error: "no bytes from node http://… for 30 s". */
  readonly describe: (timeoutMs: number) => string;
}

/**
 * Aborts `signal` when {@link touch} has not been called for `timeoutMs`. One timer, re-armed with
 * `refresh()` on every chunk, so a 10 GiB transfer costs nothing extra.
 */
export class StallGuard {
  readonly timeoutMs: number;
  readonly #controller = new AbortController();
  readonly #describe: (timeoutMs: number) => string;
  #timer: NodeJS.Timeout | undefined;

  constructor(init: StallGuardInit) {
    this.timeoutMs = init.timeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    this.#describe = init.describe;
    this.#timer = setTimeout(() => this.#stall(), this.timeoutMs);
    this.#timer.unref();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Bytes moved: the clock starts again. */
  touch(): void {
    this.#timer?.refresh();
  }

  /** Gives the other side `timeoutMs` from now (e.g. for its answer once the upload is sent). */
  extend(timeoutMs: number): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#stall(), timeoutMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #stall(): void {
    this.#timer = undefined;
    this.#controller.abort(new UnreachableError(this.#describe(this.timeoutMs)));
  }
}
