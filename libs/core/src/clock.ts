import { AbortError } from './errors.ts';

/** Opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

/**
 * Time as the rest of the system sees it. Protocol code never calls `Date.now()` or `setTimeout`
 * directly, so a {@link ManualClock} can drive thousands of nodes deterministically in one process.
 */
export interface Clock {
  /** Milliseconds since the epoch (system) or since the clock's start (manual). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Resolves after `ms`, rejects with AbortError if the signal fires first. */
  sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void>;
}

export function sleepWith(clock: Clock, ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortError('sleep aborted', { cause: signal.reason }));
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(new AbortError('sleep aborted', { cause: signal?.reason }));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The real clock. Timers are unref'd so a forgotten timer never keeps a process alive. */
class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  }

  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
  }

  sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void> {
    return sleepWith(this, ms, options);
  }
}

export const systemClock: Clock = new SystemClock();
