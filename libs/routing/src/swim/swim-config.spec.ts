import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCode } from '@peerweave/core';
import { MAX_UPDATES_PER_MESSAGE } from '@peerweave/protocol';
import { DEFAULT_SWIM_TUNING, SWIM_PRESETS, resolveSwimTuning } from './swim-config.ts';
import { suspicionTimeout } from './swim-math.ts';

describe('swim config', () => {
  it('defaults to memberlist DefaultLANConfig', () => {
    assert.deepEqual(
      {
        probeIntervalMs: DEFAULT_SWIM_TUNING.probeIntervalMs,
        probeTimeoutMs: DEFAULT_SWIM_TUNING.probeTimeoutMs,
        indirectChecks: DEFAULT_SWIM_TUNING.indirectChecks,
        suspicionMult: DEFAULT_SWIM_TUNING.suspicionMult,
        suspicionMaxTimeoutMult: DEFAULT_SWIM_TUNING.suspicionMaxTimeoutMult,
        retransmitMult: DEFAULT_SWIM_TUNING.retransmitMult,
        awarenessMaxMultiplier: DEFAULT_SWIM_TUNING.awarenessMaxMultiplier,
      },
      {
        probeIntervalMs: 1000,
        probeTimeoutMs: 500,
        indirectChecks: 3,
        suspicionMult: 4,
        suspicionMaxTimeoutMult: 6,
        retransmitMult: 4,
        awarenessMaxMultiplier: 8,
      },
    );
    assert.deepEqual(resolveSwimTuning({}), DEFAULT_SWIM_TUNING);
    assert.equal(SWIM_PRESETS.lan, DEFAULT_SWIM_TUNING);
  });

  it('the dead retention outlives any gossip about a member, even at 10 000 members and full awareness', () => {
    const t = DEFAULT_SWIM_TUNING;
    const slowestPeriod = t.probeIntervalMs * t.awarenessMaxMultiplier;
    const gossipLifetime = t.retransmitMult * Math.ceil(Math.log10(10_001)) * slowestPeriod;
    assert.ok(t.deadRetentionMs > gossipLifetime);
    // ... and a dead member is remembered well past its longest suspicion.
    assert.ok(t.deadRetentionMs > t.suspicionMaxTimeoutMult * suspicionTimeout(t.suspicionMult, 10_000, t.probeIntervalMs));
  });

  it('gives failure news room in a message and join news at most a part of it, within the protocol limit', () => {
    const t = DEFAULT_SWIM_TUNING;
    assert.ok(t.maxPiggyback <= MAX_UPDATES_PER_MESSAGE);
    assert.ok(t.maxJoinPiggyback < t.maxPiggyback);
    assert.deepEqual([t.maxPiggyback, t.maxJoinPiggyback], [32, 8]);
  });

  it('the local preset derives from the LAN one', () => {
    assert.equal(SWIM_PRESETS.local.probeIntervalMs, 1000);
    assert.equal(SWIM_PRESETS.local.probeTimeoutMs, 200);
    assert.equal(SWIM_PRESETS.local.indirectChecks, 1);
    assert.equal(SWIM_PRESETS.local.retransmitMult, 2);
    assert.equal(SWIM_PRESETS.local.suspicionMult, 3);
  });

  it('keeps given values, and refuses bad ones with a ConfigError naming the setting', () => {
    assert.equal(resolveSwimTuning({ probeIntervalMs: 200, probeTimeoutMs: 50 }).probeIntervalMs, 200);
    const bad: [Parameters<typeof resolveSwimTuning>[0], RegExp][] = [
      [{ probeIntervalMs: 0 }, /probeIntervalMs/],
      [{ probeTimeoutMs: Number.NaN }, /probeTimeoutMs/],
      [{ probeTimeoutMs: 1000 }, /probeTimeoutMs.*below probeIntervalMs/],
      [{ indirectChecks: 1.5 }, /indirectChecks/],
      [{ deadRetentionMs: -1 }, /deadRetentionMs/],
      [{ maxPiggyback: 65 }, /maxPiggyback/],
      [{ maxJoinPiggyback: 0 }, /maxJoinPiggyback/],
      [{ maxJoinPiggyback: 2.5 }, /maxJoinPiggyback/],
    ];
    for (const [init, message] of bad) {
      assert.throws(() => resolveSwimTuning(init), (err) => errorCode(err) === 'INVALID_CONFIG' && message.test((err as Error).message));
    }
  });
});
