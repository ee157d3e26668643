import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MemberState, MemberUpdate } from '@peerweave/protocol';
import { SeededRandom } from '@peerweave/core';
import { BroadcastQueue } from './broadcast-queue.ts';

function update(id: string, state: MemberState = 'alive', incarnation = 1): MemberUpdate {
  return { state, contact: { id, address: `${id}:1`, role: 'peer', incarnation }, from: 'x' };
}

const ids = (updates: MemberUpdate[]): string[] => updates.map((u) => u.contact.id);

describe('BroadcastQueue', () => {
  it('replaces a queued update with a newer one about the same member', () => {
    const q = new BroadcastQueue({ retransmitMult: 4, viewSize: () => 10 });
    q.enqueue(update('a', 'alive', 1));
    q.enqueue(update('b'));
    q.enqueue(update('a', 'suspect', 1));
    assert.equal(q.size, 2);
    assert.equal(q.peek('a')?.state, 'suspect');
    const taken = q.take(10);
    assert.deepEqual(ids(taken), ['a', 'b']);
    assert.equal(taken[0]!.state, 'suspect');
  });

  it('sends every state update before any join update, however often each was sent', () => {
    // retransmitLimit(10, 10) = 20: nothing leaves the queue here.
    const q = new BroadcastQueue({ retransmitMult: 10, viewSize: () => 10 });
    q.enqueue(update('dead', 'dead'));
    for (let i = 0; i < 5; i++) q.take(1);
    for (let i = 0; i < 3; i++) q.enqueue(update(`j${i}`), 'join');
    // The death, sent 5 times, still goes before the joins, sent none.
    assert.deepEqual(ids(q.take(2)), ['dead', 'j2']);
    // Within the join lane the usual order: fewest transmits, then newest.
    assert.deepEqual(ids(q.take(3)), ['dead', 'j1', 'j0']);
    // A newer update about a member moves it to its own lane.
    q.enqueue(update('j0', 'suspect'));
    assert.deepEqual(ids(q.take(2)), ['j0', 'dead']);
  });

  it('takes at most maxJoin of the join lane; the state lane fills the rest', () => {
    const q = new BroadcastQueue({ retransmitMult: 10, viewSize: () => 10 });
    for (let i = 0; i < 4; i++) q.enqueue(update(`j${i}`), 'join');
    q.enqueue(update('s0', 'dead'));
    q.enqueue(update('s1', 'suspect'));
    assert.deepEqual(ids(q.take(6, 2)), ['s1', 's0', 'j3', 'j2']);
    // With no state news left to send, still at most maxJoin of the join lane.
    q.clear();
    for (let i = 0; i < 4; i++) q.enqueue(update(`j${i}`), 'join');
    assert.deepEqual(ids(q.take(6, 1)), ['j3']);
    assert.deepEqual(ids(q.take(6, 0)), []);
    // Without maxJoin the whole count may be join news.
    assert.deepEqual(ids(q.take(3)), ['j2', 'j1', 'j0']);
  });

  it('prunes the join lane first', () => {
    const q = new BroadcastQueue({ retransmitMult: 10, viewSize: () => 10, maxQueued: 3 });
    q.enqueue(update('s1', 'dead'));
    q.take(1);
    q.enqueue(update('j1'), 'join');
    q.enqueue(update('j2'), 'join');
    q.enqueue(update('s2', 'suspect'));
    assert.equal(q.size, 3);
    assert.equal(q.peek('j1'), undefined);
    assert.deepEqual(ids(q.take(3)), ['s2', 's1', 'j2']);
  });

  it('a replacement starts again with no transmits', () => {
    const q = new BroadcastQueue({ retransmitMult: 4, viewSize: () => 10 });
    q.enqueue(update('a'));
    q.enqueue(update('b'));
    q.take(2);
    q.take(2);
    q.enqueue(update('c'));
    q.enqueue(update('a', 'dead'));
    // a (0 transmits, newest), c (0), then b (2)
    assert.deepEqual(ids(q.take(3)), ['a', 'c', 'b']);
  });

  it('sends the fewest-transmitted first, newest first among equals', () => {
    const q = new BroadcastQueue({ retransmitMult: 10, viewSize: () => 10 });
    q.enqueue(update('a'));
    q.enqueue(update('b'));
    q.enqueue(update('c'));
    assert.deepEqual(ids(q.take(2)), ['c', 'b']);
    assert.deepEqual(ids(q.take(2)), ['a', 'c']); // a: 0 transmits, then c and b at 1, c newer
    q.enqueue(update('d'));
    assert.deepEqual(ids(q.take(4)), ['d', 'b', 'a', 'c']); // d 0; b and a at 1 (b newer); c 2
  });

  it('drops an update once it reached retransmitLimit(mult, n)', () => {
    let n = 9; // limit = 2 × ceil(log10(10)) = 2
    const q = new BroadcastQueue({ retransmitMult: 2, viewSize: () => n });
    q.enqueue(update('a'));
    assert.equal(q.take(1).length, 1);
    assert.equal(q.take(1).length, 1);
    assert.equal(q.take(1).length, 0);
    assert.equal(q.size, 0);

    n = 99; // limit = 2 × 2 = 4: a larger view retransmits more
    q.enqueue(update('b'));
    let sends = 0;
    while (q.take(1).length > 0) sends++;
    assert.equal(sends, 4);
  });

  it('takes nothing for a non-positive count and counts no transmit', () => {
    const q = new BroadcastQueue({ retransmitMult: 1, viewSize: () => 1 });
    q.enqueue(update('a'));
    assert.deepEqual(q.take(0), []);
    assert.equal(q.size, 1);
  });

  it('is bounded: beyond the cap the most-transmitted, oldest updates go first', () => {
    const q = new BroadcastQueue({ retransmitMult: 10, viewSize: () => 10, maxQueued: 3 });
    q.enqueue(update('a'));
    q.enqueue(update('b'));
    q.take(1); // b: 1 transmit
    q.enqueue(update('c'));
    q.enqueue(update('d')); // 4 > 3: b (most transmitted) is dropped
    assert.equal(q.size, 3);
    assert.equal(q.peek('b'), undefined);
    q.enqueue(update('e')); // all at 0: the oldest (a) goes
    assert.deepEqual(ids(q.take(10)), ['e', 'd', 'c']);
  });

  it('clear empties it', () => {
    const q = new BroadcastQueue({ retransmitMult: 4, viewSize: () => 10 });
    q.enqueue(update('a'));
    q.clear();
    assert.equal(q.size, 0);
    assert.deepEqual(q.take(5), []);
  });
});

// Both lanes, the state lane first, the join lane capped at a random maxJoin. The second size runs
// long enough for updates to climb many levels and to be joined by new ones at level 0 behind them.
for (const { members, steps, rounds } of [
  { members: 40, steps: 80, rounds: 50 },
  { members: 400, steps: 3_000, rounds: 4 },
]) it(`take picks exactly what a full sort of the queue would (random queues of up to ${members} vs a model)`, () => {
  const random = new SeededRandom(99);
  for (let round = 0; round < rounds; round++) {
    const queue = new BroadcastQueue({ retransmitMult: 4, viewSize: () => 1000 });
    const limit = 4 * Math.ceil(Math.log10(1001));
    // The model: every queued update with its enqueue order and transmits, sorted on each take.
    const model = new Map<string, { lane: number; seq: number; transmits: number }>();
    let seq = 0;
    for (let step = 0; step < steps; step++) {
      if (random.next() < 0.5) {
        const id = `${random.int(members)}`;
        const lane = random.next() < 0.3 ? 'join' : 'state';
        queue.enqueue(update(id), lane);
        model.delete(id);
        model.set(id, { lane: lane === 'join' ? 1 : 0, seq: seq++, transmits: 0 });
      } else {
        const count = 1 + random.int(9);
        const maxJoin = random.int(count + 1);
        const sorted = [...model.entries()].sort(([, a], [, b]) => a.lane - b.lane || a.transmits - b.transmits || b.seq - a.seq);
        const state = sorted.filter(([, q]) => q.lane === 0).slice(0, count);
        const expected = [...state, ...sorted.filter(([, q]) => q.lane === 1).slice(0, Math.min(maxJoin, count - state.length))];
        for (const [id, q] of expected) if (++q.transmits >= limit) model.delete(id);
        assert.deepEqual(queue.take(count, maxJoin).map((u) => u.contact.id), expected.map(([id]) => id));
      }
    }
  }
});
