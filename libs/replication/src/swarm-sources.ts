/**
 * The sources a swarmed read asks for one block, best first: this node when it holds the block;
 * the r nodes that should hold it (not the next two as well: a node that does not hold a block
 * answers "not found" at once, which the swarm takes as fast, so it was asked for about a quarter
 * of all blocks in vain); the providers that announced the object, each once; and last the full
 * path with a lookup, for a block none of them has (it moved).
 */
export function swarmSources<S extends { readonly id: string }>(
  local: S | undefined,
  replicas: readonly S[],
  providers: readonly S[],
  network: S,
): S[] {
  const list: S[] = local ? [local, ...replicas] : [...replicas];
  for (const p of providers) if (!list.some((s) => s.id === p.id)) list.push(p);
  list.push(network);
  return list;
}
