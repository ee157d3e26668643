import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ManualClock } from '@peerweave/core/testing';
import { Swarm } from './swarm.ts';
import { FakeBlockSource, hashedContent, readAll, RecordingMetrics, runOnClock, type FakeSourceMode } from './testing/index.ts';

const BLOCK = 256 * 1024;
// Enough that the reader's buffer fills while a dead peer's requests hang, so failover has to
// come from the request timeout and not just from the end game.
const BLOCKS = 128;

/**
 * Four providers of a 32 MiB file: `corrupt` flips a byte of every block it sends, `dying` serves
 * well until the reader is halfway through and then turns `deathMode`; `c` and `d` are healthy.
 */
async function scenario(deathMode: FakeSourceMode) {
  const clock = new ManualClock();
  const content = hashedContent(randomBytes(BLOCKS * BLOCK), BLOCK);
  const source = (id: string, mode: FakeSourceMode = 'ok') =>
    // 256 KiB in 20 ms (~13 MB/s) plus 5 ms latency each.
    new FakeBlockSource({ id, clock, content: content.get, latencyMs: 5, bytesPerMs: BLOCK / 20, mode });
  const corrupt = source('corrupt', 'corrupt');
  const dying = source('dying');
  const c = source('c');
  const d = source('d');
  const metrics = new RecordingMetrics();
  const swarm = new Swarm({ blocks: content.blocks, providers: () => [corrupt, dying, c, d], verify: content.verify, clock, metrics });
  let servedBeforeDeath = -1;
  const out = await runOnClock(
    clock,
    readAll(swarm.blocks(), {
      onBlock: (_block, index) => {
        if (index !== BLOCKS / 2) return;
        servedBeforeDeath = dying.served;
        dying.mode = deathMode;
      },
    }),
  );
  return { clock, content, out, swarm, metrics, corrupt, dying, c, d, servedBeforeDeath };
}

describe('Swarm with a corrupt peer and a peer that dies halfway', () => {
  for (const deathMode of ['unavailable', 'hang'] as const) {
    it(`dies by turning ${deathMode}: the file is intact, the corrupt peer banned, the healthy ones carry the rest`, async () => {
      const { out, content, swarm, metrics, corrupt, dying, c, d, servedBeforeDeath } = await scenario(deathMode);
      assert.ok(Buffer.from(out.data!).equals(content.data), 'byte-identical');
      assert.equal(out.cids.length, BLOCKS);

      const stats = swarm.stats().perPeer;
      assert.equal(stats.corrupt!.banned, true);
      assert.equal(stats.corrupt!.blocks, 0);
      assert.equal(stats.corrupt!.corrupt >= 2, true);
      assert.equal(metrics.value('peerweave_transfer_peers_banned_total'), 1);

      for (const healthy of [stats.c!, stats.d!]) {
        assert.deepEqual({ failures: healthy.failures, corrupt: healthy.corrupt, banned: healthy.banned }, { failures: 0, corrupt: 0, banned: false });
      }
      assert.ok(servedBeforeDeath > 0, 'the dying peer carried part of the file while alive');
      assert.equal(dying.served, servedBeforeDeath, 'and nothing after');
      assert.equal(stats.dying!.blocks + stats.c!.blocks + stats.d!.blocks, BLOCKS, 'every block came from an honest peer');
      assert.ok(stats.c!.blocks + stats.d!.blocks >= BLOCKS / 2, 'the healthy ones carried the rest');
      assert.equal(metrics.value('peerweave_transfer_blocks_total', { outcome: 'ok' }), BLOCKS);

      const outcome = deathMode === 'hang' ? 'timeout' : 'failed';
      assert.ok(metrics.value('peerweave_transfer_blocks_total', { outcome }) >= 1, `the dead peer's requests ended as ${outcome}`);
      assert.ok(stats.dying!.failures >= 1);
      for (const f of [corrupt, dying, c, d]) assert.equal(f.inFlight, 0, `${f.id} has nothing left in flight`);
    });
  }
});
