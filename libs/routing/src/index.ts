// Public API of the routing layer: the RoutingNode facade (Kademlia table and lookups, SWIM liveness,
// joining, neighbourhood, overlay), the XOR metric other libs rank by, and the defaults node-config
// reads. The components behind the facade (k-buckets, lookup, membership, suspicion, ...) stay inside.
export {
  RoutingNode,
  DEFAULT_BUCKET_REFRESH_MS,
  DEFAULT_JOIN_INTERVAL_MS,
  DEFAULT_OVERLAY_NEIGHBOURS,
  DEFAULT_REPLICATION_FACTOR,
  firstRefreshCheckBoundMs,
  type RoutingNodeInit,
  type PeerView,
  type LookupOutcome,
  type RoutingEvents,
} from './routing-node.ts';
export { SeedResolver, splitHostPort, type ResolveAll, type SeedResolverInit } from './seed-resolver.ts';
export { refreshOverlay, xorRank, type NeighbourhoodChange } from './neighbourhood.ts';
export { compareDistance, sortByDistance, closestN } from './kademlia/distance.ts';
export { idFromHex } from './kademlia/contact.ts';
export { DEFAULT_K } from './kademlia/k-bucket.ts';
export { DEFAULT_ALPHA, DEFAULT_LOOKUP_DEADLINE_MS, DEFAULT_QUERY_DEADLINE_MS } from './kademlia/lookup.ts';
// SWIM: the defaults node-config reads one by one (all of them, as memberlist's DefaultLANConfig, in
// DEFAULT_SWIM_TUNING).
export {
  DEFAULT_INDIRECT_CHECKS,
  DEFAULT_SUSPICION_MULT,
  DEFAULT_SUSPICION_MAX_TIMEOUT_MULT,
  DEFAULT_SUSPICION_CONFIRMATIONS,
  DEFAULT_RETRANSMIT_MULT,
  DEFAULT_SWIM_TUNING,
  type SwimTuning,
} from './swim/swim-config.ts';
