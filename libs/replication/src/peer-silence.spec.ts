import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@peerweave/core/testing';
import { PeerSilence } from './peer-silence.ts';

describe('PeerSilence', () => {
  it('a peer owing an answer for the delay is silent; an answer makes it busy, not silent', async () => {
    const clock = new ManualClock(0);
    const s = new PeerSilence(clock, 500);
    assert.equal(s.silent('p'), false, 'unknown: not silent');
    s.sent('p');
    s.sent('p');
    await clock.advance(499);
    assert.equal(s.silent('p'), false);
    await clock.advance(1);
    assert.equal(s.silent('p'), true);
    s.settled('p', 'answered');
    assert.equal(s.answeredAt('p'), 500);
    assert.equal(s.silent('p'), false, 'it answers, in order: what it still owes is owed since now');
    await clock.advance(500);
    assert.equal(s.silent('p'), true, 'and then nothing for the delay');
    s.settled('p', 'answered');
    assert.equal(s.silent('p'), false);
    await clock.advance(10_000);
    assert.equal(s.silent('p'), false, 'owing nothing, never silent');
  });

  it('a failed copy makes a peer silent until it answers again; a copy this node cancelled says nothing', async () => {
    const clock = new ManualClock(0);
    const s = new PeerSilence(clock, 500);
    s.sent('p');
    s.settled('p', 'failed');
    assert.equal(s.silent('p'), true);
    s.sent('p');
    s.settled('p', 'answered');
    assert.equal(s.silent('p'), false);
    s.sent('q');
    s.settled('q', 'cancelled');
    await clock.advance(1_000);
    assert.equal(s.silent('q'), false);
    assert.equal(s.answeredAt('q'), undefined);
  });
});
