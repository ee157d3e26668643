import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { SearchHandler, SearchOrigin } from '@peerweave/protocol';
import { MemoryNetwork } from '@peerweave/protocol/testing';
import {
  DISCOVERY_FANOUT,
  MAX_DISCOVERY_BACKOFF_ROUNDS,
  NO_BACKOFF,
  SupernodeDirectory,
  afterDiscovery,
  incarnationRose,
  beforeDiscovery,
  mergeKnown,
  pickRandom,
  type DiscoveryBackoff,
} from './supernode-directory.ts';
import { hexId } from './test-support.ts';

const node = (c: string): SearchOrigin => ({ id: hexId(c), address: `${c}:1` });

describe('SupernodeDirectory: decisions', () => {
  it('the back-off of a discovery that finds nothing doubles up to the cap; finding some starts over', () => {
    // Rounds of a network without supernodes: ask, skip 1, ask, skip 2, ask, skip 4 ...
    let b: DiscoveryBackoff = NO_BACKOFF;
    const asked: boolean[] = [];
    for (let round = 0; round < 40; round++) {
      const { ask, next } = beforeDiscovery(b);
      asked.push(ask);
      b = ask ? afterDiscovery(next, false) : next;
    }
    const askedAt = asked.flatMap((a, i) => (a ? [i] : []));
    assert.deepEqual(askedAt.slice(0, 6), [0, 2, 5, 10, 19, 36]);
    assert.equal(b.backoff, MAX_DISCOVERY_BACKOFF_ROUNDS);
    const rows: [DiscoveryBackoff, boolean, DiscoveryBackoff][] = [
      [{ wait: 0, backoff: 1 }, false, { wait: 1, backoff: 2 }],
      [{ wait: 0, backoff: 8 }, false, { wait: 8, backoff: 16 }],
      [{ wait: 0, backoff: 16 }, false, { wait: 16, backoff: 16 }],
      [{ wait: 0, backoff: 16 }, true, { wait: 0, backoff: 1 }],
    ];
    for (const [from, found, to] of rows) assert.deepEqual(afterDiscovery(from, found), to, JSON.stringify([from, found]));
    assert.deepEqual(beforeDiscovery({ wait: 3, backoff: 4 }), { ask: false, next: { wait: 2, backoff: 4 } });
    assert.deepEqual(beforeDiscovery({ wait: 0, backoff: 4 }), { ask: true, next: { wait: 0, backoff: 4 } });
  });

  it('pickRandom: up to n distinct items, the input left alone', () => {
    const random = new SeededRandom(3);
    const items = ['a', 'b', 'c', 'd'];
    const rows: [number, number][] = [[0, 0], [2, 2], [4, 4], [9, 4]];
    for (const [n, length] of rows) {
      const picked = pickRandom(items, n, random);
      assert.equal(picked.length, length);
      assert.equal(new Set(picked).size, length);
      assert.ok(picked.every((p) => items.includes(p)));
    }
    assert.deepEqual(items, ['a', 'b', 'c', 'd']);
    assert.deepEqual(pickRandom([], 3, random), []);
  });

  it("mergeKnown: routing's candidates first, then the learnt ones not among them, never itself", () => {
    const rows: [string[], string[], string[]][] = [
      [[], [], []],
      [['1', '2'], [], ['1', '2']],
      [['1'], ['2', '1'], ['1', '2']],
      [['a', '1'], ['a', '3'], ['1', '3']],
    ];
    for (const [candidates, learnt, known] of rows) assert.deepEqual(mergeKnown(candidates.map(node), learnt.map(node), hexId('a')), known.map(node));
  });
});

describe('SupernodeDirectory', () => {
  function setup(neighbours: number, answer: (from: string) => { supernode: boolean; supernodes: SearchOrigin[] }) {
    const clock = new ManualClock(1_000);
    const random = new SeededRandom(7);
    const network = new MemoryNetwork({ clock, random, latencyMs: 1, defaultDeadlineMs: 500, validateMessages: true });
    const asked: string[] = [];
    const overlay: SearchOrigin[] = [];
    for (let i = 1; i <= neighbours; i++) {
      const self = node(i.toString(16));
      overlay.push(self);
      const handler: Partial<SearchHandler> = {
        searchLoad: async () => {
          asked.push(self.id);
          return { leaves: 0, entries: 0, ...answer(self.id) };
        },
      };
      network.listen(self.address, handler);
    }
    const me = network.listen('a:1', {});
    const directory = new SupernodeDirectory({
      selfId: hexId('a'),
      transport: me.transport,
      clock,
      random,
      overlay: () => overlay,
      supernodeCandidates: () => [],
      callDeadlineMs: 500,
      shunMs: 10_000,
    });
    const settle = async (p: Promise<void>): Promise<void> => {
      let done = false;
      void p.finally(() => (done = true));
      while (!done) await clock.advance(1);
    };
    return { clock, directory, asked, settle };
  }

  it('with no supernode anywhere, asks a few neighbours and then ever less often', async () => {
    const t = setup(6, () => ({ supernode: false, supernodes: [] }));
    const perRound: number[] = [];
    for (let round = 0; round < 12; round++) {
      const before = t.asked.length;
      await t.settle(t.directory.discover());
      perRound.push(t.asked.length - before);
    }
    assert.deepEqual(perRound, [DISCOVERY_FANOUT, 0, DISCOVERY_FANOUT, 0, 0, DISCOVERY_FANOUT, 0, 0, 0, 0, DISCOVERY_FANOUT, 0]);
    assert.ok(t.directory.isShunned(t.asked[0]!), 'a node that is no supernode is not tried as one for a while');
    await t.clock.advance(10_000);
    t.directory.prune();
    assert.equal(t.directory.isShunned(t.asked[0]!), false, 'the shun runs out');
  });

  it('learns the supernodes a neighbour names, and forgets one it gives up', async () => {
    const t = setup(3, () => ({ supernode: false, supernodes: [node('5'), node('a')] }));
    await t.settle(t.directory.discover());
    assert.deepEqual(t.directory.known(), [node('5')], 'never itself');
    t.directory.giveUp(hexId('5'));
    assert.deepEqual(t.directory.known(), []);
    assert.equal(t.directory.isShunned(hexId('5')), true);
  });

  it('a shun ends early when routing shows the supernode at a higher incarnation than when it was shunned (it restarted)', () => {
    const clock = new ManualClock(0);
    const candidates: { id: string; address: string; incarnation?: number }[] = [{ ...node('5'), incarnation: 7 }, node('6')];
    const directory = new SupernodeDirectory({
      selfId: hexId('a'),
      transport: {} as never,
      clock,
      random: new SeededRandom(1),
      overlay: () => [],
      supernodeCandidates: () => candidates,
      callDeadlineMs: 500,
      shunMs: 45_000,
    });
    assert.equal(directory.known().length, 2);
    assert.equal(directory.incarnationOf(hexId('5')), 7);
    directory.giveUp(hexId('5'));
    directory.giveUp(hexId('6'));
    // Declared dead: routing no longer shows it, and its last incarnation is kept.
    candidates.splice(0, 1);
    directory.known();
    assert.equal(directory.incarnationOf(hexId('5')), 7);
    assert.equal(directory.isShunned(hexId('5')), true);
    candidates.push({ ...node('5'), incarnation: 7 });
    directory.known();
    assert.equal(directory.isShunned(hexId('5')), true, 'the same incarnation: still shunned');
    candidates.splice(1, 1, { ...node('5'), incarnation: 9 });
    directory.known();
    assert.equal(directory.isShunned(hexId('5')), false, 'a higher one ends the shun');
    assert.equal(directory.isShunned(hexId('6')), true, 'no incarnation known: the shun runs its time');
  });

  it('incarnationRose (table): only a known incarnation above a known one', () => {
    const rows: [number | undefined, number | undefined, boolean][] = [
      [1, 2, true],
      [2, 2, false],
      [3, 2, false],
      [undefined, 2, false],
      [1, undefined, false],
      [undefined, undefined, false],
    ];
    for (const [before, now, rose] of rows) assert.equal(incarnationRose(before, now), rose, `${before} → ${now}`);
  });
});
