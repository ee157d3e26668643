import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapLimit } from './map-limit.ts';

describe('mapLimit', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 3, 2, 4], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      // Finishes after n turns of the event loop (no clock time): the items end out of order.
      for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
      running--;
      return n * 10;
    });
    assert.deepEqual(out, [50, 10, 30, 20, 40]);
    assert.equal(most, 2);
  });

  it('handles an empty list', async () => {
    assert.deepEqual(await mapLimit([], 4, async () => 1), []);
  });
});
