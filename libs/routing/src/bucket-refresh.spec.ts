// Kademlia bucket refresh on the in-process cluster (manual clock): a lookup postpones the refresh
// of the bucket its key falls in, a lookup of the node's own id that of every bucket it walked
// whole, and nodes started together do not check for due buckets together.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestCluster, type ClusterNode, type TestCluster } from './testing/index.ts';
import { bucketIndex, compareDistance, idFromHex, randomIdInBucket } from './kademlia/index.ts';

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
      // A node that looked nothing up refreshes the far half, which no lookup of its own id can
      // walk whole (the join-time refresh of Kademlia §2.3; the nearer buckets: see below).
      const theirs = refreshed(byIdle);
      assert.ok(theirs.has(255), `the idle node did not refresh bucket 255: ${[...theirs].join(', ')}`);
    } finally {
      await cluster.stop();
    }
  });

  it('a lookup of its own id postpones every bucket below its farthest result: the next check refreshes only the buckets from there out, without another self-lookup', async () => {
    // k = 4 so that 60 nodes spread a node's contacts over several buckets nearer than its k-th
    // closest (issue #16: at 1 000 simulated nodes and k = 20, 5 of the ~12 refreshed buckets).
    const k = 4;
    // Join rounds after the join are held off: a round looks up its own id after any seed's answer,
    // and here (k = 4) seeds land in full buckets and answer every round. Only the refresh is watched.
    const routing = { ...ROUTING, k, joinIntervalMs: 10 * REFRESH_MS };
    const cluster = await createTestCluster(60, { seed: 23, startMs: START_MS, routing, joinBatch: 60, joinSettleMs: 1_000 });
    try {
      assert.ok(cluster.clock.now() - START_MS < CHECK_MS / 2, 'before any refresh check');
      const checked = cluster.nodes.slice(0, 10);
      const reach = new Map<ClusterNode, number>();
      const sent = new Map<ClusterNode, SentLookup[]>();
      for (const node of checked) {
        const self = idFromHex(node.id);
        const found = await settle(cluster, node.routing.lookup(self));
        assert.equal(found.timedOut, false);
        assert.equal(found.closest.length, k);
        // Everyone's k closest, from the whole cluster: the self-lookup found them.
        const truth = cluster.nodes
          .filter((n) => n !== node)
          .map((n) => idFromHex(n.id))
          .sort((a, b) => compareDistance(a, b, self))
          .slice(0, k);
        assert.deepEqual(found.closest.map((c) => c.id), truth.map((t) => Buffer.from(t).toString('hex')));
        reach.set(node, bucketIndex(self, truth.at(-1)!));
        sent.set(node, recordFindNodes(cluster, node));
      }
      // Past the latest first check, well before the self-lookups' buckets are due again.
      await cluster.advance(1.5 * CHECK_MS + 1_000, 200);
      let walked = 0;
      for (const node of checked) {
        const lookups = sent.get(node)!;
        const edge = reach.get(node)!;
        const buckets = [...new Set(lookups.map((l) => l.bucket).filter((b) => b >= 0))].sort((a, b) => a - b);
        assert.ok(buckets.includes(255), `${node.id.slice(0, 8)} did not refresh bucket 255: ${buckets.join(', ')}`);
        assert.ok(buckets.every((b) => b >= edge), `${node.id.slice(0, 8)} refreshed buckets below its k-th closest's (${edge}): ${buckets.join(', ')}`);
        assert.equal(lookups.filter((l) => l.bucket === -1).length, 0, `${node.id.slice(0, 8)} looked up its own id again`);
        const nearest = bucketIndex(idFromHex(node.id), idFromHex(node.routing.closestKnown(idFromHex(node.id), 1)[0]!.id));
        walked += edge - nearest;
      }
      // Buckets that were left out: each was a lookup of a random id before (about 20 RPCs at 1 000 nodes).
      assert.ok(walked >= checked.length, `the self-lookups walked only ${walked} non-empty-range buckets for ${checked.length} nodes`);
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
    } finally {
      await cluster.stop();
    }
  });
});
