// Public API of the search lib: the local FTS5 index, flooded search with a TTL and a seen-cache,
// and the supernode role (index of leaves, forwarding among supernodes).

// Node-local building blocks: the index, query parsing and limits, duplicate and rate control,
// merging of answers.
export {
  SearchIndex,
  SELF_OWNER,
  BM25_WEIGHTS,
  SEARCH_INDEX_SCHEMA_VERSION,
  type SearchIndexInit,
  type SearchOptions,
} from './search-index.ts';
export {
  parseQuery,
  quoteFts,
  clampTtl,
  cutRemoteTtl,
  clampLimit,
  DEFAULT_SEARCH_LIMIT,
  type ParsedQuery,
} from './query.ts';
export { SeenCache, type SeenCacheInit } from './seen-cache.ts';
export { TokenBuckets, type TokenBucketsInit } from './rate-limit.ts';
export { HitCollector, type HitCollectorInit, type CollectedHit } from './merge.ts';

// The engine: flooding with a TTL, supernode attachment, publishing and forwarding.
export {
  SearchNode,
  DEFAULT_SEEN_TTL_MS,
  DEFAULT_SEEN_MAX,
  DEFAULT_QUERY_RATE_PER_SECOND,
  DEFAULT_QUERY_BURST,
  DEFAULT_ATTACH_COUNT,
  DEFAULT_MAX_LEAVES,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_LEAF_EXPIRY_MS,
  DEFAULT_SUPERNODE_TTL,
  DEFAULT_QUIET_MS,
  DEFAULT_SEARCH_DEADLINE_MS,
  type LocalIndex,
  type LeafIndex,
  type SearchRole,
  type SearchNodeOptions,
  type SearchNodeInit,
  type SearchModeOption,
  type SearchCallOptions,
  type SearchResult,
  type SearchStats,
} from './search-node.ts';
