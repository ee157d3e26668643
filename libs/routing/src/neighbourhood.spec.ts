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
  const bucketOf = (id: string): number => ({ a: 255, b: 254, c: 200, d: 10 })[id[0] as 'a' | 'b' | 'c' | 'd'];
  const first = (ids: readonly string[]): string => ids[0]!;

  it('takes one contact per bucket, alternately from the far and the near end', () => {
    assert.deepEqual(refreshOverlay([], () => true, buckets, 3, first, bucketOf), ['a1', 'd1', 'b1']);
  });

  it('keeps usable members of chosen buckets and replaces dead ones', () => {
    const usable = (id: string): boolean => id !== 'b1';
    // Without b1's bucket the chosen buckets are 255, 10, 200: c2 stays, a1 and d1 join.
    assert.deepEqual(refreshOverlay(['b1', 'c2'], usable, buckets, 3, first, bucketOf), ['c2', 'a1', 'd1']);
  });

  it('follows a growing table: a member whose bucket is no longer chosen gives way', () => {
    // Early on the node knew only bucket 255 and took two of it; now four buckets are known.
    assert.deepEqual(refreshOverlay(['a1', 'a2'], () => true, buckets, 2, first, bucketOf), ['a1', 'd1']);
    // A stable table keeps a stable overlay.
    assert.deepEqual(refreshOverlay(['a2', 'd1'], () => true, buckets, 2, first, bucketOf), ['a2', 'd1']);
  });

  it('fills from any bucket when there are fewer buckets than slots', () => {
    const out = refreshOverlay([], () => true, buckets, 6, first, bucketOf);
    assert.equal(out.length, 6);
    assert.equal(new Set(out).size, 6);
  });
});
