import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnavailableError } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { PeerContact } from '@peerweave/protocol';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { BlockFetch } from './block-fetch.ts';
import { SPECULATIVE_RETRY_MS } from './record-lookup.ts';
import { contact, contentMetrics, MemoryBlockStore, memoryDb, rawBlock } from './test-support.ts';

const self = contact(1);

/** Peers answer from `held` (id → bytes for the block); `down` throw. */
async function setup(known: PeerContact[], lookedUp: PeerContact[], held: Map<string, Uint8Array | 'down'>) {
  const clock = new ManualClock(0);
  const db = memoryDb();
  const blocks = new MemoryBlockStore();
  const { metrics, recorded } = contentMetrics();
  const asked: string[] = [];
  const lookups: number[] = [];
  const kept: string[] = [];
  const keptAgain: string[] = [];
  const fetch = new BlockFetch({
    self,
    db,
    blocks,
    clock,
    metrics,
    replicaSet: {
      r: 3,
      knownPreferenceList: (_k, n) => [self, ...known].slice(0, n),
      lookupPreferenceList: async (_k, count) => (lookups.push(count), [self, ...lookedUp]),
    },
    peers: {
      fetchBlock: async (peer) => {
        asked.push(peer.id.slice(0, 2));
        const answer = held.get(peer.id);
        if (answer === 'down') throw new UnavailableError('down');
        return answer;
      },
    },
    cache: {
      keep: async (cid) => (kept.push(cid.toString()), true),
      keepIfReadAgain: async (cid) => (keptAgain.push(cid.toString()), true),
    },
  });
  return { db, blocks, recorded, asked, lookups, kept, keptAgain, fetch };
}

describe('BlockFetch', () => {
  it('a block offered with its record is taken once without asking a peer, and offered to the cache on a second read', async () => {
    const b = await rawBlock('b');
    const good = contact(5);
    const s = await setup([good], [], new Map([[good.id, b.bytes]]));
    s.fetch.offer(b.cid, b.bytes);
    assert.deepEqual(await s.fetch.getBlock(b.text), b.bytes);
    assert.deepEqual(s.asked, [], 'no peer asked');
    assert.deepEqual(s.kept, [], 'not kept outright');
    assert.deepEqual(s.keptAgain, [b.text], 'the cache admits it if it was read lately');
    assert.equal(s.recorded.value('peerweave_content_block_fetches_total', { source: 'peer' }), 1);
    assert.deepEqual(await s.fetch.getBlock(b.text), b.bytes, 'taken once: the next read asks a peer');
    assert.deepEqual(s.asked, ['05']);
  });

  it('offered blocks wait within a bound: the oldest go first', async () => {
    const s = await setup([], [], new Map());
    const big = async (i: number) => {
      const bytes = new Uint8Array(1024 * 1024).fill(i);
      return { cid: CID.createV1(0x55, await sha256.digest(bytes)), bytes };
    };
    const blocks = await Promise.all([1, 2, 3, 4, 5].map(big));
    for (const b of blocks) s.fetch.offer(b.cid, b.bytes);
    await assert.rejects(s.fetch.getBlock(blocks[0]!.cid), { code: 'NOT_FOUND' }, 'the oldest of 5 MiB was dropped (4 MiB bound)');
    assert.deepEqual(await s.fetch.getBlock(blocks[4]!.cid), blocks[4]!.bytes);
  });

  it('a block held here is read locally and marked used', async () => {
    const b = await rawBlock('b');
    const s = await setup([], [], new Map());
    await s.blocks.put(b.cid, b.bytes);
    s.db.addBlock({ cid: b.text, bytes: 1, roots: [], kind: 'cache', nowMs: 0 });
    assert.deepEqual(await s.fetch.getBlock(b.text), b.bytes);
    assert.deepEqual(s.asked, []);
    assert.equal(s.recorded.value('peerweave_content_block_fetches_total', { source: 'local' }), 1);
  });

  it('asks the closest known nodes in order, skipping one that lacks it, one that is down and one that lies; keeps what it got', async () => {
    const b = await rawBlock('b');
    const [lacks, down, liar, good, never] = [2, 3, 4, 5, 6].map(contact);
    const held = new Map<string, Uint8Array | 'down'>([
      [down!.id, 'down'],
      [liar!.id, new Uint8Array([9, 9])],
      [good!.id, b.bytes],
      [never!.id, b.bytes],
    ]);
    const s = await setup([lacks!, down!, liar!, good!, never!], [], held);
    assert.deepEqual(await s.fetch.getBlock(b.cid), b.bytes);
    assert.deepEqual(s.asked, ['02', '03', '04', '05']);
    assert.equal(s.recorded.value('peerweave_content_corrupt_blocks_total', { source: 'peer' }), 1);
    assert.equal(s.recorded.value('peerweave_content_block_fetches_total', { source: 'peer' }), 1);
    assert.deepEqual(s.kept, [b.text]);
    assert.deepEqual(s.lookups, []);
  });

  it('looks the block up when no known node has it, not asking a node twice', async () => {
    const b = await rawBlock('b');
    const [known, far] = [contact(2), contact(0x70)];
    const s = await setup([known], [known, far], new Map([[far.id, b.bytes]]));
    assert.deepEqual(await s.fetch.getBlock(b.cid), b.bytes);
    assert.deepEqual(s.lookups, [5], 'r + 2');
    assert.deepEqual(s.asked, ['02', '70']);
  });

  it('a node that stays silent (across a partition) gets company after the speculative delay; the silent call is then cancelled', async () => {
    const b = await rawBlock('b');
    const [silent, good] = [contact(2), contact(3)];
    const clock = new ManualClock(0);
    const asked: [string, number][] = [];
    let cancelled = false;
    const fetch = new BlockFetch({
      self,
      db: memoryDb(),
      blocks: new MemoryBlockStore(),
      clock,
      metrics: contentMetrics().metrics,
      replicaSet: { r: 3, knownPreferenceList: (_k, n) => [self, silent, good].slice(0, n), lookupPreferenceList: async () => [] },
      peers: {
        fetchBlock: (peer, _cid, signal) => {
          asked.push([peer.id.slice(0, 2), clock.now()]);
          if (peer.id === good.id) return Promise.resolve(b.bytes);
          // Silent until its 5 s deadline, or until cancelled.
          return new Promise((_resolve, reject) => {
            signal?.addEventListener('abort', () => ((cancelled = true), reject(new UnavailableError('cancelled'))));
            clock.setTimeout(() => reject(new UnavailableError('deadline')), 5_000);
          });
        },
      },
      cache: { keep: async () => true, keepIfReadAgain: async () => true },
    });
    let got: Uint8Array | undefined;
    void fetch.getBlock(b.cid).then((data) => (got = data));
    await clock.advance(SPECULATIVE_RETRY_MS - 1);
    assert.deepEqual(asked, [['02', 0]]);
    await clock.advance(1);
    assert.deepEqual(asked, [['02', 0], ['03', SPECULATIVE_RETRY_MS]]);
    assert.deepEqual(got, b.bytes, 'read at the delay, not at the deadline');
    assert.ok(cancelled, 'the silent call is cancelled');
  });

  it('is NOT_FOUND when nobody has it, and stops when aborted', async () => {
    const b = await rawBlock('b');
    const s = await setup([contact(2)], [], new Map());
    await assert.rejects(s.fetch.getBlock(b.cid), { code: 'NOT_FOUND' });
    assert.equal(s.recorded.value('peerweave_content_block_fetches_total', { source: 'none' }), 1);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(s.fetch.getBlock(b.cid, { signal: controller.signal }), { code: 'ABORTED' });
  });
});
