import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noopMetrics, type Metrics } from '@peerweave/core';
import { entry, setup } from './test-support.ts';

describe('SearchNode: the components together', () => {
  it('searches through its supernode, which answers for its leaves and forwards to the other supernodes', async () => {
    const t = setup();
    const s1 = t.add('5', { role: 'supernode', supernodeTtl: 1 });
    const s2 = t.add('6', { role: 'supernode', supernodeTtl: 1 });
    const s3 = t.spy('7');
    s1.candidates.push(s2.self, s3.self);
    s2.candidates.push(s1.self, s3.self);
    const asker = t.add('1', { attachCount: 1, heartbeatMs: 1_000 });
    const other = t.add('2', { attachCount: 1, heartbeatMs: 1_000 });
    asker.candidates.push(s1.self);
    other.candidates.push(s2.self);
    other.records.upsert(entry('bafyo', 'cat'));
    const flood = t.spy('9');
    asker.overlay.push(flood.self);
    for (const n of [asker, other]) await n.node.start();
    await t.clock.advance(1_500);
    assert.equal(s2.leafIndex!.count(), 1);
    const r = await t.settle(asker.node.search('cat'));
    assert.equal(r.mode, 'supernode');
    assert.deepEqual(r.hits.map((h) => [h.cid, h.holders]), [['bafyo', [other.self.id]]]);
    assert.deepEqual([...r.responders].sort(), [s1.self.id, s2.self.id], 's2 answers for its leaf; s1, with no match, answers empty');
    assert.equal(flood.queries.length, 0, 'no flooding');
    // s1 forwarded to s2 and s3 with ttl 0; s2 did not forward further.
    assert.equal(s3.queries.length, 1);
    assert.equal(s3.queries[0]!.ttl, 0);
    assert.equal(s3.queries[0]!.mode, 'supernode');
    assert.equal(s2.node.metrics.totals().queriesForwarded, 0);
    for (const n of [asker, other]) await n.node.stop();
  });

  it('a supernode search ends as soon as every supernode reached has answered, without waiting for quiet', async () => {
    const t = setup();
    const s1 = t.add('5', { role: 'supernode' });
    const s2 = t.add('6', { role: 'supernode' });
    s1.candidates.push(s2.self);
    s2.candidates.push(s1.self);
    const asker = t.add('1', { attachCount: 1, heartbeatMs: 1_000, quietMs: 5_000, deadlineMs: 20_000 });
    const other = t.add('2', { attachCount: 1, heartbeatMs: 1_000 });
    asker.candidates.push(s1.self);
    other.candidates.push(s2.self);
    other.records.upsert(entry('bafyq', 'quick'));
    for (const n of [asker, other]) await n.node.start();
    await t.clock.advance(1_500);
    const started = t.clock.now();
    const r = await t.settle(asker.node.search('quick'));
    assert.equal(r.mode, 'supernode');
    assert.equal(r.partial, false);
    assert.deepEqual(r.hits.map((h) => h.cid), ['bafyq']);
    assert.ok(t.clock.now() - started < 5_000, `done after ${t.clock.now() - started} ms of clock time, before the 5 s quiet period`);
    for (const n of [asker, other]) await n.node.stop();
  });

  it('registers its metrics under peerweave_search_*', () => {
    const t = setup();
    const names: string[] = [];
    const record = (o: { name: string }) => names.push(o.name);
    const metrics: Metrics = {
      counter: (o) => (record(o), noopMetrics.counter(o)),
      gauge: (o) => (record(o), noopMetrics.gauge(o)),
      histogram: (o) => (record(o), noopMetrics.histogram(o)),
    };
    t.add('1', { metrics });
    assert.ok(names.length >= 9);
    for (const n of names) assert.match(n, /^peerweave_search_/);
  });
});
