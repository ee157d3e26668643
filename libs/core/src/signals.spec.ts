import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from './manual-clock.ts';
import { raceSignal, throwIfAborted, toAbortError, withDeadline } from './signals.ts';

describe('withDeadline', () => {
  it('aborts with DEADLINE_EXCEEDED when the deadline passes', async () => {
    const clock = new ManualClock();
    const d = withDeadline(100, { clock });
    await clock.advance(99);
    assert.equal(d.signal.aborted, false);
    await clock.advance(1);
    assert.equal(d.signal.aborted, true);
    assert.equal(toAbortError(d.signal).code, 'DEADLINE_EXCEEDED');
  });

  it("keeps the caller's abort as ABORTED, distinct from a deadline", () => {
    const clock = new ManualClock();
    const caller = new AbortController();
    const d = withDeadline(100, { clock, signal: caller.signal });
    caller.abort();
    assert.equal(d.signal.aborted, true);
    assert.equal(toAbortError(d.signal).code, 'ABORTED');
    assert.throws(() => throwIfAborted(d.signal), { code: 'ABORTED' });
  });

  it('is already aborted when the caller signal is', () => {
    const d = withDeadline(100, { clock: new ManualClock(), signal: AbortSignal.abort() });
    assert.equal(d.signal.aborted, true);
  });

  it('clear() releases the timer so the deadline no longer fires', async () => {
    const clock = new ManualClock();
    const d = withDeadline(100, { clock });
    d.clear();
    assert.equal(clock.pending, 0);
    await clock.advance(200);
    assert.equal(d.signal.aborted, false);
  });
});

describe('raceSignal', () => {
  it('rejects as soon as the signal aborts, resolves otherwise', async () => {
    const ac = new AbortController();
    const never = new Promise<number>(() => {});
    const p = raceSignal(never, ac.signal);
    ac.abort();
    await assert.rejects(p, { code: 'ABORTED' });
    assert.equal(await raceSignal(Promise.resolve(7), new AbortController().signal), 7);
    assert.equal(await raceSignal(Promise.resolve(8), undefined), 8);
  });
});
