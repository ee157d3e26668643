// Join rounds of a settled cluster on the in-process network (manual clock): once every node is in,
// the rounds cost nothing, also for a node whose seed its table turned away, and come less often;
// a death brings them back to one per join interval.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lateBound, silentLogger } from '@peerweave/core';
import type { RoutingHandler } from '@peerweave/protocol';
import { createSimulatedNetwork, createTestCluster, type TestCluster } from './testing/index.ts';
import { JOIN_QUIET_MAX_INTERVALS } from './join-pacing.ts';
import { RoutingNode } from './routing-node.ts';

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

  it('a settled node resolves its join name less and less often, and pings a member that died within a join interval', async () => {
    const { clock, random, network } = createSimulatedNetwork({ seed: 3 });
    const JOIN_MS = 1_000;
    /** Clock times at which each node asked for its join candidates (one per round). */
    const rounds = new Map<string, number[]>();
    const pings: { to: string; at: number }[] = [];
    const names = ['a', 'b', 'c', 'd'];
    const addresses = names.map((n) => `${n}:7400`);
    const nodes = names.map((name) => {
      const id = Buffer.from(random.bytes(32)).toString('hex');
      const handler = lateBound<RoutingHandler>(name);
      const listener = network.listen(`${name}:7400`, handler.target, { id });
      const transport = listener.transport;
      const request = transport.request.bind(transport);
      transport.request = ((address, method, body, options) => {
        if (method === 'ping' && (body as { target?: string }).target === '') pings.push({ to: address, at: clock.now() });
        return request(address, method, body, options);
      }) as typeof transport.request;
      rounds.set(name, []);
      const routing = new RoutingNode({
        self: { id, address: `${name}:7400`, role: 'peer' },
        transport,
        clock,
        random,
        logger: silentLogger,
        joinIntervalMs: JOIN_MS,
        bucketRefreshMs: 3_600_000,
        swim: { probeIntervalMs: 200, probeTimeoutMs: 100 },
        // Every node resolves the same name to all four, as Compose's service name does.
        seeds: {
          configured: true,
          candidates: async () => {
            rounds.get(name)!.push(clock.now());
            return addresses;
          },
        },
      });
      handler.bind(routing.handler);
      return routing;
    });
    const running = new Set(nodes);
    try {
      for (const n of nodes) await n.start();
      for (let t = 0; t < 60_000; t += 100) await clock.advance(100);
      assert.ok(nodes.every((n) => n.peers().length === 3), 'every node knows the three others');
      // Settled: rounds now JOIN_QUIET_MAX_INTERVALS apart, where they were one interval apart.
      const at = rounds.get('a')!;
      const gaps = at.slice(1).map((t, i) => t - at[i]!);
      assert.equal(gaps.at(-1), JOIN_QUIET_MAX_INTERVALS * JOIN_MS, `gaps ${gaps.join(' ')}`);
      assert.ok(at.length < 20, `${at.length} rounds in 60 s at a 1 s join interval`);

      // d dies: the survivors' rounds ping it (with the death claim) within a join interval of
      // declaring it dead, not at the end of their quiet wait.
      const died = new Map<RoutingNode, number>();
      for (const n of nodes.slice(0, 3)) n.on('contact-dead', () => died.set(n, clock.now()));
      network.kill('d:7400');
      running.delete(nodes[3]!);
      void nodes[3]!.stop().catch(() => {});
      const start = clock.now();
      while (died.size < 3 || nodes.slice(0, 3).some((n) => !pings.some((p) => p.to === 'd:7400' && p.at >= died.get(n)!))) {
        assert.ok(clock.now() - start <= 30_000, 'd declared dead and pinged by a join round');
        await clock.advance(100);
      }
      const firstPing = Math.min(...pings.filter((p) => p.to === 'd:7400' && p.at >= start).map((p) => p.at));
      assert.ok(firstPing - Math.min(...died.values()) <= JOIN_MS + 100, `first reconnect ping ${firstPing - Math.min(...died.values())} ms after the death`);
    } finally {
      let stopped = false;
      const stopping = Promise.all([...running].map((n) => n.stop())).finally(() => (stopped = true));
      while (!stopped) await clock.advance(100);
      await stopping;
    }
  });
});
