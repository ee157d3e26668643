import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeerweaveError } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { Swarm, type SwarmInit } from './swarm.ts';
import { FakeBlockSource, generatedContent, readAll, runOnClock, type FakeSourceMode } from './testing/index.ts';

function setup(init: Partial<SwarmInit> = {}, mode: FakeSourceMode = 'ok') {
  const clock = new ManualClock();
  const content = generatedContent(40, 16 * 1024);
  // Each source answers one block per 50 ms.
  const sources = ['a', 'b', 'c'].map((id) => new FakeBlockSource({ id, clock, content: content.get, bytesPerMs: (16 * 1024) / 50, mode }));
  const swarm = new Swarm({ blocks: content.blocks, providers: () => sources, verify: content.verify, clock, ...init });
  return { clock, sources, swarm };
}

async function rejectsWith(work: Promise<unknown>, code: string): Promise<PeerweaveError> {
  const err = await work.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PeerweaveError, `expected a PeerweaveError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return err;
}

const inFlight = (sources: FakeBlockSource[]): number => sources.reduce((n, s) => n + s.inFlight, 0);
const aborted = (sources: FakeBlockSource[]): number => sources.reduce((n, s) => n + s.aborted, 0);

describe('Swarm cancellation', () => {
  it("the caller's signal mid-download rejects with ABORTED and aborts every request in flight", async () => {
    const controller = new AbortController();
    const { clock, sources, swarm } = setup({ signal: controller.signal });
    let flyingAtAbort = 0;
    clock.setTimeout(() => {
      flyingAtAbort = inFlight(sources);
      controller.abort();
    }, 120);
    let read = 0;
    await rejectsWith(runOnClock(clock, readAll(swarm.blocks(), { onBlock: () => read++ })), 'ABORTED');
    assert.ok(read > 0 && read < 40, `aborted mid-download (after ${read} blocks)`);
    assert.ok(flyingAtAbort > 0);
    assert.equal(aborted(sources), flyingAtAbort, "every outstanding request's signal was aborted");
    assert.equal(inFlight(sources), 0);
    const asked = sources.reduce((n, s) => n + s.requests.length, 0);
    await clock.advance(10_000);
    assert.equal(sources.reduce((n, s) => n + s.requests.length, 0), asked, 'nothing asked after the abort');
  });

  it('a deadline rejects with DEADLINE_EXCEEDED and aborts every request in flight', async () => {
    const { clock, sources, swarm } = setup({ deadlineMs: 300 });
    const err = await rejectsWith(runOnClock(clock, readAll(swarm.blocks())), 'DEADLINE_EXCEEDED');
    assert.match(err.message, /300/);
    assert.equal(clock.now() >= 300 && clock.now() <= 302, true, `at ${clock.now()}`);
    assert.ok(aborted(sources) > 0);
    assert.equal(inFlight(sources), 0);
  });

  it('the deadline also bounds retries of a block nobody can serve now', async () => {
    const { clock, swarm } = setup({ deadlineMs: 2000, maxRetries: 100, retryBackoffMs: 100 }, 'unavailable');
    await rejectsWith(runOnClock(clock, readAll(swarm.blocks())), 'DEADLINE_EXCEEDED');
    assert.equal(clock.now() <= 2001, true);
  });

  it('an already-aborted signal rejects before anything is asked', async () => {
    const { sources, swarm } = setup({ signal: AbortSignal.abort() });
    await rejectsWith(readAll(swarm.blocks()), 'ABORTED');
    assert.equal(sources.reduce((n, s) => n + s.requests.length, 0), 0);
  });

  it('a reader that stops early cancels what is still in flight', async () => {
    const { clock, sources, swarm } = setup();
    const work = (async () => {
      let n = 0;
      for await (const _block of swarm.blocks()) if (++n === 3) break;
      return n;
    })();
    assert.equal(await runOnClock(clock, work), 3);
    assert.equal(inFlight(sources), 0);
    assert.ok(aborted(sources) > 0);
  });
});
