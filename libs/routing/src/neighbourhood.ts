/** The set difference between two neighbourhoods, for `neighbourhood-changed` listeners. */
export interface NeighbourhoodChange {
  /** Ids now in the neighbourhood, closest to this node first. */
  readonly members: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** Compares an old and new member list; undefined when nothing changed (order aside). */
export function diffNeighbourhood(previous: readonly string[], next: readonly string[]): NeighbourhoodChange | undefined {
  const before = new Set(previous);
  const after = new Set(next);
  const added = next.filter((id) => !before.has(id));
  const removed = previous.filter((id) => !after.has(id));
  if (added.length === 0 && removed.length === 0) return undefined;
  return { members: next, added, removed };
}

/**
 * Overlay neighbours for flooded search: keep the current ones that are still usable, then fill up
 * to `size` with one contact per bucket not yet represented (far buckets first, so a flood leaves
 * the local neighbourhood quickly), choosing within a bucket by `pick`.
 */
export function refreshOverlay(
  current: readonly string[],
  usable: (id: string) => boolean,
  buckets: ReadonlyMap<number, readonly string[]>,
  size: number,
  pick: (ids: readonly string[]) => string,
  bucketOf: (id: string) => number,
): string[] {
  const kept = current.filter(usable).slice(0, size);
  const represented = new Set(kept.map(bucketOf));
  const indices = [...buckets.keys()].sort((a, b) => b - a);
  for (const index of indices) {
    if (kept.length >= size) break;
    if (represented.has(index)) continue;
    const candidates = (buckets.get(index) ?? []).filter((id) => usable(id) && !kept.includes(id));
    if (candidates.length === 0) continue;
    kept.push(pick(candidates));
    represented.add(index);
  }
  // Fewer buckets than the overlay size (small networks): fill from any bucket.
  if (kept.length < size) {
    for (const index of indices) {
      for (const id of buckets.get(index) ?? []) {
        if (kept.length >= size) break;
        if (usable(id) && !kept.includes(id)) kept.push(id);
      }
    }
  }
  return kept;
}
