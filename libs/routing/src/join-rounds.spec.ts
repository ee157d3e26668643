// Join rounds of a settled cluster on the in-process network (manual clock): once every node is in,
// the rounds every join interval cost nothing, also for a node whose seed its table turned away.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestCluster, type TestCluster } from './testing/index.ts';

/** Counts the join rounds' pings (target '') and the FIND_NODE calls every node sends from now on. */
function recordJoinTraffic(cluster: TestCluster): { joinPings: number; findNodes: number } {
  const counts = { joinPings: 0, findNodes: 0 };
  for (const node of cluster.nodes) {
    const transport = node.transport;
    const request = transport.request.bind(transport);
    transport.request = ((address, method, body, options) => {
      if (method === 'findNode') counts.findNodes++;
      if (method === 'ping' && (body as { target?: string }).target === '') counts.joinPings++;
      return request(address, method, body, options);
    }) as typeof transport.request;
  }
  return counts;
}

describe('join rounds', () => {
  it('a seed the table turned away is not pinged, nor looked up from, again every round', async () => {
    // k = 3 and 32 updates a message: the first seed's answer fills the far buckets before the
    // others' come, so many nodes keep a seed neither in a bucket nor in a replacement cache.
    const cluster = await createTestCluster(60, {
      seed: 5,
      joinBatch: 60,
      joinSettleMs: 1_000,
      routing: {
        k: 3,
        joinIntervalMs: 1_000,
        // No refresh lookups in the window.
        bucketRefreshMs: 3_600_000,
        swim: { probeIntervalMs: 200, probeTimeoutMs: 100, maxPiggyback: 32 },
      },
    });
    try {
      await cluster.advance(10_000, 100);
      // Before the fix: 460 join pings and 1 090 FIND_NODE calls in this window.
      const sent = recordJoinTraffic(cluster);
      // Ten join rounds per node.
      await cluster.advance(10_000, 100);
      assert.deepEqual(sent, { joinPings: 0, findNodes: 0 });
    } finally {
      await cluster.stop();
    }
  });
});
