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
 * alternately from the far end and the near end of the table. Far contacts make a flood leave the
 * local neighbourhood quickly; near ones make it reach everyone: every node is a near contact of
 * the nodes whose ids are closest to its own.
 *
 * Within a bucket `rank` decides (lowest first), and it must not favour any node: the routing node
 * ranks by XOR distance to a random point of its own. Keeping whoever was picked first instead
 * (the first contacts a node ever had: the oldest nodes of the network, which Kademlia also keeps
 * in full buckets) piled most nodes' far links onto a few early joiners and left late joiners
 * with no incoming link at all — a TTL-4 flood of a 22-node cluster missed most of it. The result
 * depends only on the table, so it stays the same while the table does and follows it as it grows.
 * With fewer usable buckets than `size`, the rest is filled by rank from every bucket.
 */
export function refreshOverlay(
  usable: (id: string) => boolean,
  buckets: ReadonlyMap<number, readonly string[]>,
  size: number,
  rank: (id: string) => bigint,
): string[] {
  const byRank = (ids: readonly string[]): string[] =>
    ids
      .filter(usable)
      .map((id) => ({ id, r: rank(id) }))
      .sort((a, b) => (a.r < b.r ? -1 : a.r > b.r ? 1 : a.id < b.id ? -1 : 1))
      .map((x) => x.id);
  const byDistance = [...buckets.keys()].sort((a, b) => b - a);
  const ranked = new Map(byDistance.map((i) => [i, byRank(buckets.get(i) ?? [])] as const));
  const withContacts = byDistance.filter((i) => (ranked.get(i) ?? []).length > 0);
  const order: number[] = [];
  for (let lo = 0, hi = withContacts.length - 1; lo <= hi; lo++, hi--) {
    order.push(withContacts[lo]!);
    if (hi !== lo) order.push(withContacts[hi]!);
  }
  const chosen: string[] = [];
  for (const index of order) {
    if (chosen.length >= size) break;
    chosen.push(ranked.get(index)![0]!);
  }
  // Fewer buckets than the overlay size (small networks): fill by rank from every bucket.
  if (chosen.length < size) {
    const rest = byRank(order.flatMap((i) => ranked.get(i)!).filter((id) => !chosen.includes(id)));
    chosen.push(...rest.slice(0, size - chosen.length));
  }
  return chosen;
}

/**
 * The rank refreshOverlay uses within a bucket: XOR distance of an id (64 hex) to `point`, a random
 * point of the id space each node draws once, so no node is favoured by all the others.
 */
export function xorRank(point: bigint, hex: string): bigint {
  return point ^ BigInt(`0x${hex}`);
}
