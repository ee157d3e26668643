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
 * Overlay neighbours for flooded search: one contact per bucket for `size` buckets, chosen
 * alternately from the far end and the near end of the table, choosing within a bucket by `pick`.
 * Far contacts make a flood leave the local neighbourhood quickly; near ones make the overlay
 * reach everyone. Far buckets alone are not enough: Kademlia keeps the oldest contacts of a full
 * bucket, so every node's far buckets hold the same early joiners and a flood circles among them;
 * near buckets are rarely full, so every node is a near contact of the nodes whose ids are closest
 * to its own, and a flood that also follows near links reaches late joiners too.
 *
 * Current members are kept while they are usable and their bucket is still among the chosen ones,
 * so the overlay is stable once the table is, and follows the table while it grows (a node's first
 * contacts, all in one or two buckets, give way as buckets fill).
 */
export function refreshOverlay(
  current: readonly string[],
  usable: (id: string) => boolean,
  buckets: ReadonlyMap<number, readonly string[]>,
  size: number,
  pick: (ids: readonly string[]) => string,
  bucketOf: (id: string) => number,
): string[] {
  const byDistance = [...buckets.keys()].filter((i) => (buckets.get(i) ?? []).some(usable)).sort((a, b) => b - a);
  const order: number[] = [];
  for (let lo = 0, hi = byDistance.length - 1; lo <= hi; lo++, hi--) {
    order.push(byDistance[lo]!);
    if (hi !== lo) order.push(byDistance[hi]!);
  }
  const wanted = new Set(order.slice(0, size));
  const kept: string[] = [];
  const represented = new Set<number>();
  for (const id of current) {
    const bucket = bucketOf(id);
    if (kept.length >= size || !usable(id) || !wanted.has(bucket) || represented.has(bucket)) continue;
    kept.push(id);
    represented.add(bucket);
  }
  for (const index of order) {
    if (kept.length >= size) break;
    if (represented.has(index)) continue;
    const candidates = (buckets.get(index) ?? []).filter((id) => usable(id) && !kept.includes(id));
    if (candidates.length === 0) continue;
    kept.push(pick(candidates));
    represented.add(index);
  }
  // Fewer buckets than the overlay size (small networks): fill from any bucket, keeping current
  // members first.
  if (kept.length < size) {
    for (const id of current) if (kept.length < size && usable(id) && !kept.includes(id)) kept.push(id);
    for (const index of order) {
      for (const id of buckets.get(index) ?? []) {
        if (kept.length >= size) break;
        if (usable(id) && !kept.includes(id)) kept.push(id);
      }
    }
  }
  return kept;
}
