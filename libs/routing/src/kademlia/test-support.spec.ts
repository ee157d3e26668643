import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { FakeKademliaNetwork } from './test-support.ts';

describe('FakeKademliaNetwork', () => {
  it('gives every node its k true closest plus random others, and replays from a seed', () => {
    const make = (): FakeKademliaNetwork =>
      new FakeKademliaNetwork({ size: 100, clock: new ManualClock(), random: new SeededRandom(8), k: 5, randomContacts: 10 });
    const net = make();
    for (const node of net.nodes) {
      for (const near of net.closestTo(node.idBytes, 5, node.info.id)) assert.ok(node.table.has(near.info.id));
      assert.ok(node.table.size > 5 && node.table.size <= 15);
    }
    assert.deepEqual(
      make().nodes.map((n) => n.info.id),
      net.nodes.map((n) => n.info.id),
    );
  });

  it('answers from the queried node table after the delay, fails dead nodes, counts in-flight queries', async () => {
    const clock = new ManualClock();
    const net = new FakeKademliaNetwork({ size: 30, clock, random: new SeededRandom(2), delayMs: 10, jitterMs: 0 });
    const [a, b] = net.nodes;
    const key = net.nodes[5]!.idBytes;
    const query = net.query(key);
    const signal = new AbortController().signal;
    const answer = query(a!.info, signal);
    net.dead.add(b!.info.id);
    const failure = query(b!.info, signal);
    failure.catch(() => {});
    assert.equal(net.inFlight, 2);
    await clock.advance(10);
    assert.deepEqual(
      (await answer).map((c) => c.id),
      a!.table.closest(key, net.k).map((c) => c.id),
    );
    await assert.rejects(failure, { code: 'UNAVAILABLE' });
    assert.equal(net.inFlight, 0);
    assert.equal(net.maxInFlight, 2);
    assert.equal(net.queries, 2);
    assert.equal(net.isUp(b!.info.id), false);
  });

  it('a silent node never answers, and stops counting once the caller gives up', async () => {
    const clock = new ManualClock();
    const net = new FakeKademliaNetwork({ size: 10, clock, random: new SeededRandom(3) });
    const node = net.nodes[0]!;
    net.silent.add(node.info.id);
    const controller = new AbortController();
    let settled = false;
    void net.query(node.idBytes)(node.info, controller.signal).finally(() => (settled = true));
    await clock.advance(10_000);
    assert.equal(settled, false);
    assert.equal(net.inFlight, 1);
    controller.abort();
    assert.equal(net.inFlight, 0);
  });
});
