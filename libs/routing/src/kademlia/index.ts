// Public API of the Kademlia part of routing: XOR metric, k-buckets, routing table, iterative lookup.
// Test helpers (FakeKademliaNetwork in ./test-support.ts) are left for the lib's `testing` entry.
export {
  ID_BITS,
  xorDistance,
  compareDistance,
  commonPrefixLength,
  bucketIndex,
  randomIdInBucket,
  sortByDistance,
  closestN,
} from './distance.ts';
export { idFromHex, idToHex, toContact, toContactInfo, refreshContact } from './contact.ts';
export type { Contact, ContactInfo, ResolvedContactInfo } from './contact.ts';
export { KBucket, DEFAULT_K } from './k-bucket.ts';
export type { KBucketInit, BucketObservation, BucketRemoval } from './k-bucket.ts';
export { RoutingTable } from './routing-table.ts';
export type { RoutingTableInit, TableObservation, TableRemoval, IdLike } from './routing-table.ts';
export { lookup, DEFAULT_ALPHA, DEFAULT_LOOKUP_DEADLINE_MS, DEFAULT_QUERY_DEADLINE_MS } from './lookup.ts';
export type { LookupInit, LookupResult, FindNodeQuery } from './lookup.ts';
