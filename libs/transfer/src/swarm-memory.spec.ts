import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@peerweave/core/testing';
import { DEFAULT_MAX_BUFFERED_BLOCKS, Swarm } from './swarm.ts';
import { DeliveryTracker, FakeBlockSource, generatedContent, readAll, runOnClock } from './testing/index.ts';

const BLOCK = 256 * 1024;
const BLOCKS = 4096; // 1 GiB

describe('Swarm memory bound', () => {
  it('a 1 GiB object read slowly never has more than maxBufferedBlocks fetched and unconsumed', async () => {
    const clock = new ManualClock();
    // Blocks are generated when a source serves them and dropped once read: nothing holds 1 GiB.
    const content = generatedContent(BLOCKS, BLOCK);
    const tracker = new DeliveryTracker();
    // Four providers, each 256 KiB per 10 ms: together 4× faster than the reader below.
    const sources = ['a', 'b', 'c', 'd'].map(
      (id) => new FakeBlockSource({ id, clock, content: content.get, latencyMs: 2, bytesPerMs: BLOCK / 10, tracker }),
    );
    const swarm = new Swarm({ blocks: content.blocks, providers: () => sources, verify: content.verify, clock });
    let inOrder = true;
    const out = await runOnClock(
      clock,
      readAll(swarm.blocks(), {
        keep: false,
        tracker,
        clock,
        readDelayMs: 5,
        onBlock: (block, index) => {
          inOrder &&= block.cid === content.blocks[index]!.cid && block.bytes.length === BLOCK;
        },
      }),
      { maxMs: 3_600_000 },
    );
    assert.equal(out.cids.length, BLOCKS);
    assert.equal(out.bytes, BLOCKS * BLOCK);
    assert.ok(inOrder, 'every block in order, whole');
    assert.ok(tracker.max <= DEFAULT_MAX_BUFFERED_BLOCKS, `at most ${DEFAULT_MAX_BUFFERED_BLOCKS} buffered, saw ${tracker.max}`);
    assert.ok(tracker.max >= DEFAULT_MAX_BUFFERED_BLOCKS / 2, `the swarm did read ahead (max ${tracker.max})`);
    // The reader set the pace (5 ms a block), not the providers.
    assert.ok(clock.now() <= BLOCKS * 5 * 1.05, `took ${clock.now()} ms of clock time`);
  });

  it('a smaller bound is honoured as well', async () => {
    const clock = new ManualClock();
    const content = generatedContent(256, 16 * 1024);
    const tracker = new DeliveryTracker();
    const sources = ['a', 'b', 'c'].map((id) => new FakeBlockSource({ id, clock, content: content.get, latencyMs: 1, tracker }));
    const swarm = new Swarm({ blocks: content.blocks, providers: () => sources, verify: content.verify, clock, maxBufferedBlocks: 3 });
    const out = await runOnClock(clock, readAll(swarm.blocks(), { keep: false, tracker, clock, readDelayMs: 10 }));
    assert.equal(out.cids.length, 256);
    // The block in the reader's hands counts against the bound, so two more are fetched meanwhile.
    assert.ok(tracker.max <= 3 && tracker.max >= 2, `saw ${tracker.max}`);
  });
});
