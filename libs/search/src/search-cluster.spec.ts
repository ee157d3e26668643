// Issue #7 in process: 1 000 search nodes on a manual clock. Flooding runs on the real routing
// code's overlay (Kademlia tables grown by joins, SWIM running); the supernode tests run on the
// synthetic Kademlia-like overlay (testing/search-cluster.ts), which is cheaper to drive through
// kills and re-attachment; the last test runs supernode search on the real routing code too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSearchCluster, measure, placeFiles, type SearchCluster, type Workload } from './testing/index.ts';

const N = 1_000;
const QUERIES = 25;
const SEARCH = { quietMs: 100, deadlineMs: 3_000, heartbeatMs: 2_000 };

function allAttached(cluster: SearchCluster, count = 2): boolean {
  return cluster.running().every((n) => n.role === 'supernode' || n.search.attachedSupernodes().length >= count);
}

describe('search cluster: flooding over the real routing overlay, no supernodes (1 000 nodes)', () => {
  let cluster: SearchCluster;
  let workload: Workload;
  before(async () => {
    cluster = await createSearchCluster(N, { overlay: 'routing', seed: 11, search: SEARCH });
    workload = placeFiles(cluster);
  });
  after(() => cluster.stop());

  it('recall and messages per query grow with the TTL; recall reaches 0.9 by TTL 7', async (t) => {
    const rows = [];
    for (let ttl = 1; ttl <= 7; ttl++) {
      const m = await measure(cluster, workload, QUERIES, { ttl, mode: 'flood' });
      rows.push({ ttl, recall: m.recall, messages: m.messagesPerQuery, partial: m.partial });
      t.diagnostic(`TTL ${ttl}: recall ${m.recall.toFixed(3)}, ${m.messagesPerQuery.toFixed(0)} messages/query`);
    }
    for (let i = 1; i < rows.length; i++) {
      // Saturated floods (the whole network reached) may tie.
      assert.ok(rows[i]!.recall >= rows[i - 1]!.recall - 0.02, `recall does not fall from TTL ${i} to ${i + 1}`);
      assert.ok(rows[i]!.messages >= rows[i - 1]!.messages * 0.98, `messages do not fall from TTL ${i} to ${i + 1}`);
    }
    assert.ok(rows[0]!.recall < 0.2, 'TTL 1 reaches only the neighbours');
    assert.ok(rows[3]!.messages > 10 * rows[0]!.messages, 'messages grow with the TTL');
    assert.ok(rows.some((r) => r.recall >= 0.9), 'recall ≥ 0.9 at some TTL ≤ 7');
    assert.ok(rows.every((r) => r.partial === 0), 'no search ran into its deadline');
    // The hard maximum holds: a TTL-7 flood costs at most one message per overlay link (+ hits).
    assert.ok(rows[6]!.messages < N * 8 * 1.1);
  });
});

describe('search cluster: 10 supernodes (1 000 nodes)', () => {
  let cluster: SearchCluster;
  let workload: Workload;
  let floodMessages = 0;
  before(async () => {
    cluster = await createSearchCluster(N, { overlay: 'synthetic', supernodes: 10, seed: 12, search: SEARCH });
    workload = placeFiles(cluster);
    await cluster.waitUntil(() => allAttached(cluster), { what: 'every leaf attached to 2 supernodes' });
    await cluster.advance(1_000); // the last full publishes land
  });
  after(() => cluster.stop());

  it('recall ≥ 0.99 with far fewer messages than a TTL-7 flood', async (t) => {
    const flood = await measure(cluster, workload, 10, { ttl: 7, mode: 'flood' });
    floodMessages = flood.messagesPerQuery;
    const m = await measure(cluster, workload, QUERIES);
    t.diagnostic(`supernodes: recall ${m.recall.toFixed(3)}, ${m.messagesPerQuery.toFixed(1)} messages/query; TTL-7 flood ${floodMessages.toFixed(0)}`);
    assert.equal(m.modes.supernode, QUERIES, 'auto searches through the supernodes');
    assert.ok(m.recall >= 0.99, `recall ${m.recall}`);
    assert.ok(m.messagesPerQuery < 0.05 * floodMessages, `${m.messagesPerQuery} vs ${floodMessages}`);
    // Every leaf's records are indexed twice (two supernodes each).
    const indexed = cluster.supernodes().reduce((sum, s) => sum + s.leafIndex!.count(), 0);
    const held = cluster.running().filter((n) => n.role === 'peer').reduce((sum, n) => sum + n.records.size, 0);
    assert.equal(indexed, 2 * held);
  });

  it('a killed supernode: its leaves re-attach elsewhere and recall comes back', async (t) => {
    const victim = cluster.supernodes().sort((a, b) => b.search.leaves().length - a.search.leaves().length)[0]!;
    const orphans = victim.search.leaves().length;
    cluster.kill(victim.index);
    const waited = await cluster.waitUntil(
      () => allAttached(cluster) && cluster.running().every((n) => n.search.attachedSupernodes().every((s) => s.id !== victim.id)),
      { what: 'leaves of the dead supernode re-attached' },
    );
    await cluster.advance(1_000);
    const m = await measure(cluster, workload, QUERIES);
    t.diagnostic(`${orphans} leaves re-attached within ${waited} ms; recall ${m.recall.toFixed(3)}`);
    assert.ok(m.recall >= 0.99, `recall ${m.recall}`);
  });

  it('a supernode that dies unannounced is detected by failing heartbeats', async (t) => {
    const victim = cluster.running().find((n) => n.role === 'supernode' && n.search.leaves().length > 0)!;
    cluster.kill(victim.index, { notify: false });
    const waited = await cluster.waitUntil(
      () => allAttached(cluster) && cluster.running().every((n) => n.search.attachedSupernodes().every((s) => s.id !== victim.id)),
      { what: 'leaves of the silent dead supernode re-attached' },
    );
    await cluster.advance(1_000);
    const m = await measure(cluster, workload, QUERIES);
    t.diagnostic(`re-attached within ${waited} ms of heartbeats; recall ${m.recall.toFixed(3)}`);
    assert.ok(m.recall >= 0.99, `recall ${m.recall}`);
  });

  it('with every supernode dead, auto search falls back to flooding and still finds matches', async () => {
    for (const s of cluster.supernodes()) cluster.kill(s.index, { notify: false });
    const m = await measure(cluster, workload, 10, { ttl: 7 });
    assert.equal(m.modes.flood, 10);
    assert.ok(m.recall >= 0.9, `recall ${m.recall}`);
  });
});

// 500 nodes here: every routing node runs SWIM, so clock time costs real time.
describe('search cluster: supernodes on the real routing overlay (500 nodes)', () => {
  it('leaves and supernodes find supernodes through SWIM roles and SearchLoad, and recall ≥ 0.99', async (t) => {
    const cluster = await createSearchCluster(500, { overlay: 'routing', supernodes: 10, seed: 13, search: SEARCH });
    try {
      const workload = placeFiles(cluster, { files: 500 });
      const supernodes = cluster.supernodes();
      const waited = await cluster.waitUntil(
        () => allAttached(cluster) && supernodes.every((s) => s.search.knownSupernodes().length === supernodes.length - 1),
        { what: 'every leaf attached to 2 supernodes, every supernode knowing the others', stepMs: 500 },
      );
      t.diagnostic(`attached and supernode mesh complete after ${waited} ms`);
      await cluster.advance(1_000);
      const m = await measure(cluster, workload, 15);
      t.diagnostic(`routing overlay: recall ${m.recall.toFixed(3)}, ${m.messagesPerQuery.toFixed(1)} messages/query`);
      assert.equal(m.modes.supernode, 15);
      assert.ok(m.recall >= 0.99, `recall ${m.recall}`);
    } finally {
      await cluster.stop();
    }
  });
});
