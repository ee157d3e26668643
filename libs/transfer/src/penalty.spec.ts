import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@peerweave/core/testing';
import { coolOffMs, isBanned, MAX_COOL_OFF_MS, NO_OFFENCES, recordOffence, retryBackoffMs, type BanState } from './penalty.ts';

const rules = { banAfter: 2, banMs: 60_000 };

describe('ban rules', () => {
  it('bans on the banAfter-th offence, not before', () => {
    const first = recordOffence(NO_OFFENCES, 1000, rules);
    assert.deepEqual(first, { offences: 1, bannedUntilMs: undefined, banned: false });
    assert.equal(isBanned(first, 1000), false);
    const second = recordOffence(first, 2000, rules);
    assert.deepEqual(second, { offences: 0, bannedUntilMs: 62_000, banned: true });
    assert.equal(isBanned(second, 2000), true);
  });

  it('bans at once when banAfter is 1', () => {
    assert.equal(recordOffence(NO_OFFENCES, 0, { banAfter: 1, banMs: 10 }).banned, true);
  });

  it('a ban expires after banMs on the clock, and the count starts again', async () => {
    const clock = new ManualClock(5000);
    let state: BanState = NO_OFFENCES;
    state = recordOffence(state, clock.now(), rules);
    state = recordOffence(state, clock.now(), rules);
    assert.equal(isBanned(state, clock.now()), true);
    await clock.advance(59_999);
    assert.equal(isBanned(state, clock.now()), true, 'still banned 1 ms before the end');
    await clock.advance(1);
    assert.equal(isBanned(state, clock.now()), false, 'free at exactly banMs');
    const again = recordOffence(state, clock.now(), rules);
    assert.equal(again.banned, false, 'one offence after a ban is not a new ban');
    assert.equal(recordOffence(again, clock.now(), rules).banned, true);
  });

  it('a peer never banned is not banned', () => assert.equal(isBanned(NO_OFFENCES, 0), false));
});

describe('coolOffMs', () => {
  const cases: [number, number, number][] = [
    [0, 250, 0],
    [1, 250, 250],
    [2, 250, 500],
    [4, 250, 2000],
    [20, 250, MAX_COOL_OFF_MS],
    [1000, 250, MAX_COOL_OFF_MS],
  ];
  for (const [n, base, expected] of cases) {
    it(`${n} failures in a row at base ${base}: ${expected} ms`, () => assert.equal(coolOffMs(n, base), expected));
  }
});

describe('retryBackoffMs', () => {
  const cases: [number, number, number][] = [
    [1, 250, 250],
    [2, 250, 500],
    [3, 250, 1000],
    [0, 100, 100],
  ];
  for (const [round, base, expected] of cases) {
    it(`round ${round} at base ${base}: ${expected} ms`, () => assert.equal(retryBackoffMs(round, base), expected));
  }
});
