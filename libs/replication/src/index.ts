// Public API of replication: where blocks and records live, quorum writes, reads from anywhere,
// repair, hinted hand-off, anti-entropy and deletes.
export {
  ContentNode,
  DEFAULT_ANTI_ENTROPY_INTERVAL_MS,
  DEFAULT_BLOCK_DEADLINE_MS,
  DEFAULT_CACHE_BYTES,
  DEFAULT_REPAIR_INTERVAL_MS,
  DEFAULT_REPLICATION_FACTOR,
  DEFAULT_TOMBSTONE_TTL_MS,
  DEFAULT_TRANSFER_CONCURRENCY,
  DEFAULT_WRITE_QUORUM,
  type BlockLocation,
  type ContentNodeInit,
  type ContentRouting,
  type ObjectInfo,
  type PutMeta,
  type PutOutcome,
  type RepairReport,
} from './content-node.ts';
export { preferenceList, assertQuorum } from './placement.ts';
export { rangeDigests, differingRanges, groupByRange, RANGE_COUNT, type KeyedEntry } from './digests.ts';
export { mapLimit } from './map-limit.ts';
