// The swarm with a verify that answers later (the hash computed off the event loop, as the node's
// swarmed reads do): order kept, a late "no" is a corrupt block, a failing check is a failed
// request whose error reaches the reader, and the request keeps its place in the window meanwhile.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { PeerweaveError } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { Swarm, type SwarmInit } from './swarm.ts';
import { FakeBlockSource, hashedContent, readAll, RecordingMetrics, runOnClock, type FakeBlockSourceInit } from './testing/index.ts';

/** Resolves after a few turns of the event loop: later than the answer, in no particular order. */
function later<T>(value: T, turns: number): Promise<T> {
  return new Promise((resolve) => {
    const step = (left: number): void => {
      if (left <= 0) resolve(value);
      else setImmediate(() => step(left - 1));
    };
    step(turns);
  });
}

type Check = (cid: string, bytes: Uint8Array) => boolean;

function setup(verify: (check: Check) => SwarmInit['verify'], sources: Omit<FakeBlockSourceInit, 'clock' | 'content'>[], init: Partial<SwarmInit> = {}) {
  const clock = new ManualClock();
  const content = hashedContent(randomBytes(24 * 1024), 1024);
  const fakes = sources.map((s) => new FakeBlockSource({ clock, content: content.get, latencyMs: 2, ...s }));
  const metrics = new RecordingMetrics();
  const swarm = new Swarm({ blocks: content.blocks, providers: () => fakes, verify: verify(content.verify), clock, metrics, ...init });
  return { clock, content, fakes, metrics, swarm };
}

const outcome = (metrics: RecordingMetrics, name: string): number => metrics.value('peerweave_transfer_blocks_total', { outcome: name });

describe('Swarm with an asynchronous verify', () => {
  it('yields every block in order although the checks answer out of order', async () => {
    let n = 0;
    const { clock, content, swarm, metrics } = setup((check) => (cid, bytes) => later(check(cid, bytes), (n++ * 7) % 5), [{ id: 'a' }, { id: 'b' }]);
    const out = await runOnClock(clock, readAll(swarm.blocks()));
    assert.deepEqual(out.cids, content.blocks.map((b) => b.cid));
    assert.deepEqual(out.data, content.data);
    assert.equal(outcome(metrics, 'ok'), content.blocks.length);
  });

  it('a late "no" is a corrupt block: the peer is banned and the block comes from another', async () => {
    const { clock, content, swarm, metrics } = setup((check) => (cid, bytes) => later(check(cid, bytes), 2), [{ id: 'a', mode: 'corrupt' }, { id: 'b' }], {
      banAfter: 1,
    });
    const out = await runOnClock(clock, readAll(swarm.blocks()));
    assert.deepEqual(out.data, content.data, 'nothing unverified reaches the reader');
    assert.ok(outcome(metrics, 'corrupt') >= 1);
    const stats = swarm.stats().perPeer;
    assert.equal(stats.a!.banned, true);
    assert.equal(stats.a!.blocks, 0);
    assert.equal(stats.b!.blocks, content.blocks.length);
  });

  it('a check that fails is a failed request, not a ban, and its error reaches the reader', async () => {
    const broken = new Error('hashing failed');
    const { clock, swarm, metrics } = setup(() => () => Promise.reject(broken), [{ id: 'a' }], { maxRetries: 1, retryBackoffMs: 1 });
    const err = await runOnClock(clock, readAll(swarm.blocks())).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof PeerweaveError && err.code === 'NOT_FOUND', String(err));
    assert.equal(err.cause, broken);
    assert.equal(outcome(metrics, 'corrupt'), 0);
    assert.ok(outcome(metrics, 'failed') >= 1);
    assert.equal(swarm.stats().perPeer.a!.banned, false);
  });

  it('a request waiting for its check keeps its place in the window', async () => {
    const held: (() => void)[] = [];
    const { clock, content, fakes, swarm } = setup(
      (check) => (cid, bytes) =>
        new Promise<boolean>((resolve) => {
          held.push(() => resolve(check(cid, bytes)));
        }),
      [{ id: 'a' }],
      { initialWindow: 2, maxWindow: 2 },
    );
    const reading = readAll(swarm.blocks());
    // Both requests of the window answered, both checks held: no third request goes out.
    for (let t = 0; t < 50 && held.length < 2; t++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await clock.advance(1);
    }
    assert.equal(held.length, 2);
    await clock.advance(20);
    assert.equal(fakes[0]!.requests.length, 2, 'the window is full until a check answers');
    // Let every check through from now on.
    const release = setInterval(() => held.splice(0).forEach((go) => go()), 1);
    try {
      const out = await runOnClock(clock, reading);
      assert.deepEqual(out.data, content.data);
    } finally {
      clearInterval(release);
    }
  });
});
