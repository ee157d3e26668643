// What ContentDb keeps in memory does not grow with the store: 10 000 objects through the db API
// (a record and a block each, as a 4 KiB put leaves them), read back and touched, and every bound
// holds. Counts and pragmas, never RSS.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ObjectRecord } from '@peerweave/core';
import { type AddBlockRow, CONTENT_DB_FILE, ContentDb, DEFAULT_CONTENT_DB_CACHE_KIB, DEFAULT_TOUCH_COALESCE_MS, TOUCH_MEMORY_ENTRIES } from './content-db.ts';

const OBJECTS = 10_000;
const BATCH = 500;

function record(cid: string): ObjectRecord {
  return {
    cid,
    name: `${cid}.bin`,
    contentType: 'application/octet-stream',
    size: 4096,
    blocks: 1,
    keywords: ['alpha', 'beta'],
    createdMs: 1_700_000_000_000,
    uploader: 'ab'.repeat(32),
    uploaderKey: new Uint8Array(32).fill(7),
    signature: new Uint8Array(64).fill(9),
  };
}

const cidOf = (i: number): string => `bafkrei${i.toString(36).padStart(52, '0')}`;

describe('ContentDb memory', () => {
  it(`keeps its page cache, memory map, touch memory and statements bounded over ${OBJECTS} objects`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-db-memory-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const db = new ContentDb({ path: join(dir, CONTENT_DB_FILE) });
    t.after(() => db.close());

    const statementsAt: number[] = [];
    for (let start = 0; start < OBJECTS; start += BATCH) {
      const rows: AddBlockRow[] = [];
      for (let i = start; i < start + BATCH; i++) {
        db.putRecord(record(cidOf(i)));
        rows.push({ cid: cidOf(i), bytes: 4096, roots: [cidOf(i)], kind: 'replica', nowMs: i });
      }
      db.addBlocks(rows);
      // Reads touch their blocks: all within one coalescing window, then across many.
      for (let i = start; i < start + BATCH; i++) {
        assert.ok(db.getBlock(cidOf(i)));
        db.touch(cidOf(i), start < OBJECTS / 2 ? 0 : i * 10);
      }
      if (start === 0 || start + BATCH >= OBJECTS) statementsAt.push(db.memoryUse().statements);
    }
    assert.equal(db.recordCount(), OBJECTS);
    assert.equal(db.blockCount(), OBJECTS);
    for (const row of db.blocks()) assert.equal(row.kind, 'replica');

    const use = db.memoryUse();
    assert.equal(use.pageCacheKib, DEFAULT_CONTENT_DB_CACHE_KIB);
    assert.equal(use.mmapBytes, 0);
    // 5 000 touches at one instant fill the memory up to its bound and no further; touches 10 ms
    // apart then leave only those of the last window.
    assert.ok(use.touchEntries <= TOUCH_MEMORY_ENTRIES);
    assert.ok(use.touchEntries <= DEFAULT_TOUCH_COALESCE_MS / 10 + 1, `touch memory ${use.touchEntries}`);
    assert.equal(statementsAt.at(-1), statementsAt[0], 'no statement per object');

    // The memory release lets the page cache go; the bound stays, and reads fill it again.
    db.releaseMemory();
    assert.equal(db.memoryUse().pageCacheKib, DEFAULT_CONTENT_DB_CACHE_KIB);
    assert.equal(db.getBlock(cidOf(OBJECTS - 1))?.bytes, 4096);
    assert.equal(db.recordCount(), OBJECTS);
  });

  it('forgets the oldest touches beyond its bound, and those past the window', () => {
    const db = new ContentDb({ path: ':memory:' });
    try {
      const n = TOUCH_MEMORY_ENTRIES + 100;
      db.addBlocks(Array.from({ length: n }, (_, i) => ({ cid: `b${i}`, bytes: 1, roots: [], kind: 'cache' as const, nowMs: 0 })));
      for (let i = 0; i < n; i++) db.touch(`b${i}`, 5);
      assert.equal(db.memoryUse().touchEntries, TOUCH_MEMORY_ENTRIES);
      // The newest is still remembered (no write within the window), the oldest is not.
      db.touch(`b${n - 1}`, 6);
      assert.equal(db.getBlock(`b${n - 1}`)?.lastAccessMs, 5);
      db.touch('b0', 6);
      assert.equal(db.getBlock('b0')?.lastAccessMs, 6);
      // One touch after the window drops everything older than it.
      db.touch('b1', 5 + DEFAULT_TOUCH_COALESCE_MS + 1);
      assert.equal(db.memoryUse().touchEntries, 1);
    } finally {
      db.close();
    }
  });
});
