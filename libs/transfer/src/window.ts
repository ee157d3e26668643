/**
 * Per-peer request window, AIMD as in TCP congestion control: additive increase while the peer
 * keeps up, multiplicative decrease on any sign of trouble. A peer's window is how many of our
 * requests it may have in flight at once; a fast, far peer needs a deep pipeline to stay busy
 * (bandwidth × delay), a slow one only builds a queue whose latency the next sample reveals.
 */
export type WindowEvent =
  /** A verified block. `averageLatencyMs` is the peer's recent average before this sample. */
  | { readonly kind: 'delivered'; readonly latencyMs: number; readonly averageLatencyMs: number | undefined }
  | { readonly kind: 'error' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'corrupt' };

/**
 * The window after `event`, within [1, maxWindow]. Grows by one when a block came back faster than
 * the peer's recent average (the peer is not queueing our requests: room for one more); halves on
 * an error, a timeout or a corrupt block. The first sample of a peer has nothing to compare with
 * and leaves the window as it is.
 */
export function nextWindow(window: number, event: WindowEvent, maxWindow: number): number {
  const cap = Math.max(1, maxWindow);
  const current = Math.min(Math.max(1, window), cap);
  if (event.kind !== 'delivered') return Math.max(1, Math.floor(current / 2));
  const faster = event.averageLatencyMs !== undefined && event.latencyMs < event.averageLatencyMs;
  return faster ? Math.min(cap, current + 1) : current;
}

/** Exponentially weighted moving average; the first sample is taken as is. */
export function ewma(previous: number | undefined, sample: number, alpha: number): number {
  return previous === undefined ? sample : previous + alpha * (sample - previous);
}
