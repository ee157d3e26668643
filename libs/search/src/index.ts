// Public API of the search lib: the local FTS5 index, the SearchNode facade (flooded search with a
// TTL, the supernode role), and keeping the index in step with the content records. The components
// SearchNode composes (README.md) stay inside the lib.
export { DEFAULT_UPSERT_LINGER_MS, SearchIndex, SELF_OWNER, type SearchIndexInit, type SearchOptions } from './search-index.ts';
export {
  SearchNode,
  DEFAULT_SEEN_TTL_MS,
  DEFAULT_SEEN_MAX,
  DEFAULT_QUERY_RATE_PER_SECOND,
  DEFAULT_QUERY_BURST,
  DEFAULT_ATTACH_COUNT,
  DEFAULT_MAX_LEAVES,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_MAINTENANCE_MS,
  DEFAULT_PUBLISH_DELAY_MS,
  DEFAULT_LEAF_EXPIRY_MS,
  DEFAULT_SUPERNODE_TTL,
  DEFAULT_QUIET_MS,
  DEFAULT_SEARCH_DEADLINE_MS,
  DEFAULT_CALL_DEADLINE_MS,
  DEFAULT_PROBE_COUNT,
  type LocalIndex,
  type LeafIndex,
  type SearchRole,
  type SearchNodeOptions,
  type SearchNodeInit,
  type SearchModeOption,
  type SearchCallOptions,
  type SearchResult,
  type SearchTotals,
  type SupernodeCandidate,
} from './search-node.ts';
export type { SearchMetrics } from './search-metrics.ts';
export type { CollectedHit } from './merge.ts';
export { RecordIndexSync, type RecordIndexSyncInit, type RecordSource, type OwnIndex, type IndexedRecord } from './record-index-sync.ts';
