import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { remainingSuspicionTime, retransmitLimit, scaleByAwareness, suspicionTimeout } from './swim-math.ts';

describe('suspicionTimeout', () => {
  // memberlist util_test.go: suspicionTimeout(3, n, 1s) / 3, plus the LAN multiplier 4.
  const table: [mult: number, n: number, intervalMs: number, expected: number][] = [
    [3, 5, 1000, 3000],
    [3, 10, 1000, 3000],
    [3, 50, 1000, 3 * 1698],
    [3, 100, 1000, 3 * 2000],
    [3, 500, 1000, 3 * 2698],
    [3, 1000, 1000, 3 * 3000],
    [4, 0, 1000, 4000],
    [4, 1, 1000, 4000],
    [4, 30, 1000, 5908],
    [4, 10_000, 1000, 16_000],
    [4, 30, 200, 1181],
  ];
  for (const [mult, n, interval, expected] of table) {
    it(`${mult} × max(1, log10(${n})) × ${interval} ms = ${expected} ms`, () => {
      assert.equal(suspicionTimeout(mult, n, interval), expected);
    });
  }
});

describe('retransmitLimit', () => {
  const table: [mult: number, n: number, expected: number][] = [
    [3, 0, 0],
    [3, 1, 3],
    [3, 9, 3],
    [3, 10, 6],
    [3, 99, 6],
    [3, 100, 9],
    [4, 30, 8],
    [4, 10_000, 20],
  ];
  for (const [mult, n, expected] of table) {
    it(`${mult} × ceil(log10(${n} + 1)) = ${expected}`, () => {
      assert.equal(retransmitLimit(mult, n), expected);
    });
  }
});

describe('remainingSuspicionTime', () => {
  // memberlist suspicion_test.go TestSuspicion_remainingSuspicionTime, in ms.
  const table: [n: number, k: number, elapsed: number, min: number, max: number, expected: number][] = [
    [0, 3, 0, 2000, 30_000, 30_000],
    [1, 3, 2000, 2000, 30_000, 14_000],
    [2, 3, 3000, 2000, 30_000, 4810],
    [3, 3, 4000, 2000, 30_000, -2000],
    [4, 3, 5000, 2000, 30_000, -3000],
    [5, 3, 10_000, 2000, 30_000, -8000],
    // no confirmation expected: the minimum from the start
    [0, 0, 0, 2000, 30_000, 2000],
    [0, 0, 500, 2000, 30_000, 1500],
  ];
  for (const [n, k, elapsed, min, max, expected] of table) {
    it(`n=${n} k=${k} elapsed=${elapsed} → ${expected}`, () => {
      assert.equal(remainingSuspicionTime(n, k, elapsed, min, max), expected);
    });
  }

  it('never goes below the minimum total timeout', () => {
    for (let n = 0; n < 20; n++) {
      assert.ok(remainingSuspicionTime(n, 2, 0, 5908, 35_448) >= 5908);
    }
  });
});

describe('scaleByAwareness', () => {
  const table: [ms: number, score: number, expected: number][] = [
    [1000, 0, 1000],
    [1000, 1, 2000],
    [500, 7, 4000],
  ];
  for (const [ms, score, expected] of table) {
    it(`${ms} ms × (${score} + 1) = ${expected}`, () => assert.equal(scaleByAwareness(ms, score), expected));
  }
});
