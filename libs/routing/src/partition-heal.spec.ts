// A healed partition is whole again within a join interval or two (issue #16: views converge
// ≤ 10 s after the heal; the container cluster took 37 s). Each side holds the other dead at the
// incarnation it last saw, so only a death claim that reaches the member itself, and its refutation
// coming back, turns it alive; the join round now pings members held dead (memberlist's reconnect)
// with that claim in the envelope, and the answer carries the refutation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lateBound, silentLogger } from '@peerweave/core';
import type { PeerContact, RoutingHandler } from '@peerweave/protocol';
import { createSimulatedNetwork, createTestCluster, type TestCluster } from './testing/index.ts';
import { DEFAULT_JOIN_INTERVAL_MS, RoutingNode } from './routing-node.ts';

/** Advances the clock in steps until `done()` holds; returns the clock time it took. */
async function advanceUntil(cluster: TestCluster, done: () => boolean, limitMs: number, stepMs = 100): Promise<number> {
  const start = cluster.clock.now();
  while (!done()) {
    if (cluster.clock.now() - start > limitMs) throw new Error(`condition not reached within ${limitMs} ms of clock time`);
    await cluster.advance(stepMs, stepMs);
  }
  return cluster.clock.now() - start;
}

describe('partition heal (in-process, lan timings)', () => {
  for (const seed of [21, 22]) {
    it(`10 | 10 for 60 s, then healed: every view lists every node alive within 10 s (seed ${seed})`, async (t) => {
      const cluster = await createTestCluster(20, { seed });
      try {
        const all = () => cluster.nodes.every((n) => cluster.nodes.every((m) => n === m || n.routing.stateOf(m.id) === 'alive'));
        await advanceUntil(cluster, all, 30_000);
        const a = cluster.nodes.slice(0, 10);
        const b = cluster.nodes.slice(10);
        cluster.network.partition(a.map((n) => n.address), b.map((n) => n.address));
        await cluster.advance(60_000, 100);
        // Each side declared the other dead (static seeds: no name resolves to the other side). Not
        // every pair: with half its probes failing, Lifeguard stretches a node's periods up to 8×,
        // so a contact probed last may still be alive or suspect in a view after 60 s.
        const cross = a.flatMap((n) => b.flatMap((m) => [n.routing.stateOf(m.id), m.routing.stateOf(n.id)]));
        assert.ok(cross.filter((s) => s === 'dead').length >= 0.9 * cross.length, `${cross.filter((s) => s === 'dead').length} of ${cross.length} held dead`);
        // Each side still holds its own side alive.
        assert.ok(a.every((n) => a.every((m) => n === m || n.routing.stateOf(m.id) === 'alive')));
        cluster.network.heal();
        const tookMs = await advanceUntil(cluster, all, 60_000);
        t.diagnostic(`views converged ${tookMs} ms after the heal`);
        assert.ok(tookMs <= 10_000, `converged ${tookMs} ms after the heal (join interval ${DEFAULT_JOIN_INTERVAL_MS} ms)`);
        // And the tables hold the other side again.
        assert.ok(a.every((n) => b.every((m) => n.routing.hasContact(m.id) && m.routing.hasContact(n.id))));
      } finally {
        await cluster.stop();
      }
    });
  }

  it('the connection to a member held dead is dropped when it dies, and before each reconnect ping while it is not up, so the first ping after a heal starts on a new one', async () => {
    const { clock, random, network } = createSimulatedNetwork({ seed: 4 });
    const dropped: string[] = [];
    const node = (name: string, seeds: string[]): RoutingNode => {
      const id = Buffer.from(random.bytes(32)).toString('hex');
      const handler = lateBound<RoutingHandler>(name);
      const listener = network.listen(`${name}:7400`, handler.target, { id });
      // The memory network has no connections: here none is ever up, as during a cut.
      const transport = { ...listener.transport, disconnect: (address: string) => void (name === 'a' && dropped.push(address)), connected: () => false };
      const routing = new RoutingNode({ self: { id, address: `${name}:7400`, role: 'peer' }, transport, clock, random, logger: silentLogger, seeds: { configured: seeds.length > 0, candidates: async () => seeds } });
      handler.bind(routing.handler);
      return routing;
    };
    const a = node('a', []);
    const b = node('b', ['a:7400']);
    await a.start();
    await b.start();
    try {
      const until = async (done: () => boolean, limitMs: number): Promise<void> => {
        const start = clock.now();
        while (!done()) {
          assert.ok(clock.now() - start <= limitMs, `not within ${limitMs} ms`);
          await clock.advance(100);
        }
      };
      await until(() => a.stateOf(b.id) === 'alive' && b.stateOf(a.id) === 'alive', 10_000);
      assert.deepEqual(dropped, []);
      network.partition(['a:7400'], ['b:7400']);
      await until(() => a.stateOf(b.id) === 'dead', 60_000);
      assert.deepEqual(dropped, ['b:7400'], 'dropped when declared dead');
      await clock.advance(4 * DEFAULT_JOIN_INTERVAL_MS);
      assert.ok(dropped.length >= 3, `and before each reconnect ping (${dropped.length} drops)`);
      network.heal();
      await until(() => a.stateOf(b.id) === 'alive' && b.stateOf(a.id) === 'alive', 2 * DEFAULT_JOIN_INTERVAL_MS);
    } finally {
      const stopped = Promise.all([a.stop(), b.stop()]);
      await clock.advance(5_000);
      await stopped;
    }
  });

  it('a node started without seeds also pings the members it holds dead, so a live one refutes (memberlist reconnects whatever its seeds)', async () => {
    // Two nodes without seeds; `a` heard (from a third node) that `b` is dead, and `b` does not know
    // `a`: nothing but a's own reconnect ping can bring b back in a's view. Before, a node without
    // seeds ran no join rounds and held such a member dead until it happened to hear from it.
    const { clock, random, network } = createSimulatedNetwork({ seed: 3 });
    const node = (name: string): RoutingNode => {
      const id = Buffer.from(random.bytes(32)).toString('hex');
      const handler = lateBound<RoutingHandler>(name);
      const listener = network.listen(`${name}:7400`, handler.target, { id });
      const routing = new RoutingNode({ self: { id, address: `${name}:7400`, role: 'peer' }, transport: listener.transport, clock, random, logger: silentLogger, seeds: { configured: false, candidates: async () => [] } });
      handler.bind(routing.handler);
      return routing;
    };
    const a = node('a');
    const b = node('b');
    await a.start();
    await b.start();
    try {
      const contactOf = (n: RoutingNode): PeerContact => ({ id: n.id, address: n === a ? 'a:7400' : 'b:7400', role: 'peer', incarnation: 0 });
      const third = { id: 'c'.repeat(64), address: 'c:7400', role: 'peer', incarnation: 0 };
      a.swim.receive({ sender: third, updates: [{ state: 'alive', contact: contactOf(b), from: b.id }, { state: 'dead', contact: contactOf(b), from: third.id }] });
      assert.equal(a.stateOf(b.id), 'dead');
      const start = clock.now();
      while (a.stateOf(b.id) !== 'alive' && clock.now() - start <= 2 * DEFAULT_JOIN_INTERVAL_MS) await clock.advance(100);
      assert.equal(a.stateOf(b.id), 'alive', `b still ${a.stateOf(b.id)} in a's view ${clock.now() - start} ms later`);
      assert.equal(b.stateOf(a.id), 'alive', 'and b learnt a from the ping');
    } finally {
      // A stop announces the leave under a deadline of clock time.
      const stopped = Promise.all([a.stop(), b.stop()]);
      await clock.advance(5_000);
      await stopped;
    }
  });
});
