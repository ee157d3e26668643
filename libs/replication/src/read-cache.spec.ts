import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@peerweave/core/testing';
import { DEFAULT_CACHE_BYTES, ReadCache } from './read-cache.ts';
import { MemoryBlockStore, memoryDb, rawBlock } from './test-support.ts';

function setup(cacheBytes?: number) {
  const clock = new ManualClock(0);
  const db = memoryDb();
  const blocks = new MemoryBlockStore();
  const dropped: string[] = [];
  const cache = new ReadCache({
    db,
    blocks,
    clock,
    ...(cacheBytes !== undefined ? { cacheBytes } : {}),
    drop: async (cid) => {
      dropped.push(cid);
      db.removeBlock(cid);
    },
  });
  return { clock, db, blocks, dropped, cache };
}

/** A block of exactly `n` bytes. */
const sized = (name: string, n: number) => rawBlock(name.padEnd(n, '.'));

describe('ReadCache', () => {
  it('keeps fetched blocks as cache rows and evicts the least recently used past the limit', async () => {
    const s = setup(250);
    const blocks = await Promise.all(['a', 'b', 'c'].map((n) => sized(n, 100)));
    for (const b of blocks) {
      assert.equal(await s.cache.keep(b.cid, b.bytes), true);
      await s.clock.advance(1);
    }
    assert.equal(s.db.getBlock(blocks[1]!.text)?.kind, 'cache');
    assert.deepEqual(s.dropped, [blocks[0]!.text], 'the oldest went');
    assert.equal(s.db.cachedBytes(), 200);
  });

  it('keeps nothing with a zero budget', async () => {
    const s = setup(0);
    const b = await sized('a', 10);
    assert.equal(await s.cache.keep(b.cid, b.bytes), false);
    assert.equal(s.blocks.map.size, 0);
  });

  it('never evicts a staged block until its upload is released', async () => {
    const s = setup(150);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => sized(n, 100)));
    const upload = s.cache.stage();
    await upload.add(a!.cid, a!.bytes, 0);
    await upload.add(b!.cid, b!.bytes, 1);
    assert.ok(s.cache.isStaged(a!.text));
    await s.cache.evict();
    assert.deepEqual(s.dropped, [], 'everything over budget is staged: nothing goes');
    await s.cache.keep(c!.cid, c!.bytes);
    assert.deepEqual(s.dropped, [c!.text], 'the only unstaged block goes, although it is the newest');
    upload.release();
    assert.equal(s.cache.isStaged(a!.text), false);
    await s.cache.evict();
    assert.deepEqual(s.dropped, [c!.text, a!.text]);
  });

  it('a block staged by two uploads stays staged until both are released', async () => {
    const s = setup();
    const a = await sized('a', 10);
    const one = s.cache.stage();
    const two = s.cache.stage();
    await one.add(a.cid, a.bytes, 0);
    await two.add(a.cid, a.bytes, 0);
    one.release();
    assert.equal(s.cache.isStaged(a.text), true);
    two.release();
    two.release();
    assert.equal(s.cache.isStaged(a.text), false);
  });

  it('evicts past a first batch entirely staged', async () => {
    const s = setup(0);
    const upload = s.cache.stage();
    for (let i = 0; i < 40; i++) {
      const b = await sized(`s${i}`, 10);
      await upload.add(b.cid, b.bytes, 0);
    }
    const old = await sized('unstaged', 10);
    s.db.addBlock({ cid: old.text, bytes: 10, roots: [], kind: 'cache', nowMs: 1 });
    await s.cache.evict();
    assert.deepEqual(s.dropped, [old.text]);
  });

  it('defaults to 256 MiB', () => assert.equal(DEFAULT_CACHE_BYTES, 256 * 1024 * 1024));
});
