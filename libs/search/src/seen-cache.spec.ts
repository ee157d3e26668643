import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCode } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { SeenCache } from './seen-cache.ts';

describe('SeenCache', () => {
  it('says first for a new id and not for a duplicate within ttlMs', () => {
    const cache = new SeenCache({ clock: new ManualClock(), ttlMs: 1000, max: 10 });
    assert.equal(cache.firstSeen('q1'), true);
    assert.equal(cache.firstSeen('q1'), false);
    assert.equal(cache.firstSeen('q2'), true);
    assert.equal(cache.size, 2);
  });

  it('forgets an id exactly ttlMs after it was first seen', async () => {
    const clock = new ManualClock(5000);
    const cache = new SeenCache({ clock, ttlMs: 1000, max: 10 });
    cache.firstSeen('q');
    await clock.advance(999);
    assert.equal(cache.firstSeen('q'), false, 'still remembered 1 ms before');
    await clock.advance(1);
    assert.equal(cache.firstSeen('q'), true, 'new again at exactly ttlMs');
    assert.equal(cache.firstSeen('q'), false, 'and remembered again from now');
  });

  it('a duplicate does not extend the life of its id', async () => {
    const clock = new ManualClock();
    const cache = new SeenCache({ clock, ttlMs: 1000, max: 10 });
    cache.firstSeen('q');
    for (let i = 0; i < 9; i++) {
      await clock.advance(100);
      assert.equal(cache.firstSeen('q'), false);
    }
    await clock.advance(100);
    assert.equal(cache.firstSeen('q'), true);
  });

  it('purges expired ids lazily: size counts only live ones', async () => {
    const clock = new ManualClock();
    const cache = new SeenCache({ clock, ttlMs: 1000, max: 100 });
    for (let i = 0; i < 10; i++) cache.firstSeen(`old${i}`);
    await clock.advance(500);
    for (let i = 0; i < 5; i++) cache.firstSeen(`new${i}`);
    assert.equal(cache.size, 15);
    await clock.advance(500);
    assert.equal(cache.size, 5);
    await clock.advance(500);
    assert.equal(cache.size, 0);
  });

  it('holds at most max ids, evicting the oldest first', () => {
    const cache = new SeenCache({ clock: new ManualClock(), ttlMs: 60_000, max: 3 });
    for (const id of ['a', 'b', 'c', 'd']) assert.equal(cache.firstSeen(id), true);
    assert.equal(cache.size, 3);
    assert.equal(cache.firstSeen('d'), false);
    assert.equal(cache.firstSeen('c'), false);
    assert.equal(cache.firstSeen('a'), true, 'the oldest was evicted, so it is new again');
    assert.equal(cache.firstSeen('b'), true, 'and re-adding a pushed out b');
    assert.equal(cache.size, 3);
  });

  it('stays bounded under a flood of distinct ids', async () => {
    const clock = new ManualClock();
    const cache = new SeenCache({ clock, ttlMs: 10_000, max: 1000 });
    for (let i = 0; i < 100_000; i++) {
      cache.firstSeen(`q${i}`);
      if (i % 1000 === 0) await clock.advance(1);
    }
    assert.equal(cache.size, 1000);
    assert.equal(cache.firstSeen('q99999'), false, 'the newest are the ones kept');
  });

  it('copes with a clock that goes back', () => {
    let now = 10_000;
    const clock = { now: () => now, setTimeout: () => ({}), clearTimeout: () => {}, sleep: async () => {} };
    const cache = new SeenCache({ clock, ttlMs: 1000, max: 10 });
    cache.firstSeen('a');
    now = 5000;
    cache.firstSeen('b');
    assert.equal(cache.firstSeen('a'), false, 'still remembered');
    now = 11_000;
    assert.equal(cache.firstSeen('a'), true);
    assert.equal(cache.firstSeen('b'), true);
  });

  it('refuses a bad configuration', () => {
    const clock = new ManualClock();
    for (const init of [
      { ttlMs: 0, max: 1 },
      { ttlMs: Number.NaN, max: 1 },
      { ttlMs: 1, max: 0 },
      { ttlMs: 1, max: 1.5 },
    ]) {
      assert.throws(() => new SeenCache({ clock, ...init }), (err) => errorCode(err) === 'INVALID_ARGUMENT', JSON.stringify(init));
    }
  });
});
