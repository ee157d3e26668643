import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@peerweave/core/testing';
import { Swarm } from './swarm.ts';
import { FakeBlockSource, generatedContent, readAll, runOnClock } from './testing/index.ts';

const BLOCK = 256 * 1024;
const BLOCKS = 96;
/** Every provider uploads 256 KiB in 50 ms of clock time (~5 MB/s) and adds 2 ms of latency. */
const BYTES_PER_MS = BLOCK / 50;

/** Clock time to download the 24 MiB object from `providers` equally limited sources. */
async function downloadMs(providers: number): Promise<{ ms: number; shares: number[] }> {
  const clock = new ManualClock();
  const content = generatedContent(BLOCKS, BLOCK);
  const sources = Array.from(
    { length: providers },
    (_, i) => new FakeBlockSource({ id: `p${i}`, clock, content: content.get, latencyMs: 2, bytesPerMs: BYTES_PER_MS }),
  );
  const swarm = new Swarm({ blocks: content.blocks, providers: () => sources, verify: content.verify, clock });
  const out = await runOnClock(clock, readAll(swarm.blocks(), { keep: false }));
  assert.equal(out.bytes, BLOCKS * BLOCK);
  const stats = swarm.stats().perPeer;
  return { ms: clock.now(), shares: sources.map((s) => stats[s.id]!.blocks) };
}

describe('Swarm throughput', () => {
  it('scales with the number of equally limited providers (4 of them: at least 3× faster)', async () => {
    const one = await downloadMs(1);
    const two = await downloadMs(2);
    const four = await downloadMs(4);
    // One provider is bound by its upload: 96 blocks × 50 ms.
    assert.ok(one.ms >= BLOCKS * 50, `one provider took ${one.ms} ms`);
    assert.ok(one.ms / two.ms >= 1.8, `2 providers: ${one.ms} → ${two.ms} ms`);
    assert.ok(one.ms / four.ms >= 3, `4 providers: ${one.ms} → ${four.ms} ms (${(one.ms / four.ms).toFixed(2)}×)`);
    // The load is spread: nobody carried much more than its fair share.
    for (const share of four.shares) assert.ok(share >= BLOCKS / 4 - 4 && share <= BLOCKS / 4 + 4, `shares ${four.shares.join(', ')}`);
  });
});
