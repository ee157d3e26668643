// JoinPacer: when the next join round runs, as a table of outcomes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JOIN_BACKOFF_START_MS, JOIN_QUIET_MAX_INTERVALS, JoinPacer, type JoinRoundOutcome } from './join-pacing.ts';

const ALONE: JoinRoundOutcome = { hasContacts: false, contacted: 1 };
const BUSY: JoinRoundOutcome = { hasContacts: true, contacted: 2 };
const QUIET: JoinRoundOutcome = { hasContacts: true, contacted: 0 };

describe('JoinPacer', () => {
  const cases: { name: string; rounds: JoinRoundOutcome[]; delays: number[] }[] = [
    { name: 'no contact: back-off from 250 ms doubling up to the interval', rounds: [ALONE, ALONE, ALONE, ALONE, ALONE, ALONE], delays: [250, 500, 1_000, 2_000, 4_000, 5_000] },
    { name: 'a round with someone to contact: one interval', rounds: [BUSY, BUSY], delays: [5_000, 5_000] },
    { name: 'quiet rounds: doubling from 2 intervals up to 8', rounds: [QUIET, QUIET, QUIET, QUIET, QUIET], delays: [10_000, 20_000, 40_000, 40_000, 40_000] },
    { name: 'a busy round ends a quiet stretch', rounds: [QUIET, QUIET, BUSY, QUIET], delays: [10_000, 20_000, 5_000, 10_000] },
    { name: 'losing every contact starts the back-off again', rounds: [QUIET, QUIET, ALONE, ALONE, BUSY], delays: [10_000, 20_000, 250, 500, 5_000] },
    { name: 'a contact after the back-off resets it', rounds: [ALONE, ALONE, BUSY, ALONE], delays: [250, 500, 5_000, 250] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const pacer = new JoinPacer(5_000);
      assert.deepEqual(c.rounds.map((r) => pacer.next(r)), c.delays);
    });
  }

  it('caps quiet waits at JOIN_QUIET_MAX_INTERVALS join intervals', () => {
    const pacer = new JoinPacer(1_000);
    const delays = Array.from({ length: 12 }, () => pacer.next(QUIET));
    assert.equal(Math.max(...delays), JOIN_QUIET_MAX_INTERVALS * 1_000);
    assert.equal(pacer.quietMaxMs, JOIN_QUIET_MAX_INTERVALS * 1_000);
    assert.equal(JOIN_BACKOFF_START_MS, 250);
  });

  it('a death ends a quiet stretch: it asks to bring the waiting round forward once', () => {
    const pacer = new JoinPacer(5_000);
    assert.equal(pacer.memberDied(), false, 'no quiet stretch yet');
    pacer.next(QUIET);
    pacer.next(QUIET);
    assert.equal(pacer.memberDied(), true);
    assert.equal(pacer.memberDied(), false, 'already brought forward');
    assert.equal(pacer.next(QUIET), 10_000, 'a quiet stretch starts over');
  });
});
