import { systemClock, type Clock } from './clock.ts';
import { AbortError, DeadlineExceededError, PeerweaveError } from './errors.ts';

export interface AbortOptions {
  signal?: AbortSignal;
}

export interface DeadlineSignal extends Disposable {
  readonly signal: AbortSignal;
  /** Releases the deadline timer; call when the operation is over. */
  clear(): void;
}

/**
 * A signal that aborts when the caller's signal aborts or when `timeoutMs` elapses on `clock`,
 * whichever comes first. A deadline aborts with a DeadlineExceededError as the reason, a caller
 * abort keeps the caller's reason, so {@link toAbortError} can tell them apart.
 */
export function withDeadline(
  timeoutMs: number,
  options: AbortOptions & { clock?: Clock } = {},
): DeadlineSignal {
  const clock = options.clock ?? systemClock;
  const controller = new AbortController();
  const parent = options.signal;
  const onParentAbort = (): void => controller.abort(parent?.reason);
  const handle = clock.setTimeout(() => {
    controller.abort(new DeadlineExceededError(`deadline of ${timeoutMs} ms exceeded`));
  }, timeoutMs);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  const clear = (): void => {
    clock.clearTimeout(handle);
    parent?.removeEventListener('abort', onParentAbort);
  };
  return { signal: controller.signal, clear, [Symbol.dispose]: clear };
}

/** Throws the typed error for an aborted signal (DeadlineExceeded or Abort). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw toAbortError(signal);
}

/** The typed error that describes why `signal` aborted. */
export function toAbortError(signal: AbortSignal): PeerweaveError {
  const reason: unknown = signal.reason;
  if (reason instanceof PeerweaveError) return reason;
  return new AbortError('operation aborted', { cause: reason });
}

/**
 * Settles with `promise`, or rejects with the typed abort error as soon as `signal` aborts.
 * The underlying work is not cancelled by this; pass the signal down as well.
 */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(toAbortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(toAbortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
