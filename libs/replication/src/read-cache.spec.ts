import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@peerweave/core/testing';
import { DEFAULT_CACHE_BYTES, DEFAULT_UPLOAD_LEASE_MS, ReadCache } from './read-cache.ts';
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

  it('keeps a block that came with its record on its second read among the recent ones, not its first', async () => {
    const s = setup();
    const [a, b] = await Promise.all([sized('a', 100), sized('b', 100)]);
    assert.equal(await s.cache.keepIfReadAgain(a.cid, a.bytes), false, 'first read of a');
    assert.equal(s.db.getBlock(a.text), undefined);
    assert.equal(await s.cache.keepIfReadAgain(b.cid, b.bytes), false, 'first read of b');
    assert.equal(await s.cache.keepIfReadAgain(a.cid, a.bytes), true, 'second read of a');
    assert.equal(s.db.getBlock(a.text)?.kind, 'cache');
    const zero = setup(0);
    await zero.cache.keepIfReadAgain(a.cid, a.bytes);
    assert.equal(await zero.cache.keepIfReadAgain(a.cid, a.bytes), false, 'nothing with a zero budget');
  });

  it('forgets a first read once the window of recent reads moved past it', async () => {
    const clock = new ManualClock(0);
    const db = memoryDb();
    const cache = new ReadCache({ db, blocks: new MemoryBlockStore(), clock, recentReads: 2, drop: async () => undefined });
    const [a, b, c] = await Promise.all([sized('a', 10), sized('b', 10), sized('c', 10)]);
    await cache.keepIfReadAgain(a.cid, a.bytes);
    await cache.keepIfReadAgain(b.cid, b.bytes);
    await cache.keepIfReadAgain(c.cid, c.bytes);
    assert.equal(await cache.keepIfReadAgain(a.cid, a.bytes), false, 'a was pushed out by b and c');
    assert.equal(await cache.keepIfReadAgain(a.cid, a.bytes), true);
  });

  it('keeps nothing with a zero budget', async () => {
    const s = setup(0);
    const b = await sized('a', 10);
    assert.equal(await s.cache.keep(b.cid, b.bytes), false);
    assert.equal(s.blocks.map.size, 0);
  });

  it('never evicts a leased block (an upload in progress) until its lease ends', async () => {
    const s = setup(150);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => sized(n, 100)));
    [a!, b!].forEach((x, i) => s.db.addBlock({ cid: x.text, bytes: 100, roots: [], kind: 'cache', nowMs: i }));
    s.cache.lease([a!.text, b!.text]);
    assert.ok(s.cache.isLeased(a!.text));
    await s.cache.evict();
    assert.deepEqual(s.dropped, [], 'everything over budget is leased: nothing goes');
    await s.cache.keep(c!.cid, c!.bytes);
    assert.deepEqual(s.dropped, [c!.text], 'the only unleased block goes, although it is the newest');
    await s.clock.advance(DEFAULT_UPLOAD_LEASE_MS);
    assert.equal(s.cache.isLeased(a!.text), false);
    await s.cache.evict();
    assert.deepEqual(s.dropped, [c!.text, a!.text]);
  });

  it('a block leased again stays leased until the later lease ends', async () => {
    const s = setup();
    const a = await sized('a', 10);
    s.cache.lease([a.text]);
    await s.clock.advance(DEFAULT_UPLOAD_LEASE_MS / 2);
    s.cache.lease([a.text]);
    await s.clock.advance(DEFAULT_UPLOAD_LEASE_MS / 2);
    assert.equal(s.cache.isLeased(a.text), true);
    await s.clock.advance(DEFAULT_UPLOAD_LEASE_MS / 2);
    assert.equal(s.cache.isLeased(a.text), false);
  });

  it('evicts past a first batch entirely leased', async () => {
    const s = setup(0);
    for (let i = 0; i < 40; i++) {
      const b = await sized(`s${i}`, 10);
      s.db.addBlock({ cid: b.text, bytes: 10, roots: [], kind: 'cache', nowMs: 0 });
      s.cache.lease([b.text]);
    }
    const old = await sized('unstaged', 10);
    s.db.addBlock({ cid: old.text, bytes: 10, roots: [], kind: 'cache', nowMs: 1 });
    await s.cache.evict();
    assert.deepEqual(s.dropped, [old.text]);
  });

  it('defaults to 256 MiB', () => assert.equal(DEFAULT_CACHE_BYTES, 256 * 1024 * 1024));
});
