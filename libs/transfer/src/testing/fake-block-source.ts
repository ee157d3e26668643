import { NotFoundError, UnavailableError, type AbortOptions, type Clock } from '@peerweave/core';
import type { BlockSource } from '../block-source.ts';
import type { DeliveryTracker } from './delivery-tracker.ts';

/**
 * How a fake source behaves: serves good bytes, flips a byte of every block, throws UNAVAILABLE,
 * says NOT_FOUND, or never answers (until its request is aborted). Change it mid-download to make
 * a peer die halfway; requests already queued see the new mode when they would have answered.
 */
export type FakeSourceMode = 'ok' | 'corrupt' | 'unavailable' | 'not-found' | 'hang';

export interface FakeBlockSourceInit {
  id: string;
  clock: Clock;
  /** Where the bytes come from (undefined: this source does not have the block). */
  content: (cid: string) => Uint8Array | undefined;
  /** Fixed delay added to every answer (clock time). */
  latencyMs?: number;
  /** Upload bandwidth: requests are served one after another, each taking bytes / bytesPerMs. */
  bytesPerMs?: number;
  mode?: FakeSourceMode;
  tracker?: DeliveryTracker;
  /** Called before each answer is decided, with the number of requests seen so far (1-based). */
  onRequest?: (cid: string, n: number) => void;
}

export interface FakeRequest {
  readonly cid: string;
  readonly atMs: number;
}

/** An in-memory provider whose speed is clock time, so a ManualClock makes every run identical. */
export class FakeBlockSource implements BlockSource {
  readonly id: string;
  mode: FakeSourceMode;
  readonly requests: FakeRequest[] = [];
  served = 0;
  aborted = 0;
  inFlight = 0;
  maxInFlight = 0;
  readonly #init: FakeBlockSourceInit;
  #busyUntilMs = 0;

  constructor(init: FakeBlockSourceInit) {
    this.id = init.id;
    this.mode = init.mode ?? 'ok';
    this.#init = init;
  }

  async fetch(cid: string, { signal }: Required<AbortOptions>): Promise<Uint8Array> {
    const { clock } = this.#init;
    this.requests.push({ cid, atMs: clock.now() });
    this.#init.onRequest?.(cid, this.requests.length);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      signal.throwIfAborted();
      this.#failIfBroken(cid);
      const bytes = this.#init.content(cid);
      if (bytes === undefined) throw new NotFoundError(`${this.id} does not have ${cid}`);
      if (this.mode === 'hang') await never(signal);
      const now = clock.now();
      const sendMs = this.#init.bytesPerMs === undefined ? 0 : bytes.length / this.#init.bytesPerMs;
      this.#busyUntilMs = Math.max(now, this.#busyUntilMs) + sendMs;
      await clock.sleep(this.#busyUntilMs - now + (this.#init.latencyMs ?? 0), { signal });
      this.#failIfBroken(cid);
      if (this.mode === 'hang') await never(signal);
      this.served++;
      this.#init.tracker?.delivered(cid);
      if (this.mode === 'corrupt') {
        const bad = new Uint8Array(bytes); // a copy, even when `bytes` is a Buffer (whose slice is a view)
        bad[bad.length >> 1]! ^= 0xff;
        return bad;
      }
      return bytes;
    } catch (err) {
      if (signal.aborted) this.aborted++;
      throw err;
    } finally {
      this.inFlight--;
    }
  }

  #failIfBroken(cid: string): void {
    if (this.mode === 'unavailable') throw new UnavailableError(`${this.id} is unavailable`);
    if (this.mode === 'not-found') throw new NotFoundError(`${this.id} does not have ${cid}`);
  }
}

function never(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}
