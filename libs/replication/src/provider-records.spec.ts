import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeProviderRecords, providerExpiry, refreshIntervalMs, refreshPlan, type Provided } from './provider-records.ts';

const rec = (id: string, expiresMs: number) => ({ id, address: `${id}:7400`, expiresMs });

describe('mergeProviderRecords', () => {
  it('keeps one record per provider, the latest expiry, in first-seen order', () => {
    const merged = mergeProviderRecords([[rec('a', 10), rec('b', 20)], [rec('c', 5), rec('a', 30)], [rec('b', 15)]]);
    assert.deepEqual(merged, [rec('a', 30), rec('b', 20), rec('c', 5)]);
  });

  it('is empty without answers', () => assert.deepEqual(mergeProviderRecords([]), []));
});

describe('providerExpiry', () => {
  const cases: [now: number, ttl: number, max: number, expected: number][] = [
    [1_000, 500, 10_000, 1_500],
    [1_000, 50_000, 10_000, 11_000],
    [0, 0, 10, 0],
  ];
  for (const [now, ttl, max, expected] of cases) {
    it(`now ${now}, ttl ${ttl}, cap ${max}: ${expected}`, () => assert.equal(providerExpiry(now, ttl, max), expected));
  }
});

describe('refreshIntervalMs', () => {
  const cases: [ttl: number, expected: number][] = [
    [600_000, 150_000],
    [2_000, 1_000],
    [4_002, 1_000],
    [10_003, 2_500],
  ];
  for (const [ttl, expected] of cases) it(`ttl ${ttl}: every ${expected} ms`, () => assert.equal(refreshIntervalMs(ttl), expected));
});

describe('refreshPlan', () => {
  const provided = new Map<string, Provided>([
    ['fresh', { leaves: ['l1'], announcedMs: 900 }],
    ['half', { leaves: ['l2'], announcedMs: 500 }],
    ['old', { leaves: ['l3'], announcedMs: 0 }],
    ['gone', { leaves: ['l4'], announcedMs: 0 }],
  ]);
  it('announces again at half the lifetime, forgets what is no longer served', () => {
    const plan = refreshPlan(provided, 1_000, 1_000, (root) => root !== 'gone');
    assert.deepEqual(plan, { due: ['half', 'old'], forget: ['gone'] });
  });

  it('passes each object its leaves', () => {
    const seen: [string, readonly string[]][] = [];
    refreshPlan(provided, 0, 1_000, (root, leaves) => (seen.push([root, leaves]), true));
    assert.deepEqual(seen.map(([, l]) => l[0]), ['l1', 'l2', 'l3', 'l4']);
  });
});
