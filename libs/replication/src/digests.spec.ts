import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { differingRanges, rangeDigests, RANGE_COUNT } from './digests.ts';

const key = (first: number, rest = 0): Uint8Array => {
  const k = new Uint8Array(32).fill(rest);
  k[0] = first;
  return k;
};

describe('range digests', () => {
  it('has one digest per range, empty ranges with count 0 and no hash', () => {
    const d = rangeDigests([{ key: key(7), label: 'a' }]);
    assert.equal(d.length, RANGE_COUNT);
    assert.deepEqual(d[0], { prefix: 0, count: 0, hash: new Uint8Array(0) });
    assert.equal(d[7]!.count, 1);
    assert.equal(d[7]!.hash.length, 32);
  });

  it('does not depend on the order entries come in', () => {
    const a = rangeDigests([{ key: key(1), label: 'x' }, { key: key(1, 2), label: 'y' }]);
    const b = rangeDigests([{ key: key(1, 2), label: 'y' }, { key: key(1), label: 'x' }]);
    assert.deepEqual(a, b);
  });

  it('finds exactly the ranges whose sets differ', () => {
    const ours = rangeDigests([
      { key: key(1), label: 'same' },
      { key: key(2), label: 'only-ours' },
      { key: key(3), label: 'x' },
    ]);
    const theirs = rangeDigests([
      { key: key(1), label: 'same' },
      { key: key(3), label: 'y' },
      { key: key(200), label: 'only-theirs' },
    ]);
    assert.deepEqual(differingRanges(ours, theirs), [2, 3, 200]);
    assert.deepEqual(differingRanges(ours, ours), []);
  });

  it('treats a missing digest as an empty range', () => {
    const ours = rangeDigests([{ key: key(9), label: 'a' }]);
    assert.deepEqual(differingRanges(ours, []), [9]);
    assert.deepEqual(differingRanges(rangeDigests([]), []), []);
  });
});
