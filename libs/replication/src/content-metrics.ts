import { PeerweaveError, type Metrics } from '@peerweave/core';
import type { ContentDb } from '@peerweave/storage';

/** What the storage gauges read when scraped. */
export interface ContentMetricsInit {
  blocks: { stats(): { blocks: number; bytes: number } };
  db: Pick<ContentDb, 'cachedBytes'>;
}

/** Every metric of the content side, each component takes the few it records. */
export type ContentMetrics = ReturnType<typeof createContentMetrics>;

/**
 * Declares the metrics of the content side of a node, once per node: the only place they are
 * declared (names `peerweave_<area>_<what>_<unit>`), so a component cannot register one twice.
 */
export function createContentMetrics(metrics: Metrics, init: ContentMetricsInit) {
  metrics.gauge({ name: 'peerweave_storage_blocks', help: 'Blocks in the local block store.', collect: () => init.blocks.stats().blocks });
  metrics.gauge({ name: 'peerweave_storage_bytes', help: 'Bytes of blocks in the local block store.', collect: () => init.blocks.stats().bytes });
  metrics.gauge({ name: 'peerweave_storage_cache_bytes', help: 'Bytes of blocks kept only as read cache.', collect: () => init.db.cachedBytes() });
  const puts = metrics.counter({ name: 'peerweave_content_puts_total', help: 'Object uploads by outcome (ok or the error code).', labelNames: ['outcome'] });
  const gets = metrics.counter({ name: 'peerweave_content_gets_total', help: 'Object reads by outcome (ok or the error code).', labelNames: ['outcome'] });
  // Exported at 0 from the start: a series that appears only at its first increment has no earlier
  // sample, so Prometheus's rate() would not see that first put or get.
  puts.inc({ outcome: 'ok' }, 0);
  gets.inc({ outcome: 'ok' }, 0);
  return {
    puts,
    gets,
    fetches: metrics.counter({ name: 'peerweave_content_block_fetches_total', help: 'Blocks read, by where they came from (local, peer, none).', labelNames: ['source'] }),
    served: metrics.counter({ name: 'peerweave_content_blocks_served_total', help: 'Blocks sent to peers that asked for them.' }),
    servedBytes: metrics.counter({ name: 'peerweave_content_served_bytes_total', help: 'Bytes of blocks sent to peers that asked for them.' }),
    refused: metrics.counter({ name: 'peerweave_content_requests_refused_total', help: 'Block requests refused with RESOURCE_EXHAUSTED because the peer had too many in flight here.' }),
    announcements: metrics.counter({ name: 'peerweave_content_provider_announcements_total', help: 'Provider records sent (one per CID and node told), by outcome.', labelNames: ['outcome'] }),
    providersFound: metrics.histogram({ name: 'peerweave_content_providers_found', help: 'Providers besides the replicas found for an object read from many peers.', buckets: [0, 1, 2, 4, 8, 16, 32, 64] }),
    corrupt: metrics.counter({ name: 'peerweave_content_corrupt_blocks_total', help: 'Blocks refused because their bytes did not match their CID, by source.', labelNames: ['source'] }),
    backlog: metrics.gauge({ name: 'peerweave_replication_repair_backlog_blocks', help: 'Blocks whose replica set was found incomplete and could not be completed in the last repair pass.' }),
    underReplicated: metrics.gauge({
      name: 'peerweave_replication_under_replicated_blocks',
      help: 'Blocks this node holds as a replica known, after the last repair pass, to be on fewer than r live replicas: a replica did not answer or take its copy, or fewer than r nodes are known for the block.',
    }),
    handoffs: metrics.counter({ name: 'peerweave_replication_handoffs_total', help: 'Hinted hand-off copies stored for an unreachable replica, and delivered back to it.', labelNames: ['event'] }),
    antiEntropy: metrics.counter({ name: 'peerweave_replication_anti_entropy_rounds_total', help: 'Anti-entropy rounds run with the neighbourhood.' }),
    placements: metrics.counter({ name: 'peerweave_replication_placements_total', help: 'Replica sets chosen for a write, by how: from the routing table (complete for the key) or by a network lookup.', labelNames: ['source'] }),
    moved: metrics.counter({ name: 'peerweave_replication_blocks_moved_total', help: 'Blocks copied to restore replicas, by reason (repair, anti_entropy).', labelNames: ['reason'] }),
  };
}

/** An error's label value for the outcome counters: its code in lower case, or `internal`. */
export function outcomeLabel(err: unknown): string {
  return err instanceof PeerweaveError ? err.code.toLowerCase() : 'internal';
}
