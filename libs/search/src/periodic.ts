import { silentLogger, type Clock, type Logger, type Random, type Startable, type TimerHandle } from '@peerweave/core';

export interface PeriodicInit {
  clock: Clock;
  random: Random;
  logger?: Logger;
  /** Pause between the end of one round and the start of the next. */
  periodMs: number;
  /** One round; a failure is logged and the next round still comes. */
  round(): Promise<void>;
}

/**
 * The maintenance timer of the leaf client and the supernode server: the first round at a random
 * point of the first quarter period (nodes started together do not all act at once), then one a
 * period after each round ends; `kick` brings the next one forward.
 */
export class Periodic implements Startable {
  readonly #init: PeriodicInit;
  #running = false;
  #timer: TimerHandle | undefined;
  #round: Promise<void> | undefined;

  constructor(init: PeriodicInit) {
    this.#init = init;
  }

  get running(): boolean {
    return this.#running;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(this.#init.random.int(Math.max(1, Math.floor(this.#init.periodMs / 4))));
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    if (this.#timer !== undefined) this.#init.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#round;
  }

  /** Brings the next round forward, with jitter up to half a period (not while one runs). */
  kick(): void {
    if (!this.#running || this.#round !== undefined) return;
    this.#schedule(this.#init.random.int(Math.max(1, Math.floor(this.#init.periodMs / 2))));
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    if (this.#timer !== undefined) this.#init.clock.clearTimeout(this.#timer);
    this.#timer = this.#init.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#round = this.#init
        .round()
        .catch((err: unknown) => (this.#init.logger ?? silentLogger).debug({ err: (err as Error).message }, 'search maintenance failed'))
        .finally(() => {
          this.#round = undefined;
          if (this.#timer === undefined) this.#schedule(this.#init.periodMs);
        });
    }, delayMs);
  }
}
