import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@peerweave/core/testing';
import { PeerRecord } from './peer-record.ts';

const source = { id: 'p1', fetch: () => Promise.reject(new Error('unused')) };
const init = { initialWindow: 2, maxWindow: 4, banAfter: 2, banMs: 1000, coolOffBaseMs: 100 };

describe('PeerRecord', () => {
  it('measures latency and throughput and grows its window on faster blocks', () => {
    const peer = new PeerRecord(source, init);
    peer.delivered(100, 1000);
    assert.equal(peer.window, 2, 'first sample: nothing to compare with');
    assert.equal(peer.averageLatencyMs, 100);
    assert.equal(peer.throughput, 10);
    peer.delivered(50, 1000);
    assert.equal(peer.window, 3);
    peer.delivered(50, 1000);
    peer.delivered(40, 1000);
    peer.delivered(30, 1000);
    assert.equal(peer.window, 4, 'capped at maxWindow');
    assert.deepEqual(peer.stats(0), { blocks: 5, bytes: 5000, failures: 0, corrupt: 0, banned: false, window: 4 });
  });

  it('a failure halves the window and cools the peer off, longer each time in a row', async () => {
    const clock = new ManualClock();
    const peer = new PeerRecord(source, { ...init, initialWindow: 4 });
    peer.failed('error', clock.now());
    assert.equal(peer.window, 2);
    assert.equal(peer.isCooling(clock.now()), true);
    await clock.advance(100);
    assert.equal(peer.isCooling(clock.now()), false);
    peer.failed('timeout', clock.now());
    assert.equal(peer.window, 1);
    await clock.advance(199);
    assert.equal(peer.isCooling(clock.now()), true, 'second failure in a row: 200 ms');
    await clock.advance(1);
    assert.equal(peer.isCooling(clock.now()), false);
    peer.delivered(10, 100);
    assert.equal(peer.consecutiveFailures, 0);
    assert.equal(peer.failures, 2);
  });

  it('NOT_FOUND counts as a failure but is no sign of overload', () => {
    const peer = new PeerRecord(source, init);
    peer.failed('missing', 0);
    assert.equal(peer.window, 2);
    assert.equal(peer.isCooling(0), false);
    assert.equal(peer.failures, 1);
  });

  it('is banned after banAfter corrupt blocks, until banMs have passed on the clock', async () => {
    const clock = new ManualClock();
    const peer = new PeerRecord(source, init);
    assert.equal(peer.sentCorrupt(clock.now()), false);
    assert.equal(peer.isBanned(clock.now()), false);
    assert.equal(peer.sentCorrupt(clock.now()), true);
    assert.equal(peer.stats(clock.now()).banned, true);
    assert.equal(peer.stats(clock.now()).corrupt, 2);
    await clock.advance(999);
    assert.equal(peer.isBanned(clock.now()), true);
    await clock.advance(1);
    assert.equal(peer.isBanned(clock.now()), false);
    assert.equal(peer.stats(clock.now()).banned, false);
  });
});
