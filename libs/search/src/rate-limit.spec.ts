import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCode } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { TokenBuckets } from './rate-limit.ts';

function takes(buckets: TokenBuckets, key: string, n: number): number {
  let allowed = 0;
  for (let i = 0; i < n; i++) if (buckets.take(key)) allowed++;
  return allowed;
}

describe('TokenBuckets', () => {
  it('allows a burst, then refuses', () => {
    const buckets = new TokenBuckets({ clock: new ManualClock(), ratePerSecond: 1, burst: 5, maxKeys: 10 });
    assert.equal(takes(buckets, 'n1', 8), 5);
  });

  it('refills by elapsed clock time, up to burst', async () => {
    const clock = new ManualClock();
    const buckets = new TokenBuckets({ clock, ratePerSecond: 10, burst: 5, maxKeys: 10 });
    assert.equal(takes(buckets, 'n1', 5), 5);
    assert.equal(buckets.take('n1'), false);
    await clock.advance(99);
    assert.equal(buckets.take('n1'), false, 'not a whole token yet');
    await clock.advance(1);
    assert.equal(buckets.take('n1'), true, 'one token after 100 ms at 10/s');
    assert.equal(buckets.take('n1'), false);
    await clock.advance(60_000);
    assert.equal(takes(buckets, 'n1', 10), 5, 'an idle minute refills to burst only');
  });

  it('holds the sustained rate', async () => {
    const clock = new ManualClock();
    const buckets = new TokenBuckets({ clock, ratePerSecond: 20, burst: 4, maxKeys: 10 });
    let allowed = 0;
    for (let ms = 0; ms < 10_000; ms += 5) {
      if (buckets.take('flooder')) allowed++;
      await clock.advance(5);
    }
    assert.equal(allowed, 4 + 20 * 10 - 1, 'burst + rate × 10 s (the last refill lands after the loop)');
  });

  it('keeps keys apart: one flooding neighbour does not starve another', () => {
    const buckets = new TokenBuckets({ clock: new ManualClock(), ratePerSecond: 1, burst: 3, maxKeys: 10 });
    assert.equal(takes(buckets, 'flooder', 100), 3);
    assert.equal(takes(buckets, 'quiet', 3), 3);
  });

  it('forgets idle keys whose buckets have refilled', async () => {
    const clock = new ManualClock();
    const buckets = new TokenBuckets({ clock, ratePerSecond: 1, burst: 2, maxKeys: 1000 });
    for (let i = 0; i < 100; i++) buckets.take(`old${i}`);
    assert.equal(buckets.size, 100);
    await clock.advance(1000); // each old bucket had 1 token left: full again after 1 s
    for (let i = 0; i < 100; i++) buckets.take(`new${i % 5}`);
    assert.equal(buckets.size, 5, 'only the keys in use are left');
  });

  it('a forgotten key starts again with a full bucket, which it had anyway', async () => {
    const clock = new ManualClock();
    const buckets = new TokenBuckets({ clock, ratePerSecond: 1, burst: 2, maxKeys: 1 });
    assert.equal(takes(buckets, 'a', 2), 2);
    await clock.advance(2000);
    buckets.take('b');
    assert.equal(buckets.size, 1);
    assert.equal(takes(buckets, 'a', 3), 2);
  });

  it('holds at most maxKeys, forgetting the least recently used', () => {
    const buckets = new TokenBuckets({ clock: new ManualClock(), ratePerSecond: 1, burst: 1, maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) assert.equal(buckets.take(key), true);
    assert.equal(buckets.take('a'), false, 'a is used again: now most recent');
    assert.equal(buckets.take('d'), true);
    assert.equal(buckets.size, 3);
    assert.equal(buckets.take('a'), false, 'a was kept (with its debt)');
    assert.equal(buckets.take('b'), true, 'b, least recently used, was forgotten');
  });

  it('stays bounded under many keys', () => {
    const buckets = new TokenBuckets({ clock: new ManualClock(), ratePerSecond: 1, burst: 1, maxKeys: 50 });
    for (let i = 0; i < 10_000; i++) buckets.take(`k${i}`);
    assert.equal(buckets.size, 50);
  });

  it('refuses a bad configuration', () => {
    const clock = new ManualClock();
    for (const init of [
      { ratePerSecond: 0, burst: 1, maxKeys: 1 },
      { ratePerSecond: Infinity, burst: 1, maxKeys: 1 },
      { ratePerSecond: 1, burst: 0.5, maxKeys: 1 },
      { ratePerSecond: 1, burst: 1, maxKeys: 0 },
    ]) {
      assert.throws(() => new TokenBuckets({ clock, ...init }), (err) => errorCode(err) === 'INVALID_ARGUMENT', JSON.stringify(init));
    }
  });
});
