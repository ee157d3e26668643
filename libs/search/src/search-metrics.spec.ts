import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noopMetrics, type Metrics } from '@peerweave/core';
import { SearchMetrics } from './search-metrics.ts';

/** A registry that sums what each counter was given, by name. */
function recording() {
  const sums = new Map<string, number>();
  const gauges = new Map<string, () => number>();
  const metrics: Metrics = {
    counter: (o) => ({ inc: (_labels, value = 1) => void sums.set(o.name, (sums.get(o.name) ?? 0) + value) }),
    gauge: (o) => {
      if (o.collect) gauges.set(o.name, o.collect);
      return noopMetrics.gauge(o);
    },
    histogram: (o) => noopMetrics.histogram(o),
  };
  return { metrics, sums, gauges };
}

describe('SearchMetrics', () => {
  it('totals read back exactly what was exported, over every label', () => {
    const r = recording();
    const m = new SearchMetrics(r.metrics, { leaves: () => 3, entries: () => 7, attached: () => 2 });
    m.sent.inc({ mode: 'flood' }, 4);
    m.sent.inc({ mode: 'supernode' }, 1);
    m.forwarded.inc({}, 6);
    m.hitsSent.inc();
    m.hitsSent.inc();
    m.duplicates.inc();
    m.rateLimited.inc({}, 3);
    m.hits.inc({}, 10);
    m.publishesSent.inc({}, 4);
    m.publishesReceived.inc({}, 8);
    assert.deepEqual(m.totals(), { queriesSent: 5, queriesForwarded: 6, hitsSent: 2, duplicates: 1, rateLimited: 3, hitsReceived: 10, publishesSent: 4, publishesReceived: 8 });
    const rows: [keyof ReturnType<SearchMetrics['totals']>, string][] = [
      ['queriesSent', 'peerweave_search_queries_sent_total'],
      ['queriesForwarded', 'peerweave_search_queries_forwarded_total'],
      ['hitsSent', 'peerweave_search_hits_sent_total'],
      ['duplicates', 'peerweave_search_queries_duplicate_total'],
      ['rateLimited', 'peerweave_search_queries_rate_limited_total'],
      ['hitsReceived', 'peerweave_search_hits_received_total'],
      ['publishesSent', 'peerweave_search_publishes_sent_total'],
      ['publishesReceived', 'peerweave_search_publishes_received_total'],
    ];
    for (const [total, name] of rows) assert.equal(r.sums.get(name), m.totals()[total], name);
    assert.equal(r.gauges.get('peerweave_search_leaves_attached')!(), 3);
    assert.equal(r.gauges.get('peerweave_search_supernode_index_entries')!(), 7);
    assert.equal(r.gauges.get('peerweave_search_attached_supernodes')!(), 2);
  });

  it('starts at zero and counts on noop metrics too (simulations read totals without a registry)', () => {
    const m = new SearchMetrics(noopMetrics, { leaves: () => 0, entries: () => 0, attached: () => 0 });
    assert.deepEqual(m.totals(), { queriesSent: 0, queriesForwarded: 0, hitsSent: 0, duplicates: 0, rateLimited: 0, hitsReceived: 0, publishesSent: 0, publishesReceived: 0 });
    m.forwarded.inc();
    assert.equal(m.totals().queriesForwarded, 1);
  });
});
