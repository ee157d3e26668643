// A join round looks up its own id only when an answer gave the table a contact or brought back a
// member held dead, and does not ping again a seed whose full bucket turned it away (issue #16).
// Such a seed used to be pinged every round (the round pings every candidate the table does not
// hold) and answered, and each answer started a self-lookup of the same table: at 1 000 simulated
// nodes with 32 piggybacked updates a sixth of the nodes had such a seed, 1.27 extra messages per
// node per period.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lateBound, noopMetrics, silentLogger, type Counter, type Metrics } from '@peerweave/core';
import type { RoutingHandler } from '@peerweave/protocol';
import { createSimulatedNetwork } from './testing/index.ts';
import { DEFAULT_JOIN_INTERVAL_MS, RoutingNode } from './routing-node.ts';

/** Metrics that add up the counters named in `names`, whatever their labels. */
function countingMetrics(...names: string[]): Metrics & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const counter = (name: string): Counter => ({ inc: (_labels, value = 1) => void counts.set(name, (counts.get(name) ?? 0) + value) });
  return { ...noopMetrics, counter: (o) => (names.includes(o.name) ? counter(o.name) : noopMetrics.counter(o)), counts };
}

/** A 64-hex-digit id: `prefix` then `fill`. */
const idOf = (prefix: string, fill: string): string => (prefix + fill.repeat(64)).slice(0, 64);

describe('join rounds: self-lookup', () => {
  it('a seed that does not fit in its full bucket is pinged once and starts no self-lookup; one that fits does', async () => {
    // The seed s answers after a and b have filled x's bucket (k = 2; a, b and s all differ from x
    // in the first bit): it waits in the replacement cache.
    const slow = 's:7400';
    const { clock, random, network } = createSimulatedNetwork({ seed: 5, latencyMs: (from, to) => (from === slow || to === slow ? 40 : 1) });
    const metrics = countingMetrics('peerweave_routing_lookups_total', 'peerweave_routing_join_pings_total');
    const nodes: RoutingNode[] = [];
    const node = (name: string, id: string, seeds: string[], m: Metrics = noopMetrics): RoutingNode => {
      const handler = lateBound<RoutingHandler>(name);
      const listener = network.listen(`${name}:7400`, handler.target, { id });
      const routing = new RoutingNode({
        self: { id, address: `${name}:7400`, role: 'peer' },
        transport: listener.transport,
        clock,
        random,
        logger: silentLogger,
        metrics: m,
        k: 2,
        seeds: { configured: seeds.length > 0, candidates: async () => [...seeds] },
      });
      handler.bind(routing.handler);
      nodes.push(routing);
      return routing;
    };
    const a = node('a', idOf('8', 'a'), []);
    const b = node('b', idOf('c', 'b'), []);
    const s = node('s', idOf('a', 'c'), []);
    const seeds = ['a:7400', 'b:7400', slow];
    const x = node('x', idOf('0', '1'), seeds, metrics);
    try {
      for (const n of nodes) await n.start();
      await clock.advance(DEFAULT_JOIN_INTERVAL_MS / 2);
      assert.ok(x.hasContact(a.id) && x.hasContact(b.id), 'a and b fill the bucket');
      assert.equal(x.hasContact(s.id), false, 's waits as a replacement');
      const lookupsAfterJoin = metrics.counts.get('peerweave_routing_lookups_total') ?? 0;
      const pingsAfterJoin = metrics.counts.get('peerweave_routing_join_pings_total') ?? 0;
      assert.ok(lookupsAfterJoin >= 1, 'the join ran its self-lookup');

      for (let i = 0; i < 6; i++) await clock.advance(DEFAULT_JOIN_INTERVAL_MS);
      assert.equal(x.hasContact(s.id), false);
      assert.equal(metrics.counts.get('peerweave_routing_lookups_total') ?? 0, lookupsAfterJoin, 'no self-lookup after answers that changed nothing');
      assert.equal(metrics.counts.get('peerweave_routing_join_pings_total') ?? 0, pingsAfterJoin, 'a seed its bucket turns away is not pinged again');

      // A seed that starts later and fits (another bucket) is news: the next round looks up again.
      const late = node('late', idOf('4', 'd'), []);
      await late.start();
      seeds.push('late:7400');
      await clock.advance(DEFAULT_JOIN_INTERVAL_MS);
      assert.ok(x.hasContact(late.id));
      assert.ok((metrics.counts.get('peerweave_routing_lookups_total') ?? 0) > lookupsAfterJoin, 'a seed the table took in starts a self-lookup');
    } finally {
      let stopped = false;
      const stopping = Promise.all(nodes.map((n) => n.stop())).finally(() => (stopped = true));
      while (!stopped) await clock.advance(100);
      await stopping;
    }
  });
});
