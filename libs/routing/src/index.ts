// Public API of the routing layer: Kademlia table and lookups, SWIM liveness, joining.
export {
  RoutingNode,
  DEFAULT_BUCKET_REFRESH_MS,
  DEFAULT_JOIN_INTERVAL_MS,
  DEFAULT_OVERLAY_NEIGHBOURS,
  DEFAULT_REPLICATION_FACTOR,
  JOIN_BACKOFF_START_MS,
  type RoutingNodeInit,
  type PeerView,
  type LookupOutcome,
  type RoutingEvents,
} from './routing-node.ts';
export { SeedResolver, splitHostPort, joinHostPort, systemResolveAll, type ResolveAll, type SeedResolverInit } from './seed-resolver.ts';
export { diffNeighbourhood, refreshOverlay, xorRank, type NeighbourhoodChange } from './neighbourhood.ts';
export * from './kademlia/index.ts';
export * from './swim/index.ts';
