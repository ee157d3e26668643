// peerweave_routing_join_pings_total: what a node's join rounds got back. A node the cluster does
// not admit (another CA, no certificate) sees only failures; tests that check it stays out wait for
// a number of these instead of watching for a fixed time.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lateBound, noopMetrics, silentLogger, type Counter, type Metrics } from '@peerweave/core';
import type { RoutingHandler } from '@peerweave/protocol';
import { createSimulatedNetwork } from './testing/index.ts';
import { RoutingNode } from './routing-node.ts';

/** Metrics that keep the counts of one counter by its `outcome` label. */
function countingMetrics(name: string): Metrics & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const counter: Counter = { inc: (labels, value = 1) => void counts.set(String(labels?.outcome), (counts.get(String(labels?.outcome)) ?? 0) + value) };
  return { ...noopMetrics, counter: (o) => (o.name === name ? counter : noopMetrics.counter(o)), counts };
}

describe('join pings metric', () => {
  it('counts each failed ping of a seed that does not answer, then the answer once it is up', async () => {
    const { clock, random, network } = createSimulatedNetwork({ seed: 9 });
    const metrics = countingMetrics('peerweave_routing_join_pings_total');
    const node = (name: string, seeds: string[], m: Metrics = noopMetrics): RoutingNode => {
      const id = Buffer.from(random.bytes(32)).toString('hex');
      const handler = lateBound<RoutingHandler>(name);
      const listener = network.listen(`${name}:7400`, handler.target, { id });
      const routing = new RoutingNode({ self: { id, address: `${name}:7400`, role: 'peer' }, transport: listener.transport, clock, random, logger: silentLogger, metrics: m, seeds: { configured: seeds.length > 0, candidates: async () => seeds } });
      handler.bind(routing.handler);
      return routing;
    };
    // The seed's address is known to nobody: every join round's ping to it fails.
    const b = node('b', ['a:7400'], metrics);
    await b.start();
    let a: RoutingNode | undefined;
    try {
      const until = async (done: () => boolean, limitMs: number): Promise<void> => {
        const start = clock.now();
        while (!done()) {
          assert.ok(clock.now() - start <= limitMs, `not within ${limitMs} ms of clock time`);
          await clock.advance(100);
        }
      };
      await until(() => (metrics.counts.get("failed") ?? 0) >= 3, 60_000);
      assert.equal(metrics.counts.get('answered') ?? 0, 0);
      assert.equal(b.stateOf('a'), undefined);
      a = node('a', []);
      await a.start();
      await until(() => (metrics.counts.get('answered') ?? 0) >= 1, 120_000);
      await until(() => b.stateOf(a!.id) === "alive", 10_000);
    } finally {
      // A stop announces the leave and waits for its acks on the test's clock: keep it going.
      let stopped = false;
      const stopping = Promise.all([b.stop(), a?.stop()]).finally(() => (stopped = true));
      while (!stopped) await clock.advance(100);
      await stopping;
    }
  });
});
