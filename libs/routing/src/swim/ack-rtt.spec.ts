import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AckRtt, probeTiming } from './ack-rtt.ts';

const LAN = { probeIntervalMs: 500, probeTimeoutMs: 250, awarenessMaxMultiplier: 8 };

describe('AckRtt (RFC 6298 smoothing of direct-ack round trips)', () => {
  it('starts at 0, takes the first sample whole (rttvar = R / 2), then smooths with gains 1/8 and 1/4', () => {
    const rtt = new AckRtt();
    assert.equal(rtt.boundMs, 0);
    rtt.observe(100); // srtt 100, rttvar 50
    assert.equal(rtt.boundMs, 300);
    rtt.observe(300); // rttvar 0.75·50 + 0.25·200 = 87.5; srtt 0.875·100 + 0.125·300 = 125
    assert.equal(rtt.boundMs, 125 + 4 * 87.5);
  });

  it('ignores samples that are not durations', () => {
    const rtt = new AckRtt();
    rtt.observe(Number.NaN);
    rtt.observe(-5);
    rtt.observe(Number.POSITIVE_INFINITY);
    assert.equal(rtt.boundMs, 0);
  });

  it('falls back towards the fast round trips once answers are quick again', () => {
    const rtt = new AckRtt();
    rtt.observe(1);
    rtt.observe(900);
    const slow = rtt.boundMs;
    let quick = 0;
    while (rtt.boundMs >= LAN.probeTimeoutMs) {
      rtt.observe(1);
      quick++;
    }
    assert.ok(slow > 900, `bound after a slow answer ${slow}`);
    // One slow answer lengthens the deadline for a few periods only (here ~6 s of 500 ms periods).
    assert.ok(quick <= 12, `${quick} quick answers to fall below the configured timeout`);
  });
});

describe('probeTiming', () => {
  const table: { what: string; score: number; bound: number; ack: number; period: number }[] = [
    { what: 'idle network: the configured values', score: 0, bound: 3, ack: 250, period: 500 },
    { what: 'answers slower than the timeout: deadline = bound, period in proportion', score: 0, bound: 400, ack: 400, period: 800 },
    { what: 'Lifeguard alone stretches both by score + 1', score: 2, bound: 3, ack: 750, period: 1500 },
    { what: 'both: bound × (score + 1)', score: 1, bound: 400, ack: 800, period: 1600 },
    { what: 'the observed bound counts up to twice the timeout', score: 0, bound: 5_000, ack: 500, period: 1000 },
    { what: 'never beyond awarenessMax × the configured values', score: 7, bound: 5_000, ack: 2000, period: 4000 },
  ];
  for (const row of table) {
    it(row.what, () => {
      assert.deepEqual(probeTiming(LAN, row.score, row.bound), { ackTimeoutMs: row.ack, periodMs: row.period });
    });
  }
});
