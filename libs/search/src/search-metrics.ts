import type { Counter, Metrics, Startable } from '@peerweave/core';
import type { SearchMode } from '@peerweave/protocol';

/** What the gauges read when scraped. */
export interface SearchGauges {
  /** Leaves attached to this supernode. */
  leaves(): number;
  /** Entries in this supernode's index of its leaves. */
  entries(): number;
  /** Supernodes this leaf is attached to. */
  attached(): number;
}

/** Totals of the counters since the node started, read by simulations and tests. */
export interface SearchTotals {
  /** Query messages this node sent as the asker (`peerweave_search_queries_sent_total`). */
  queriesSent: number;
  /** Query messages sent forwarding someone else's query (`_queries_forwarded_total`). */
  queriesForwarded: number;
  /** Hits messages sent answering queries (`_hits_sent_total`). */
  hitsSent: number;
  /** Queries dropped because their id had been seen (`_queries_duplicate_total`). */
  duplicates: number;
  /** Queries dropped by the per-neighbour rate limit (`_queries_rate_limited_total`). */
  rateLimited: number;
  /** Hits received for searches started here (`_hits_received_total`). */
  hitsReceived: number;
  /** Publish messages this leaf sent to its supernodes, heartbeats included (`_publishes_sent_total`). */
  publishesSent: number;
  /** Publish messages this supernode took from its leaves (`_publishes_received_total`). */
  publishesReceived: number;
}

/** A counter that also keeps its total over every label, so what is exported can be read back. */
class Tally<L extends string> implements Counter<L> {
  total = 0;
  readonly #counter: Counter<L>;

  constructor(counter: Counter<L>) {
    this.#counter = counter;
  }

  inc(labels?: Partial<Record<L, string | number>>, value = 1): void {
    this.#counter.inc(labels, value);
    this.total += value;
  }
}

/**
 * The counters of a node's search: declared here once (names `peerweave_search_*`), recorded by
 * the components, read back by `totals()`. There is no other count of what search did.
 */
export class SearchMetrics implements Startable {
  readonly sent: Tally<'mode'>;
  readonly forwarded: Tally<string>;
  readonly hitsSent: Tally<string>;
  readonly duplicates: Tally<string>;
  readonly rateLimited: Tally<string>;
  readonly hits: Tally<string>;
  readonly publishesSent: Tally<string>;
  readonly publishesReceived: Tally<string>;
  readonly searches: Counter<'mode' | 'outcome'>;
  readonly #perQuery;

  constructor(metrics: Metrics, gauges: SearchGauges) {
    metrics.gauge({ name: 'peerweave_search_supernode_index_entries', help: "Entries in this supernode's index of its leaves.", collect: gauges.entries });
    metrics.gauge({ name: 'peerweave_search_leaves_attached', help: 'Leaves attached to this supernode.', collect: gauges.leaves });
    metrics.gauge({ name: 'peerweave_search_attached_supernodes', help: 'Supernodes this leaf is attached to.', collect: gauges.attached });
    this.sent = new Tally(metrics.counter({ name: 'peerweave_search_queries_sent_total', help: 'Query messages sent by searches started here, by mode (flood, supernode).', labelNames: ['mode'] }));
    this.forwarded = new Tally(metrics.counter({ name: 'peerweave_search_queries_forwarded_total', help: "Query messages sent forwarding other nodes' queries." }));
    this.hitsSent = new Tally(metrics.counter({ name: 'peerweave_search_hits_sent_total', help: 'Hits messages sent answering queries (a supernode-mode query is answered even when nothing matches).' }));
    this.duplicates = new Tally(metrics.counter({ name: 'peerweave_search_queries_duplicate_total', help: 'Queries dropped because their id was seen before.' }));
    this.rateLimited = new Tally(metrics.counter({ name: 'peerweave_search_queries_rate_limited_total', help: 'Queries dropped by the per-neighbour rate limit.' }));
    this.hits = new Tally(metrics.counter({ name: 'peerweave_search_hits_received_total', help: 'Hits received for searches started here.' }));
    this.publishesSent = new Tally(metrics.counter({ name: 'peerweave_search_publishes_sent_total', help: 'Publish messages this leaf sent to its supernodes (whole index, batches of changes, heartbeats).' }));
    this.publishesReceived = new Tally(metrics.counter({ name: 'peerweave_search_publishes_received_total', help: 'Publish messages this supernode accepted from its leaves.' }));
    this.searches = metrics.counter({
      name: 'peerweave_search_searches_total',
      help: 'Searches started here, by mode (flood, supernode; the asked mode when it failed) and outcome: ok, partial (the deadline came first), or the error code.',
      labelNames: ['mode', 'outcome'],
    });
    // Exported at 0 from the start, so Prometheus's rate() sees the first search too.
    for (const mode of ['flood', 'supernode']) this.searches.inc({ mode, outcome: 'ok' }, 0);
    this.#perQuery = metrics.histogram({
      name: 'peerweave_search_messages_per_query',
      help: 'Messages of one search as the asker sees them: queries it sent plus Hits it received, by mode.',
      labelNames: ['mode'],
      buckets: [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    });
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** One search's messages as the asker saw them. */
  messagesPerQuery(mode: SearchMode, messages: number): void {
    this.#perQuery.observe(messages, { mode });
  }

  totals(): SearchTotals {
    return {
      queriesSent: this.sent.total,
      queriesForwarded: this.forwarded.total,
      hitsSent: this.hitsSent.total,
      duplicates: this.duplicates.total,
      rateLimited: this.rateLimited.total,
      hitsReceived: this.hits.total,
      publishesSent: this.publishesSent.total,
      publishesReceived: this.publishesReceived.total,
    };
  }
}
