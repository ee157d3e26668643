/** What the provider choice needs to know about one candidate peer. */
export interface ProviderView {
  readonly id: string;
  /** Requests of ours the peer is serving now. */
  readonly inFlight: number;
  readonly window: number;
  /** EWMA of bytes/ms over the peer's delivered blocks; undefined before its first block. */
  readonly throughput: number | undefined;
  /** Requests issued to it so far in this download. */
  readonly issued: number;
}

/**
 * The candidate to ask next: among those with a free slot in their window, the best measured
 * throughput. A peer not yet measured counts as the fastest, so every provider is tried early
 * (BitTorrent's optimistic unchoke does the same for newcomers). Ties go to the peer with fewer
 * requests in flight, then fewer issued overall, then the lower id: equal peers share the load and
 * the choice is deterministic. Undefined when every candidate's window is full.
 */
export function chooseProvider(candidates: readonly ProviderView[]): string | undefined {
  let best: ProviderView | undefined;
  for (const c of candidates) {
    if (c.inFlight >= c.window) continue;
    if (best === undefined || better(c, best)) best = c;
  }
  return best?.id;
}

function better(a: ProviderView, b: ProviderView): boolean {
  const ta = a.throughput ?? Number.POSITIVE_INFINITY;
  const tb = b.throughput ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta > tb;
  if (a.inFlight !== b.inFlight) return a.inFlight < b.inFlight;
  if (a.issued !== b.issued) return a.issued < b.issued;
  return a.id < b.id;
}
