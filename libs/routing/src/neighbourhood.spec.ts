import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffNeighbourhood, refreshOverlay } from './neighbourhood.ts';

describe('neighbourhood', () => {
  it('diffs member lists, ignoring order', () => {
    assert.equal(diffNeighbourhood(['a', 'b'], ['b', 'a']), undefined);
    assert.deepEqual(diffNeighbourhood(['a', 'b'], ['b', 'c']), { members: ['b', 'c'], added: ['c'], removed: ['a'] });
  });
});

describe('overlay', () => {
  const buckets = new Map<number, string[]>([
    [255, ['a1', 'a2']],
    [254, ['b1']],
    [200, ['c1', 'c2']],
    [10, ['d1']],
  ]);
  // Lower rank wins: here by the digit, reversed, so a2 beats a1 and c2 beats c1.
  const rank = (id: string): bigint => BigInt(9 - Number(id[1]));

  it('takes one contact per bucket, alternately from the far and the near end, the best ranked in each', () => {
    assert.deepEqual(refreshOverlay(() => true, buckets, 3, rank), ['a2', 'd1', 'b1']);
    assert.deepEqual(refreshOverlay(() => true, buckets, 4, rank), ['a2', 'd1', 'b1', 'c2']);
  });

  it('skips contacts that are not usable, and buckets left empty', () => {
    const usable = (id: string): boolean => id !== 'a2' && id !== 'd1';
    assert.deepEqual(refreshOverlay(usable, buckets, 3, rank), ['a1', 'c2', 'b1']);
  });

  it('depends on the table only, not on the order contacts arrived in', () => {
    const reversed = new Map([...buckets].reverse().map(([k, v]) => [k, [...v].reverse()] as const));
    assert.deepEqual(refreshOverlay(() => true, reversed, 4, rank), refreshOverlay(() => true, buckets, 4, rank));
  });

  it('fills by rank from every bucket when there are fewer buckets than slots', () => {
    const out = refreshOverlay(() => true, buckets, 6, rank);
    assert.deepEqual(out, ['a2', 'd1', 'b1', 'c2', 'a1', 'c1']);
  });
});
