import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from './manual-clock.ts';

describe('ManualClock', () => {
  it('fires timers in deadline order, ties in creation order, only when advanced', async () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 20);
    clock.setTimeout(() => fired.push('a'), 10);
    clock.setTimeout(() => fired.push('c'), 20);
    assert.deepEqual(fired, []);
    await clock.advance(15);
    assert.deepEqual(fired, ['a']);
    assert.equal(clock.now(), 1015);
    await clock.advance(5);
    assert.deepEqual(fired, ['a', 'b', 'c']);
    assert.equal(clock.pending, 0);
  });

  it('fires timers scheduled by callbacks within the same advance', async () => {
    const clock = new ManualClock();
    const at: number[] = [];
    const tick = (): void => {
      at.push(clock.now());
      if (at.length < 5) clock.setTimeout(tick, 100);
    };
    clock.setTimeout(tick, 100);
    await clock.advance(1000);
    assert.deepEqual(at, [100, 200, 300, 400, 500]);
  });

  it('does not fire cleared timers', async () => {
    const clock = new ManualClock();
    let fired = false;
    const h = clock.setTimeout(() => (fired = true), 10);
    clock.clearTimeout(h);
    await clock.advance(100);
    assert.equal(fired, false);
  });

  it('counts a timer cleared twice, or cleared after it fired, once', async () => {
    const clock = new ManualClock();
    const a = clock.setTimeout(() => {}, 10);
    const b = clock.setTimeout(() => {}, 20);
    clock.clearTimeout(a);
    clock.clearTimeout(a);
    assert.equal(clock.pending, 1);
    await clock.advance(20);
    clock.clearTimeout(b);
    assert.equal(clock.pending, 0);
    clock.clearTimeout({});
    assert.equal(clock.pending, 0);
  });

  it('lets 11 microtask turns run after each timer before the next fires (simulations replay on it)', async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    clock.setTimeout(() => {
      log.push('first');
      let p: Promise<void> = Promise.resolve();
      for (let i = 1; i <= 15; i++) p = p.then(() => void log.push(`turn ${i}`));
    }, 1);
    clock.setTimeout(() => log.push('second'), 1);
    await clock.advance(1);
    assert.equal(log.indexOf('second'), log.indexOf('turn 11') + 1);
  });

  it('sleep resolves at the right time and rejects with ABORTED on abort', async () => {
    const clock = new ManualClock();
    let done = false;
    const p = clock.sleep(50).then(() => (done = true));
    await clock.advance(49);
    assert.equal(done, false);
    await clock.advance(1);
    await p;
    assert.equal(done, true);

    const ac = new AbortController();
    const q = clock.sleep(50, { signal: ac.signal });
    ac.abort();
    await assert.rejects(q, { code: 'ABORTED' });
    assert.equal(clock.pending, 0);
  });
});

describe('ManualClock at scale', () => {
  it('fires 50 000 timers in deadline order', async () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    const handles = [];
    for (let i = 0; i < 50_000; i++) {
      const at = (i * 7919) % 10_000;
      handles.push(clock.setTimeout(() => fired.push(at), at));
    }
    for (let i = 0; i < 50_000; i += 2) clock.clearTimeout(handles[i]!);
    assert.equal(clock.pending, 25_000);
    await clock.advance(10_000);
    assert.equal(fired.length, 25_000);
    for (let i = 1; i < fired.length; i++) assert.ok(fired[i - 1]! <= fired[i]!);
  });
});
