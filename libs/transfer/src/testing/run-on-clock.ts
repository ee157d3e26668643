import type { ManualClock } from '@peerweave/core/testing';

export interface RunOnClockOptions {
  /** Clock time moved per step; answers land at most this late. */
  stepMs?: number;
  /** Give up (throw) when the clock has moved this far without `work` settling. */
  maxMs?: number;
}

/**
 * Settles `work` by moving the manual clock forward step by step, letting every pending promise
 * run between steps (a macrotask turn drains the microtask queue). No real time passes.
 */
export async function runOnClock<T>(clock: ManualClock, work: Promise<T>, options: RunOnClockOptions = {}): Promise<T> {
  const { stepMs = 1, maxMs = 600_000 } = options;
  let settled = false;
  const tracked = work.finally(() => {
    settled = true;
  });
  tracked.catch(() => {});
  const stopAt = clock.now() + maxMs;
  for (;;) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (settled) break;
    if (clock.now() >= stopAt) throw new Error(`work did not settle within ${maxMs} ms of clock time`);
    await clock.advance(stepMs);
  }
  return tracked;
}
