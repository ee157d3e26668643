import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from '@peerweave/core';
import { ProbeOrder } from './probe-order.ts';

const set = (...ids: string[]): Set<string> => new Set(ids);

describe('ProbeOrder', () => {
  it('probes every candidate once per round, in a shuffled order that changes between rounds', () => {
    const order = new ProbeOrder(new SeededRandom(7));
    const all = set(...Array.from({ length: 10 }, (_, i) => `n${i}`));
    const round1 = Array.from({ length: 10 }, () => order.next(all)!);
    const round2 = Array.from({ length: 10 }, () => order.next(all)!);
    assert.deepEqual([...round1].sort(), [...all].sort());
    assert.deepEqual([...round2].sort(), [...all].sort());
    assert.notDeepEqual(round1, round2);
  });

  it('skips candidates that went away and returns undefined when there are none', () => {
    const order = new ProbeOrder(new SeededRandom(1));
    assert.equal(order.next(set()), undefined);
    const first = order.next(set('a', 'b', 'c'))!;
    const rest = set('a', 'b', 'c');
    rest.delete(first);
    const remaining = [...rest];
    const gone = remaining[0]!;
    assert.equal(order.next(set(first, remaining[1]!)), remaining[1]);
    assert.notEqual(order.next(set(first, remaining[1]!)), gone);
  });

  it('probes a new candidate within the current round', () => {
    const order = new ProbeOrder(new SeededRandom(3));
    const ids = set('a', 'b', 'c', 'd');
    order.next(ids);
    ids.add('e');
    const rest = [order.next(ids), order.next(ids), order.next(ids), order.next(ids)];
    assert.ok(rest.includes('e'), `e not probed in this round: ${rest.join(',')}`);
  });
});
