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

  it('takes one contact per bucket, far buckets first', () => {
    assert.deepEqual(refreshOverlay([], () => true, buckets, 3, first, bucketOf), ['a1', 'b1', 'c1']);
  });

  it('keeps usable members and replaces dead ones from unrepresented buckets', () => {
    const usable = (id: string): boolean => id !== 'b1';
    assert.deepEqual(refreshOverlay(['b1', 'c2'], usable, buckets, 3, first, bucketOf), ['c2', 'a1', 'd1']);
  });

  it('fills from any bucket when there are fewer buckets than slots', () => {
    const out = refreshOverlay([], () => true, buckets, 6, first, bucketOf);
    assert.equal(out.length, 6);
    assert.equal(new Set(out).size, 6);
  });
});
