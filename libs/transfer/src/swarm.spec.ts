import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { InvalidArgumentError, PeerweaveError } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { Swarm, type SwarmInit } from './swarm.ts';
import { FakeBlockSource, hashedContent, readAll, RecordingMetrics, runOnClock, type FakeBlockSourceInit } from './testing/index.ts';

const KIB = 1024;

/** A small file, its sources and a swarm over them; every source has every block. */
function setup(
  sources: Omit<FakeBlockSourceInit, 'clock' | 'content'>[],
  options: { blocks?: number; blockSize?: number; init?: Partial<SwarmInit> } = {},
) {
  const clock = new ManualClock();
  const content = hashedContent(randomBytes((options.blocks ?? 8) * (options.blockSize ?? 4 * KIB)), options.blockSize ?? 4 * KIB);
  const fakes = sources.map((s) => new FakeBlockSource({ clock, content: content.get, ...s }));
  const metrics = new RecordingMetrics();
  const swarm = new Swarm({
    blocks: content.blocks,
    providers: () => fakes,
    verify: content.verify,
    clock,
    metrics,
    ...options.init,
  });
  const byId = Object.fromEntries(fakes.map((f) => [f.id, f]));
  return { clock, content, fakes, byId, metrics, swarm };
}

const blocksMetric = (metrics: RecordingMetrics, outcome: string): number => metrics.value('peerweave_transfer_blocks_total', { outcome });

async function rejectsWith(work: Promise<unknown>, code: string): Promise<PeerweaveError> {
  const err = await work.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PeerweaveError, `expected a PeerweaveError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return err;
}

describe('Swarm', () => {
  it('yields every block in order, verified, and counts them', async () => {
    const { clock, content, swarm, metrics, byId } = setup([{ id: 'a', latencyMs: 10 }, { id: 'b', latencyMs: 10 }], { blocks: 20 });
    const out = await runOnClock(clock, readAll(swarm.blocks()));
    assert.deepEqual(out.cids, content.blocks.map((b) => b.cid));
    assert.deepEqual(out.data, content.data);
    assert.equal(blocksMetric(metrics, 'ok'), 20);
    assert.equal(metrics.value('peerweave_transfer_bytes_total'), content.data.length);
    const stats = swarm.stats().perPeer;
    assert.equal(stats.a!.blocks + stats.b!.blocks, 20);
    assert.ok(stats.a!.blocks > 0 && stats.b!.blocks > 0, 'both peers carried part of it');
    assert.equal(byId.a!.inFlight + byId.b!.inFlight, 0);
  });

  it('asks for the earliest-needed block first', async () => {
    const { clock, content, swarm, byId } = setup([{ id: 'a', latencyMs: 10 }], { blocks: 12 });
    await runOnClock(clock, readAll(swarm.blocks()));
    assert.deepEqual(byId.a!.requests.map((r) => r.cid), content.blocks.map((b) => b.cid));
  });

  it('an empty list is done at once', async () => {
    const clock = new ManualClock();
    const swarm = new Swarm({ blocks: [], providers: () => [], verify: () => true, clock });
    assert.deepEqual((await readAll(swarm.blocks())).cids, []);
  });

  it('fails over to another provider when one throws, and does not ask it again for that block', async () => {
    const { clock, content, swarm, byId, metrics } = setup([{ id: 'a', mode: 'unavailable' }, { id: 'b', latencyMs: 5 }], { blocks: 6 });
    const out = await runOnClock(clock, readAll(swarm.blocks()));
    assert.deepEqual(out.data, content.data);
    const askedOfA = byId.a!.requests.map((r) => r.cid);
    assert.equal(new Set(askedOfA).size, askedOfA.length, 'never the same block twice from the failing peer');
    const stats = swarm.stats().perPeer;
    assert.equal(stats.a!.failures, askedOfA.length);
    assert.equal(stats.a!.window, 1);
    assert.equal(stats.b!.blocks, 6);
    assert.equal(blocksMetric(metrics, 'failed'), askedOfA.length);
  });

  it('re-issues a stalled request elsewhere and still takes the slow answer if it comes first', async () => {
    const { clock, swarm, byId, metrics } = setup([{ id: 'a', latencyMs: 300 }, { id: 'b', latencyMs: 1000 }], {
      blocks: 1,
      init: { requestTimeoutMs: 200, endGameThreshold: 0 },
    });
    await runOnClock(clock, readAll(swarm.blocks()));
    assert.equal(byId.a!.requests[0]!.atMs, 0);
    assert.equal(byId.b!.requests[0]!.atMs, 200, 'asked of b when a stalled');
    assert.equal(clock.now() <= 302, true, `a's late answer was used (done at ${clock.now()})`);
    assert.equal(byId.b!.aborted, 1, "b's request was aborted");
    assert.equal(blocksMetric(metrics, 'timeout'), 1);
    assert.equal(swarm.stats().perPeer.a!.blocks, 1);
  });

  it('a peer that never answers is routed around after the request timeout', async () => {
    const { clock, content, swarm, byId } = setup([{ id: 'a', mode: 'hang' }, { id: 'b', latencyMs: 10 }], {
      blocks: 4,
      init: { requestTimeoutMs: 200, endGameThreshold: 0 },
    });
    const out = await runOnClock(clock, readAll(swarm.blocks()));
    assert.deepEqual(out.data, content.data);
    assert.equal(byId.a!.inFlight, 0, 'hung requests were aborted once the block came from b');
    assert.ok(byId.a!.aborted >= 1);
  });

  it('asks a newly listed provider when the known ones stall', async () => {
    const clock = new ManualClock();
    const content = hashedContent(randomBytes(4 * KIB), 4 * KIB);
    const a = new FakeBlockSource({ id: 'a', clock, content: content.get, mode: 'hang' });
    const b = new FakeBlockSource({ id: 'b', clock, content: content.get, latencyMs: 10 });
    const listed: FakeBlockSource[] = [a];
    const swarm = new Swarm({ blocks: content.blocks, providers: () => listed, verify: content.verify, clock, requestTimeoutMs: 100 });
    const work = readAll(swarm.blocks());
    await clock.advance(50);
    listed.push(b);
    const out = await runOnClock(clock, work);
    assert.deepEqual(out.data, content.data);
    assert.equal(b.requests.length, 1);
  });

  it('retries the only provider with back-off when it fails', async () => {
    const clock = new ManualClock();
    const content = hashedContent(randomBytes(4 * KIB), 4 * KIB);
    const a: FakeBlockSource = new FakeBlockSource({
      id: 'a',
      clock,
      content: content.get,
      mode: 'unavailable',
      onRequest: (_cid, n) => {
        if (n === 3) a.mode = 'ok';
      },
    });
    const swarm = new Swarm({ blocks: content.blocks, providers: () => [a], verify: content.verify, clock, retryBackoffMs: 100 });
    const out = await runOnClock(clock, readAll(swarm.blocks()));
    assert.deepEqual(out.data, content.data);
    // Round 1 after 100 ms (also the first cool-off), round 2 after 200 more.
    assert.deepEqual(a.requests.map((r) => r.atMs), [0, 100, 300]);
  });

  it('rejects with NOT_FOUND naming the CID when no provider can deliver it', async () => {
    const { clock, content, swarm, byId } = setup([{ id: 'a', mode: 'not-found' }, { id: 'b', mode: 'not-found' }], {
      blocks: 3,
      init: { maxRetries: 2, retryBackoffMs: 100 },
    });
    const err = await rejectsWith(runOnClock(clock, readAll(swarm.blocks())), 'NOT_FOUND');
    assert.match(err.message, new RegExp(content.blocks[0]!.cid));
    assert.equal(err.details?.cid, content.blocks[0]!.cid);
    assert.equal(byId.a!.inFlight + byId.b!.inFlight, 0);
    const askedForFirst = byId.a!.requests.filter((r) => r.cid === content.blocks[0]!.cid).length;
    assert.equal(askedForFirst, 3, 'asked once, then in 2 retry rounds');
  });

  it('rejects with NOT_FOUND at once when a block has no provider', async () => {
    const clock = new ManualClock();
    const swarm = new Swarm({ blocks: [{ cid: 'nowhere' }], providers: () => [], verify: () => true, clock });
    const err = await rejectsWith(readAll(swarm.blocks()), 'NOT_FOUND');
    assert.match(err.message, /nowhere/);
  });

  it('never yields corrupt bytes, asks elsewhere, and bans the sender after banAfter offences', async () => {
    const { clock, content, swarm, byId, metrics } = setup([{ id: 'a', mode: 'corrupt', latencyMs: 1 }, { id: 'b', latencyMs: 5 }], {
      blocks: 10,
    });
    const out = await runOnClock(clock, readAll(swarm.blocks()));
    assert.deepEqual(out.data, content.data);
    const stats = swarm.stats().perPeer;
    assert.equal(stats.a!.banned, true);
    assert.equal(stats.a!.blocks, 0);
    assert.equal(stats.a!.corrupt, 2);
    assert.equal(byId.a!.requests.length, 2, 'no request after the ban');
    assert.equal(metrics.value('peerweave_transfer_peers_banned_total'), 1);
    assert.equal(blocksMetric(metrics, 'corrupt'), 2);
  });

  it('asks a banned peer again once the ban has expired', async () => {
    const clock = new ManualClock();
    const content = hashedContent(randomBytes(40 * KIB), KIB);
    const a: FakeBlockSource = new FakeBlockSource({
      id: 'a',
      clock,
      content: content.get,
      latencyMs: 100,
      mode: 'corrupt',
      onRequest: (_cid, n) => {
        if (n === 3) a.mode = 'ok';
      },
    });
    const b = new FakeBlockSource({ id: 'b', clock, content: content.get, latencyMs: 100 });
    const swarm = new Swarm({ blocks: content.blocks, providers: () => [a, b], verify: content.verify, clock, banMs: 1000 });
    const out = await runOnClock(clock, readAll(swarm.blocks()));
    assert.deepEqual(out.data, content.data);
    // Both first requests answered corrupt at t = 100: banned until 1100.
    assert.deepEqual(a.requests.slice(0, 2).map((r) => r.atMs), [0, 0]);
    assert.ok(a.requests.length > 2, 'asked again');
    assert.ok(a.requests.slice(2).every((r) => r.atMs >= 1100), 'nothing asked during the ban');
    const stats = swarm.stats().perPeer.a!;
    assert.equal(stats.banned, false);
    assert.ok(stats.blocks > 0, 'its good blocks are used after the ban');
  });

  it('end game: the last blocks are also asked of a second peer and the loser is aborted', async () => {
    const { clock, content, swarm, byId } = setup([{ id: 'a', latencyMs: 10 }, { id: 'b', latencyMs: 50 }], {
      blocks: 3,
      init: { initialWindow: 4 },
    });
    const out = await runOnClock(clock, readAll(swarm.blocks()));
    assert.deepEqual(out.data, content.data);
    assert.equal(byId.b!.requests.length, 3, 'every remaining block was raced');
    assert.equal(byId.b!.aborted, 3, 'and the slower copies were called off');
    assert.equal(swarm.stats().perPeer.a!.blocks, 3);
    assert.equal(clock.now() < 50, true);
  });

  it('without end game each block is asked of one peer only', async () => {
    const { clock, swarm, byId } = setup([{ id: 'a', latencyMs: 10 }, { id: 'b', latencyMs: 50 }], { blocks: 3, init: { endGameThreshold: 0 } });
    await runOnClock(clock, readAll(swarm.blocks()));
    assert.equal(byId.a!.requests.length + byId.b!.requests.length, 3);
  });

  it('ends the download with INTERNAL when providers() throws', async () => {
    const clock = new ManualClock();
    const swarm = new Swarm({
      blocks: [{ cid: 'x' }],
      providers: () => {
        throw new Error('routing table exploded');
      },
      verify: () => true,
      clock,
    });
    const err = await rejectsWith(readAll(swarm.blocks()), 'INTERNAL');
    assert.match(String((err.cause as Error).message), /exploded/);
  });

  it('checks its tuning once, at construction', () => {
    const base = { blocks: [], providers: () => [], verify: () => true, clock: new ManualClock() };
    assert.throws(() => new Swarm({ ...base, initialWindow: 0 }), InvalidArgumentError);
    assert.throws(() => new Swarm({ ...base, initialWindow: 8, maxWindow: 4 }), /initialWindow/);
    assert.throws(() => new Swarm({ ...base, maxBufferedBlocks: 1.5 }), /maxBufferedBlocks/);
    assert.throws(() => new Swarm({ ...base, requestTimeoutMs: -1 }), /requestTimeoutMs/);
  });

  it('downloads once', () => {
    const swarm = new Swarm({ blocks: [], providers: () => [], verify: () => true, clock: new ManualClock() });
    swarm.blocks();
    assert.throws(() => swarm.blocks(), (err: PeerweaveError) => err.code === 'FAILED_PRECONDITION');
  });
});
