import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError, PeerweaveError } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { WantedBlock } from './block-source.ts';
import { DEFAULT_LIST_LOOKAHEAD, DEFAULT_MAX_BUFFERED_BLOCKS, Swarm } from './swarm.ts';
import { FakeBlockSource, generatedContent, readAll, runOnClock } from './testing/index.ts';

const BLOCK = 16 * 1024;

/** A file's leaves named as a walker would: `perNode` at a time, each batch after `delayMs` of clock time. */
function namedList(blocks: readonly WantedBlock[], clock: ManualClock, opts: { perNode?: number; delayMs?: number; failAt?: number } = {}) {
  const state = { pulled: 0, closed: false };
  async function* walk(): AsyncGenerator<WantedBlock> {
    try {
      for (let i = 0; i < blocks.length; i++) {
        if (opts.failAt === i) throw new InvalidArgumentError(`block ${i} is not a leaf`);
        if (opts.delayMs && i % (opts.perNode ?? 174) === 0) await clock.sleep(opts.delayMs);
        state.pulled = i + 1;
        yield blocks[i]!;
      }
    } finally {
      state.closed = true;
    }
  }
  return { list: walk(), state };
}

describe('Swarm over a streamed list of blocks', () => {
  it('a 20 000-block list is pulled no further than the buffer bound plus the lookahead ahead of the reader', async () => {
    const clock = new ManualClock();
    const content = generatedContent(20_000, BLOCK);
    const { list, state } = namedList(content.blocks, clock, { delayMs: 3 });
    const sources = ['a', 'b'].map((id) => new FakeBlockSource({ id, clock, content: content.get, latencyMs: 1 }));
    const swarm = new Swarm({ blocks: list, providers: () => sources, verify: content.verify, clock });
    let ahead = 0;
    let inOrder = true;
    const out = await runOnClock(
      clock,
      readAll(swarm.blocks(), {
        keep: false,
        onBlock: (block, index) => {
          inOrder &&= block.cid === content.blocks[index]!.cid;
          ahead = Math.max(ahead, state.pulled - index);
        },
      }),
      { maxMs: 3_600_000 },
    );
    assert.equal(out.cids.length, 20_000);
    assert.ok(inOrder, 'every block, in order');
    const bound = DEFAULT_MAX_BUFFERED_BLOCKS + DEFAULT_LIST_LOOKAHEAD;
    assert.ok(ahead <= bound, `the list ran ${ahead} blocks ahead of the reader (bound ${bound})`);
    assert.ok(ahead >= DEFAULT_LIST_LOOKAHEAD, `the list was pulled ahead (${ahead})`);
    assert.ok(state.closed);
  });

  it('a smaller lookahead is honoured, and a list slower than the providers only delays', async () => {
    const clock = new ManualClock();
    const content = generatedContent(500, BLOCK);
    const { list, state } = namedList(content.blocks, clock, { perNode: 10, delayMs: 20 });
    const sources = ['a', 'b', 'c'].map((id) => new FakeBlockSource({ id, clock, content: content.get, latencyMs: 1 }));
    const swarm = new Swarm({ blocks: list, providers: () => sources, verify: content.verify, clock, maxBufferedBlocks: 4, listLookahead: 3 });
    let ahead = 0;
    const out = await runOnClock(clock, readAll(swarm.blocks(), { onBlock: (_b, index) => void (ahead = Math.max(ahead, state.pulled - index)) }));
    assert.equal(out.cids.length, 500);
    assert.ok(ahead <= 7, `ran ${ahead} ahead`);
    assert.ok(clock.now() >= 50 * 20, 'paced by the list');
  });

  it('a list that throws ends the download with its error, after the blocks before it', async () => {
    const clock = new ManualClock();
    const content = generatedContent(600, BLOCK);
    const { list } = namedList(content.blocks, clock, { failAt: 400 });
    const sources = ['a'].map((id) => new FakeBlockSource({ id, clock, content: content.get, latencyMs: 1 }));
    const swarm = new Swarm({ blocks: list, providers: () => sources, verify: content.verify, clock });
    let read = 0;
    const err = await runOnClock(clock, readAll(swarm.blocks(), { keep: false, onBlock: () => read++ })).then(
      () => assert.fail('expected INVALID_ARGUMENT'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof PeerweaveError && err.code === 'INVALID_ARGUMENT', String(err));
    assert.match(err.message, /block 400/);
    assert.ok(read < 400, `read ${read} blocks before the failure was seen`);
    assert.equal(sources[0]!.inFlight, 0, 'nothing left in flight');
  });

  it('leaving early closes the list (its finally runs) and asks nothing more', async () => {
    const clock = new ManualClock();
    const content = generatedContent(5_000, BLOCK);
    const { list, state } = namedList(content.blocks, clock);
    const sources = ['a', 'b'].map((id) => new FakeBlockSource({ id, clock, content: content.get, latencyMs: 1 }));
    const swarm = new Swarm({ blocks: list, providers: () => sources, verify: content.verify, clock });
    const took = await runOnClock(
      clock,
      (async () => {
        let n = 0;
        for await (const _ of swarm.blocks()) if (++n === 10) break;
        return n;
      })(),
    );
    assert.equal(took, 10);
    await runOnClock(clock, Promise.resolve());
    assert.ok(state.closed, 'the list was closed');
    assert.ok(state.pulled < 1_000, `pulled ${state.pulled}`);
    const asked = sources.reduce((n, s) => n + s.requests.length, 0);
    await clock.advance(10_000);
    assert.equal(sources.reduce((n, s) => n + s.requests.length, 0), asked, 'nothing asked after leaving');
  });

  it('an empty list ends at once; a short one still gets the end game', async () => {
    const clock = new ManualClock();
    const empty = new Swarm({ blocks: namedList([], clock).list, providers: () => [], verify: () => true, clock });
    assert.equal((await runOnClock(clock, readAll(empty.blocks()))).cids.length, 0);

    const content = generatedContent(3, BLOCK);
    // One source hangs: with the list known whole, the last blocks are asked of the other too.
    const hang = new FakeBlockSource({ id: 'hang', clock, content: content.get, mode: 'hang' });
    const ok = new FakeBlockSource({ id: 'ok', clock, content: content.get, latencyMs: 1 });
    const swarm = new Swarm({ blocks: namedList(content.blocks, clock).list, providers: () => [hang, ok], verify: content.verify, clock });
    const out = await runOnClock(clock, readAll(swarm.blocks()));
    assert.equal(out.cids.length, 3);
    assert.ok(clock.now() < 1_000, `the end game raced the hung source (${clock.now()} ms)`);
  });
});
