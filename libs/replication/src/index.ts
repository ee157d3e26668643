// Public API of replication: where blocks and records live, quorum writes, reads from anywhere,
// repair, hinted hand-off, anti-entropy and deletes. ContentNode is the facade; the components it
// composes (README.md) stay inside the lib.
export { ContentNode, type ContentNodeInit } from './content-node.ts';
export { DEFAULT_REPLICATION_FACTOR, DEFAULT_WRITE_QUORUM, type ContentRouting } from './replica-set.ts';
export { DEFAULT_BLOCK_DEADLINE_MS, DEFAULT_TRANSFER_CONCURRENCY } from './content-peers.ts';
export { DEFAULT_CACHE_BYTES } from './read-cache.ts';
export { DEFAULT_REPAIR_INTERVAL_MS, DEFAULT_REPAIR_DELAY_MS, type RepairReport } from './repair.ts';
export { DEFAULT_ANTI_ENTROPY_INTERVAL_MS, type AntiEntropyReport } from './anti-entropy.ts';
export { DEFAULT_TOMBSTONE_TTL_MS } from './tombstones.ts';
export { DEFAULT_PROVIDER_TTL_MS, MAX_PROVIDER_TTL_MS, MAX_PROVIDERS_PER_CID } from './providers.ts';
export { DEFAULT_MAX_REQUESTS_PER_PEER } from './content-server.ts';
export { type PutMeta, type PutOutcome } from './write-path.ts';
export { type BlockLocation, type StatOptions } from './read-path.ts';
export { type ObjectInfo } from './object-info.ts';
