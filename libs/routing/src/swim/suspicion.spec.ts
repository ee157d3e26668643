import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@peerweave/core/testing';
import { Suspicion } from './suspicion.ts';

function setup(k: number, minMs = 2000, maxMs = 30_000) {
  const clock = new ManualClock();
  const fired: { at: number; confirmations: number }[] = [];
  const s = new Suspicion({
    clock,
    from: 'first',
    k,
    minMs,
    maxMs,
    onTimeout: (confirmations) => fired.push({ at: clock.now(), confirmations }),
  });
  return { clock, fired, s };
}

describe('Suspicion', () => {
  it('without confirmations fires at the maximum', async () => {
    const { clock, fired } = setup(3);
    await clock.advance(29_999);
    assert.equal(fired.length, 0);
    await clock.advance(1);
    assert.deepEqual(fired, [{ at: 30_000, confirmations: 0 }]);
  });

  it('shrinks with each independent confirmation (memberlist suspicion_test.go)', async () => {
    // k = 3, min 2 s, max 30 s: totals 30 → 16 → 7.81 → 2 s after 0, 1, 2, 3 confirmations.
    const { clock, fired, s } = setup(3);
    assert.equal(s.timeoutMs, 30_000);
    await clock.advance(1000);
    assert.equal(s.confirm('b'), true);
    assert.equal(s.timeoutMs, 16_000);
    assert.equal(s.remainingMs(), 15_000);
    await clock.advance(1000);
    assert.equal(s.confirm('c'), true);
    assert.equal(s.timeoutMs, 7810);
    await clock.advance(5000);
    assert.equal(fired.length, 0);
    assert.equal(s.confirm('d'), true); // total 2 s, already overdue: fires on the next tick
    await clock.advance(0);
    assert.deepEqual(fired, [{ at: 7000, confirmations: 3 }]);
  });

  it('ignores the first suspecter, repeats, and confirmations beyond k', async () => {
    const { s } = setup(2);
    assert.equal(s.confirm('first'), false);
    assert.equal(s.confirm('b'), true);
    assert.equal(s.confirm('b'), false);
    assert.equal(s.confirm('c'), true);
    assert.equal(s.confirm('d'), false); // k reached
    assert.equal(s.confirmations, 2);
  });

  it('never goes below the minimum', async () => {
    const { clock, fired, s } = setup(2, 5908, 35_448);
    s.confirm('b');
    s.confirm('c');
    assert.equal(s.timeoutMs, 5908);
    await clock.advance(5907);
    assert.equal(fired.length, 0);
    await clock.advance(1);
    assert.equal(fired.length, 1);
  });

  it('with k < 1 fires at the minimum from the start', async () => {
    const { clock, fired } = setup(0);
    await clock.advance(2000);
    assert.equal(fired.length, 1);
  });

  it('cancel stops it for good', async () => {
    const { clock, fired, s } = setup(3);
    s.cancel();
    assert.equal(s.confirm('b'), false);
    await clock.advance(60_000);
    assert.equal(fired.length, 0);
    assert.equal(s.done, true);
  });
});
