import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Awareness } from './awareness.ts';

describe('Awareness', () => {
  it('starts healthy and scales timeouts by score + 1', () => {
    const a = new Awareness(8);
    assert.equal(a.score, 0);
    assert.equal(a.scaleTimeout(1000), 1000);
    a.applyDelta(2);
    assert.equal(a.scaleTimeout(1000), 3000);
  });

  it('keeps the score in [0, max)', () => {
    // memberlist awareness_test.go: deltas railed at both ends.
    const a = new Awareness(8);
    const steps: [delta: number, score: number][] = [
      [0, 0],
      [-1, 0],
      [-10, 0],
      [1, 1],
      [-1, 0],
      [10, 7],
      [1, 7],
      [-1, 6],
      [-10, 0],
    ];
    for (const [delta, score] of steps) {
      assert.equal(a.applyDelta(delta), score, `after ${delta}`);
      assert.equal(a.scaleTimeout(1000), (score + 1) * 1000);
    }
  });

  it('with a maximum of 1 never scales', () => {
    const a = new Awareness(1);
    a.applyDelta(5);
    assert.equal(a.score, 0);
    assert.equal(a.scaleTimeout(500), 500);
  });
});
