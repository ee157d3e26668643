import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { Periodic } from './periodic.ts';

function setup(round: () => Promise<void> = async () => {}) {
  const clock = new ManualClock(0);
  const rounds: number[] = [];
  const periodic = new Periodic({
    clock,
    random: new SeededRandom(5),
    periodMs: 1_000,
    round: async () => {
      rounds.push(clock.now());
      await round();
    },
  });
  return { clock, rounds, periodic };
}

describe('Periodic', () => {
  it('first round within the first quarter period, then one a period after each ends; none before start or after stop', async () => {
    const t = setup();
    await t.clock.advance(5_000);
    assert.deepEqual(t.rounds, [], 'not started');
    await t.periodic.start();
    await t.clock.advance(250);
    assert.equal(t.rounds.length, 1);
    const first = t.rounds[0]!;
    assert.ok(first >= 5_000 && first < 5_250);
    await t.clock.advance(3_000);
    assert.deepEqual(t.rounds, [first, first + 1_000, first + 2_000, first + 3_000]);
    await t.periodic.stop();
    assert.equal(t.periodic.running, false);
    await t.clock.advance(5_000);
    assert.equal(t.rounds.length, 4);
  });

  it('kick brings the next round forward to within half a period', async () => {
    const t = setup();
    await t.periodic.start();
    await t.clock.advance(250);
    const at = t.clock.now();
    t.periodic.kick();
    await t.clock.advance(500);
    assert.equal(t.rounds.length, 2);
    assert.ok(t.rounds[1]! - at < 500);
    await t.periodic.stop();
  });

  it('a failing round is logged away and the rounds go on; stop waits for the round in flight', async () => {
    let fail = true;
    let release!: () => void;
    const t = setup(async () => {
      if (fail) {
        fail = false;
        throw new Error('boom');
      }
      await new Promise<void>((resolve) => (release = resolve));
    });
    await t.periodic.start();
    await t.clock.advance(1_300);
    assert.equal(t.rounds.length, 2, 'the round after the failure came');
    let stopped = false;
    const stopping = t.periodic.stop().then(() => (stopped = true));
    await t.clock.advance(10);
    assert.equal(stopped, false, 'the second round is still running');
    release();
    await stopping;
    assert.equal(stopped, true);
  });
});
