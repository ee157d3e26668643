/**
 * How a SWIM probe period waits: for the direct ack within the (Lifeguard-scaled) ack deadline,
 * without accusing anyone when it is this node's own loop that ran late, and for the first ack
 * among the direct and indirect attempts. Pure over a Clock and promises; swim.ts decides.
 */
import type { Clock } from '@peerweave/core';

/** What one attempt came to: an ack, a helper's answer that the target did not ack (Lifeguard's nack), or nothing. */
export type Attempt = 'ack' | 'nack' | 'none';

/**
 * Resolves with the promise's value, or undefined if `ms` pass or the signal aborts first.
 *
 * A timer that fires late means this node's event loop was busy (CPU starved, GC, a burst of
 * work): the answer may well be sitting unread in a socket, and libuv runs due timers before it
 * polls for I/O. So a late timeout is decided only after one turn of the loop has read what
 * arrived meanwhile (`setImmediate` runs after the poll phase), and `onLate` hears of it, as a
 * sign of ill health for Lifeguard. A manual clock fires exactly on time, so simulations never
 * take this path.
 */
export function settleWithin<T>(
  clock: Clock,
  promise: Promise<T>,
  ms: number,
  signal: AbortSignal,
  onLate?: (lateMs: number) => void,
): Promise<T | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const due = clock.now() + ms;
    const finish = (value: T | undefined): void => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = (): void => finish(undefined);
    const onTimer = (): void => {
      const lateMs = clock.now() - due;
      if (lateMs < lateThresholdMs(ms)) return finish(undefined);
      onLate?.(lateMs);
      setImmediate(() => finish(undefined));
    };
    const timer = clock.setTimeout(onTimer, ms);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) finish(undefined);
    promise.then(finish, () => finish(undefined));
  });
}

/** A timer this much past due (half its length, at least 20 ms) fired late because the loop was busy. */
export function lateThresholdMs(ms: number): number {
  return Math.max(20, Math.floor(ms / 2));
}

export interface AckOutcome {
  acked: boolean;
  /** Index of the attempt that acked. */
  ackedBy: number;
  /** Each attempt's result so far ('none' while pending). */
  results: Attempt[];
}

/** Waits for the first ack among `attempts`, or for all of them to settle, or for the signal. */
export function firstAck(attempts: Promise<Attempt>[], signal: AbortSignal): Promise<AckOutcome> {
  return new Promise((resolve) => {
    const results: Attempt[] = attempts.map(() => 'none');
    let pending = attempts.length;
    let done = false;
    const finish = (ackedBy: number): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      resolve({ acked: ackedBy >= 0, ackedBy, results: [...results] });
    };
    const onAbort = (): void => finish(-1);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted || pending === 0) finish(-1);
    attempts.forEach((attempt, i) => {
      void attempt.then((result) => {
        results[i] = result;
        if (result === 'ack') finish(i);
        else if (--pending === 0) finish(-1);
      });
    });
  });
}

/** Resolves when every promise settled or the signal aborted, whichever comes first. */
export function untilSettledOrAborted(promises: Promise<unknown>[], signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = (): void => resolve();
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    void Promise.allSettled(promises).then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** Resolves when the signal aborts (at once if it has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
