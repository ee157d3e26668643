// Kademlia bucket refresh on the in-process cluster (manual clock): a lookup postpones the refresh
// of the bucket its key falls in, and nodes started together do not check for due buckets together.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestCluster, type ClusterNode, type TestCluster } from './testing/index.ts';
import { bucketIndex, DEFAULT_ALPHA, idFromHex, randomIdInBucket } from './kademlia/index.ts';
import { firstRefreshCheckBoundMs } from './routing-node.ts';

const REFRESH_MS = 40_000;
/** Time between two refresh checks (a quarter of the interval); a node's first falls at a per-node point within ±50 % of it. */
const CHECK_MS = REFRESH_MS / 4;
const START_MS = 1_000;
const ROUTING = { swim: { probeIntervalMs: 200, probeTimeoutMs: 100 }, bucketRefreshMs: REFRESH_MS };

interface SentLookup {
  at: number;
  /** The key's bucket as seen from the sender; −1 for its own id (the join's and refresh's self-lookup). */
  bucket: number;
}

/** Records every FIND_NODE `node` sends (its own lookups' queries) from now on. */
function recordFindNodes(cluster: TestCluster, node: ClusterNode): SentLookup[] {
  const sent: SentLookup[] = [];
  const self = idFromHex(node.id);
  const transport = node.transport;
  const request = transport.request.bind(transport);
  transport.request = ((address, method, body, options) => {
    if (method === 'findNode') {
      const key = (body as { key: string }).key;
      sent.push({ at: cluster.clock.now(), bucket: key === node.id ? -1 : bucketIndex(self, idFromHex(key)) });
    }
    return request(address, method, body, options);
  }) as typeof transport.request;
  return sent;
}

async function settle<T>(cluster: TestCluster, pending: Promise<T>): Promise<T> {
  let done = false;
  void pending.finally(() => (done = true)).catch(() => {});
  while (!done) await cluster.advance(5, 5);
  return pending;
}

describe('bucket refresh', () => {
  it('a lookup postpones the refresh of the bucket its key falls in; untouched buckets are refreshed', async () => {
    const cluster = await createTestCluster(40, { seed: 21, startMs: START_MS, routing: ROUTING, joinBatch: 40, joinSettleMs: 1_000 });
    try {
      const [looker, idle] = [cluster.nodes[5]!, cluster.nodes[6]!];
      const self = idFromHex(looker.id);
      // Before any refresh check (the first comes at half the mean period at the earliest).
      assert.ok(cluster.clock.now() - START_MS < CHECK_MS / 2);
      for (const bucket of [255, 254]) {
        await settle(cluster, looker.routing.lookup(randomIdInBucket(self, bucket, cluster.random)));
      }
      const byLooker = recordFindNodes(cluster, looker);
      const byIdle = recordFindNodes(cluster, idle);
      // Past the latest first check (1.5 × the mean period), well before the touched buckets are due.
      await cluster.advance(1.5 * CHECK_MS + 1_000, 200);
      const refreshed = (sent: SentLookup[]): Set<number> => new Set(sent.map((s) => s.bucket).filter((b) => b >= 0));
      const mine = refreshed(byLooker);
      assert.ok(!mine.has(255) && !mine.has(254), `the looked-up buckets were refreshed anyway: ${[...mine].join(', ')}`);
      assert.ok(mine.has(253), `bucket 253, never looked up, was not refreshed: ${[...mine].join(', ')}`);
      // A node that looked nothing up refreshes them all (the join-time refresh of Kademlia §2.3).
      const theirs = refreshed(byIdle);
      for (const b of [255, 254, 253]) assert.ok(theirs.has(b), `the idle node did not refresh bucket ${b}: ${[...theirs].join(', ')}`);
    } finally {
      await cluster.stop();
    }
  });

  it('in a network every table holds, a refresh asks α nodes per bucket, not k (lookup.spec: an unknown node named, a full lookup)', async () => {
    // 16 nodes, k = 20: every table holds everyone once the joins settled.
    const cluster = await createTestCluster(16, { seed: 23, startMs: START_MS, routing: ROUTING, joinBatch: 16, joinSettleMs: 1_000 });
    try {
      const sent = cluster.nodes.map((node) => recordFindNodes(cluster, node));
      await cluster.advance(1.5 * CHECK_MS + 1_000, 200);
      for (const [i, s] of sent.entries()) {
        const perBucket = new Map<number, number>();
        for (const x of s) perBucket.set(x.bucket, (perBucket.get(x.bucket) ?? 0) + 1);
        assert.ok(perBucket.size >= 2, `node ${i} refreshed its own id and at least one bucket: ${[...perBucket.keys()].join(', ')}`);
        for (const [bucket, n] of perBucket) assert.ok(n <= DEFAULT_ALPHA, `node ${i}: ${n} queries for bucket ${bucket}`);
      }
    } finally {
      await cluster.stop();
    }
  });

  it('nodes started together run their first refresh at different times, within ±50 % of the check period', async () => {
    const n = 30;
    const cluster = await createTestCluster(n, { seed: 22, startMs: START_MS, routing: ROUTING, joinBatch: n, joinSettleMs: 1_000 });
    try {
      const sent = cluster.nodes.map((node) => recordFindNodes(cluster, node));
      await cluster.advance(1.5 * CHECK_MS + 1_000, 200);
      // The first query of a lookup of a random id in a bucket's range: a refresh (nothing else
      // looks up other ids here).
      const firsts = sent.map((s) => s.find((x) => x.bucket >= 0)?.at);
      assert.ok(firsts.every((t) => t !== undefined), 'every node refreshed its buckets once');
      const delays = firsts.map((t) => t! - START_MS);
      const [min, max] = [Math.min(...delays), Math.max(...delays)];
      assert.ok(min >= CHECK_MS / 2 && max <= 1.5 * CHECK_MS + 1_000, `first refresh ${min}..${max} ms after start`);
      // Without jitter all would fall within a few ms of CHECK_MS; spread over most of the window.
      assert.ok(max - min >= CHECK_MS / 2, `first refreshes only ${max - min} ms apart`);
      assert.ok(new Set(delays.map((d) => Math.floor(d / 1_000))).size >= n / 3, 'refreshes bunched in a few seconds');
      // The bound the quiet bench and end-to-end test wait for is this window's end.
      assert.equal(firstRefreshCheckBoundMs(REFRESH_MS), 1.5 * CHECK_MS);
      assert.ok(max <= firstRefreshCheckBoundMs(REFRESH_MS) + 1_000);
    } finally {
      await cluster.stop();
    }
  });
});
