import type { Clock, TimerHandle } from '@peerweave/core';
import { remainingSuspicionTime } from './swim-math.ts';

export interface SuspicionInit {
  clock: Clock;
  /** The first suspecter; its later claims are not counted as confirmations. */
  from: string;
  /** Independent confirmations expected to drive the timeout down to `minMs`; below 1, `minMs` applies at once. */
  k: number;
  minMs: number;
  maxMs: number;
  /** Called once when the timer runs out, with the number of confirmations seen. */
  onTimeout: (confirmations: number) => void;
}

/**
 * The suspicion timer of one member (memberlist `suspicion.go`, Lifeguard's "local health aware
 * suspicion"). It starts at `maxMs`, long enough for a slow but alive member to refute, and
 * shrinks towards `minMs` as distinct members independently report the same suspicion: many
 * accusers make a real failure likely, a lone accuser may be the one with the problem.
 */
export class Suspicion {
  readonly #clock: Clock;
  readonly #k: number;
  readonly #minMs: number;
  readonly #maxMs: number;
  readonly #onTimeout: (confirmations: number) => void;
  readonly #start: number;
  readonly #accuser: string;
  readonly #suspecters = new Set<string>();
  #confirmations = 0;
  #timer: TimerHandle | undefined;
  #done = false;

  constructor(init: SuspicionInit) {
    this.#clock = init.clock;
    this.#k = init.k;
    this.#minMs = init.minMs;
    this.#maxMs = init.maxMs;
    this.#onTimeout = init.onTimeout;
    this.#accuser = init.from;
    this.#suspecters.add(init.from);
    this.#start = init.clock.now();
    this.#schedule(init.k < 1 ? init.minMs : init.maxMs);
  }

  /** The first suspecter: the `from` of this node's own claim when it passes the suspicion on. */
  get accuser(): string {
    return this.#accuser;
  }

  /** Distinct confirmations counted so far (the first suspecter excluded). */
  get confirmations(): number {
    return this.#confirmations;
  }

  /** True once the timer fired or was cancelled. */
  get done(): boolean {
    return this.#done;
  }

  /** Total timeout given the confirmations so far, measured from the start. */
  get timeoutMs(): number {
    return remainingSuspicionTime(this.#confirmations, this.#k, 0, this.#minMs, this.#maxMs);
  }

  /** Time left before the member is declared dead (never negative). */
  remainingMs(): number {
    return Math.max(0, this.#start + this.timeoutMs - this.#clock.now());
  }

  /**
   * Counts `from` as an independent suspecter. Returns true if that was new information (worth
   * re-gossiping), false for a repeat, a finished timer, or once k confirmations are in.
   */
  confirm(from: string): boolean {
    if (this.#done || this.#confirmations >= this.#k || this.#suspecters.has(from)) return false;
    this.#suspecters.add(from);
    this.#confirmations++;
    const elapsed = this.#clock.now() - this.#start;
    const remaining = remainingSuspicionTime(this.#confirmations, this.#k, elapsed, this.#minMs, this.#maxMs);
    this.#clock.clearTimeout(this.#timer!);
    // Fired from a timer even when overdue, so the caller's update handling finishes first.
    this.#schedule(Math.max(0, remaining));
    return true;
  }

  /** Stops the timer (the member refuted, or was declared dead by someone else). */
  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
  }

  #schedule(ms: number): void {
    this.#timer = this.#clock.setTimeout(() => {
      if (this.#done) return;
      this.#done = true;
      this.#onTimeout(this.#confirmations);
    }, ms);
  }
}
