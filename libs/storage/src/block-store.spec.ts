import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { errorCode } from '@peerweave/core';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { SYNC_WRITE_MAX_BYTES } from './block-files.ts';
import { BlockStore } from './block-store.ts';
import type { WriteStep } from './block-store-types.ts';
import { cidToString } from './cid.ts';
import { COMMIT_LOG_FILE, defaultFsync, type Fsync, readCommitLog, type SyncTarget } from './commit-log.ts';
import { moduloPattern } from './testing/index.ts';

let root: string;
let dirs = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'peerweave-blocks-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  dirs += 1;
  return join(root, `store-${dirs}`);
}

async function openStore(dir: string, onWriteStep?: (step: WriteStep) => void): Promise<BlockStore> {
  const store = new BlockStore(onWriteStep === undefined ? { dir } : { dir, onWriteStep });
  await store.open();
  return store;
}

async function rawBlock(bytes: Uint8Array): Promise<{ cid: CID; bytes: Uint8Array }> {
  return { cid: CID.createV1(0x55, await sha256.digest(bytes)), bytes };
}

/** Every file under `dir`, relative paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

async function all<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe('BlockStore', () => {
  it('puts, gets, has, deletes and counts blocks', async () => {
    const store = await openStore(await freshDir());
    const a = await rawBlock(new TextEncoder().encode('hello world\n'));
    const b = await rawBlock(moduloPattern(1000));
    assert.deepEqual(store.stats(), { blocks: 0, bytes: 0, corrupt: 0 });

    assert.equal(await store.put(a.cid, a.bytes), true);
    assert.equal(await store.put(a.cid, a.bytes), false, 'idempotent');
    assert.equal(await store.put(b.cid, b.bytes), true);
    assert.deepEqual(store.stats(), { blocks: 2, bytes: 1012, corrupt: 0 });

    assert.deepEqual(await store.get(a.cid), a.bytes);
    assert.equal(await store.has(a.cid), true);
    assert.deepEqual(
      (await all(store.cids())).map((c) => c.toString()).sort(),
      [a.cid.toString(), b.cid.toString()].sort(),
    );

    assert.equal(await store.delete(a.cid), true);
    assert.equal(await store.delete(a.cid), false);
    assert.equal(await store.has(a.cid), false);
    assert.equal(await store.get(a.cid), undefined);
    assert.deepEqual(store.stats(), { blocks: 1, bytes: 1000, corrupt: 0 });
  });

  it('lays blocks out as <dir>/<next-to-last two characters>/<CIDv1 base32>', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    const a = await rawBlock(new Uint8Array([1, 2, 3]));
    await store.put(a.cid, a.bytes);
    const name = a.cid.toString();
    assert.deepEqual(await filesUnder(dir), [join(name.slice(-3, -1), name)]);
  });

  it('stores a CIDv0 block under its CIDv1 name and finds it by either', async () => {
    const store = await openStore(await freshDir());
    const bytes = new Uint8Array([0x0a, 0x02, 0x08, 0x01]);
    const digest = await sha256.digest(bytes);
    const v0 = CID.createV0(digest);
    assert.equal(await store.put(v0, bytes), true);
    assert.deepEqual(await store.get(CID.createV1(0x70, digest)), bytes);
    assert.deepEqual(await store.get(v0), bytes);
    assert.deepEqual(
      (await all(store.cids())).map(cidToString),
      [cidToString(v0)],
    );
  });

  it('refuses bytes that do not match with CORRUPT_BLOCK and writes nothing', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    const a = await rawBlock(new TextEncoder().encode('hello world\n'));
    await assert.rejects(store.put(a.cid, new TextEncoder().encode('hello world!')), (err) => errorCode(err) === 'CORRUPT_BLOCK');
    assert.deepEqual(await filesUnder(dir), []);
    assert.equal(await store.has(a.cid), false);
    assert.deepEqual(store.stats(), { blocks: 0, bytes: 0, corrupt: 0 });
  });

  it('refuses a CID of a codec it does not store with INVALID_CID', async () => {
    const store = await openStore(await freshDir());
    const bytes = new Uint8Array([0xa0]);
    const cbor = CID.createV1(0x71, await sha256.digest(bytes));
    await assert.rejects(store.put(cbor, bytes), (err) => errorCode(err) === 'INVALID_CID');
  });

  it('stores one copy when the same block is put concurrently', async () => {
    const store = await openStore(await freshDir());
    const a = await rawBlock(moduloPattern(5000));
    const results = await Promise.all([1, 2, 3, 4].map(() => store.put(a.cid, a.bytes)));
    assert.deepEqual(results.filter(Boolean).length, 1);
    assert.deepEqual(store.stats(), { blocks: 1, bytes: 5000, corrupt: 0 });
  });

  it('counts what is on disk when reopened', async () => {
    const dir = await freshDir();
    const first = await openStore(dir);
    for (let i = 0; i < 20; i++) {
      const block = await rawBlock(moduloPattern(100 + i));
      await first.put(block.cid, block.bytes);
    }
    const again = await openStore(dir);
    assert.deepEqual(again.stats(), first.stats());
    assert.equal((await all(again.cids())).length, 20);
  });

  for (const step of ['temp-written', 'fsynced', 'renamed'] as const) {
    it(`survives a crash at '${step}': whole or absent, never partial, no temporary files left`, async () => {
      const dir = await freshDir();
      const good = await rawBlock(moduloPattern(300));
      const crashing = await openStore(dir, (at) => {
        if (at === step) throw new Error(`crash at ${at}`);
      });
      await assert.rejects(crashing.put(good.cid, good.bytes), /crash at/);

      const reopened = await openStore(dir);
      const files = await filesUnder(dir);
      assert.ok(!files.some((f) => f.includes('.tmp-')), `temporary files left: ${files.join(', ')}`);
      const got = await reopened.get(good.cid);
      if (step === 'renamed') {
        assert.deepEqual(got, good.bytes, 'renamed into place: the block is whole');
        assert.deepEqual(reopened.stats(), { blocks: 1, bytes: 300, corrupt: 0 });
      } else {
        assert.equal(got, undefined, 'not renamed: the block is absent');
        assert.deepEqual(reopened.stats(), { blocks: 0, bytes: 0, corrupt: 0 });
      }
      // And the write can simply be done again.
      await reopened.put(good.cid, good.bytes);
      assert.deepEqual(await reopened.get(good.cid), good.bytes);
    });
  }

  for (const step of ['temp-written', 'renamed'] as const) {
    it(`survives a crash of a durable: false put at '${step}' the same way (the read cache's own write path)`, async () => {
      const dir = await freshDir();
      const good = await rawBlock(moduloPattern(256 * 1024));
      const crashing = await openStore(dir, (at) => {
        if (at === step) throw new Error(`crash at ${at}`);
      });
      await assert.rejects(crashing.put(good.cid, good.bytes, { durable: false, verified: true }), /crash at/);
      if (step === 'temp-written') assert.ok((await filesUnder(dir)).some((f) => f.includes('.tmp-')), 'a crash leaves its temporary file');

      const reopened = await openStore(dir);
      const files = await filesUnder(dir);
      assert.ok(!files.some((f) => f.includes('.tmp-')), `temporary files left: ${files.join(', ')}`);
      const got = await reopened.get(good.cid);
      if (step === 'renamed') assert.deepEqual(got, good.bytes, 'renamed into place: the block is whole');
      else assert.equal(got, undefined, 'not renamed: the block is absent');
    });
  }

  it('a durable: false put replaces a short file under the block\'s name, keeps a whole one', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    const [a, b] = await blocksOf(2);
    assert.ok(a && b);
    assert.equal(await store.put(a.cid, a.bytes, { durable: false }), true);
    assert.equal(await store.put(a.cid, a.bytes, { durable: false }), false, 'whole: kept');
    // A short file under b's name (not one of ours to trust).
    await store.put(b.cid, b.bytes, { durable: false });
    await truncate(blockPath(dir, b.cid), 10);
    assert.equal(await store.put(b.cid, b.bytes, { durable: false }), false, 'replaced, not new');
    assert.deepEqual(await store.get(b.cid), b.bytes);
    assert.equal(store.stats().blocks, 2, 'the replaced block is not counted twice');
    assert.ok(!(await filesUnder(dir)).some((f) => f.includes('.tmp-')));
  });

  it('removes a temporary file of a crashed write on open (planted by hand)', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    const a = await rawBlock(moduloPattern(10));
    await store.put(a.cid, a.bytes);
    const name = a.cid.toString();
    const shard = join(dir, name.slice(-3, -1));
    await writeFile(join(shard, `.tmp-${name}-abcdef`), a.bytes.subarray(0, 5));
    await openStore(dir);
    assert.deepEqual(await filesUnder(dir), [join(name.slice(-3, -1), name)]);
  });

  it('never returns a block that rotted on disk: removes it and counts it', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    const flipped = await rawBlock(moduloPattern(1000));
    const truncated = await rawBlock(moduloPattern(2000));
    await store.put(flipped.cid, flipped.bytes);
    await store.put(truncated.cid, truncated.bytes);

    const flippedPath = join(dir, flipped.cid.toString().slice(-3, -1), flipped.cid.toString());
    const onDisk = await readFile(flippedPath);
    onDisk[500] = (onDisk[500] ?? 0) ^ 0xff;
    await writeFile(flippedPath, onDisk);
    await truncate(join(dir, truncated.cid.toString().slice(-3, -1), truncated.cid.toString()), 1500);

    const reopened = await openStore(dir);
    assert.equal(await reopened.get(flipped.cid), undefined);
    assert.equal(await reopened.get(truncated.cid), undefined);
    assert.equal(await reopened.has(flipped.cid), false, 'removed');
    assert.equal(await reopened.has(truncated.cid), false, 'removed');
    assert.deepEqual(reopened.stats(), { blocks: 0, bytes: 0, corrupt: 2 });
    assert.deepEqual(await filesUnder(dir), []);
  });

  it('reads the same bytes with a size hint (small: synchronously) or without, and still catches rot', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    const small = await rawBlock(moduloPattern(4096));
    const big = await rawBlock(moduloPattern(SYNC_WRITE_MAX_BYTES + 1));
    await store.put(small.cid, small.bytes);
    await store.put(big.cid, big.bytes);
    for (const b of [small, big]) {
      assert.deepEqual(await store.get(b.cid, { sizeHint: b.bytes.length }), b.bytes);
      assert.deepEqual(await store.get(b.cid), b.bytes);
    }
    assert.equal(await store.get((await rawBlock(moduloPattern(7))).cid, { sizeHint: 7 }), undefined, 'absent');
    const path = join(dir, small.cid.toString().slice(-3, -1), small.cid.toString());
    const onDisk = await readFile(path);
    onDisk[10] = (onDisk[10] ?? 0) ^ 0xff;
    await writeFile(path, onDisk);
    assert.equal(await store.get(small.cid, { sizeHint: small.bytes.length }), undefined, 'rotted: never returned');
    assert.equal(store.stats().corrupt, 1);
  });

  it('replaces a truncated copy when the block is put again', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    const a = await rawBlock(moduloPattern(2000));
    await store.put(a.cid, a.bytes);
    // Something other than this store cut the file short (stats are recounted on open).
    await truncate(join(dir, a.cid.toString().slice(-3, -1), a.cid.toString()), 10);
    const reopened = await openStore(dir);
    assert.equal(await reopened.put(a.cid, a.bytes), false, 'the block was there, if broken');
    assert.deepEqual(await reopened.get(a.cid), a.bytes);
    assert.deepEqual(reopened.stats(), { blocks: 1, bytes: 2000, corrupt: 0 });
  });

  it('ignores stray files in the directory', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    await writeFile(join(dir, 'README'), 'not a block');
    const a = await rawBlock(moduloPattern(10));
    await store.put(a.cid, a.bytes);
    await writeFile(join(dir, a.cid.toString().slice(-3, -1), 'junk'), 'not a block');
    const reopened = await openStore(dir);
    assert.deepEqual(reopened.stats(), { blocks: 1, bytes: 10, corrupt: 0 });
    assert.deepEqual(
      (await all(reopened.cids())).map((c) => c.toString()),
      [a.cid.toString()],
    );
  });
});

/** Counts fsyncs by target, and lets a spec hold them back: `hold(target)` makes the next ones wait for `release()`. */
class SyncSpy {
  readonly counts: Record<SyncTarget, number> = { block: 0, directory: 0, log: 0 };
  /** Inodes of the files and directories synced. */
  readonly inodes = new Set<number>();
  #held: SyncTarget | undefined;
  #gate: Deferred<void> | undefined;
  #reached: Deferred<void> | undefined;

  readonly fsync: Fsync = async (handle, target) => {
    if (this.#held === target && this.#gate !== undefined) {
      this.#reached?.resolve();
      await this.#gate.promise;
    }
    this.counts[target] += 1;
    this.inodes.add((await handle.stat()).ino);
    await defaultFsync(handle, target);
  };

  /** Holds the syncs of `target` from now on; resolves the returned promise when the first one is waiting. */
  hold(target: SyncTarget): Promise<void> {
    this.#held = target;
    this.#gate = withResolvers<void>();
    this.#reached = withResolvers<void>();
    return this.#reached.promise;
  }

  release(): void {
    this.#held = undefined;
    this.#gate?.resolve();
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason?: unknown) => void;
}

function withResolvers<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every callback already due run: a pending promise that could settle now would have. */
async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

function readFileSizeSync(path: string): number {
  return statSync(path).size;
}

function blockPath(dir: string, cid: CID): string {
  const name = cidToString(cid);
  return join(dir, name.slice(-3, -1), name);
}

async function blocksOf(count: number, size = 1000, seed = 0): Promise<{ cid: CID; bytes: Uint8Array }[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => rawBlock(moduloPattern(size + seed * 1000 + i))),
  );
}

async function inodesOf(dir: string): Promise<number[]> {
  const files = await filesUnder(dir);
  return Promise.all(files.filter((f) => f !== COMMIT_LOG_FILE).map(async (f) => (await stat(join(dir, f))).ino));
}

describe('BlockStore fast paths', () => {
  it('put with verified: true skips the hash (a false claim is caught by the next verifying get)', async () => {
    const store = await openStore(await freshDir());
    const a = await rawBlock(moduloPattern(100));
    const wrong = moduloPattern(101).subarray(1);
    await assert.rejects(store.put(a.cid, wrong), (err) => errorCode(err) === 'CORRUPT_BLOCK');
    assert.equal(await store.put(a.cid, wrong, { verified: true }), true, 'not hashed, so not refused');
    assert.deepEqual(await store.get(a.cid, { verify: false }), wrong, 'verify: false returns what is on disk');
    assert.equal(await store.get(a.cid), undefined, 'a verifying get finds it corrupt');
    assert.deepEqual(store.stats(), { blocks: 0, bytes: 0, corrupt: 1 });
  });

  it('get with verify: false returns the file as it is and leaves it in place', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    const a = await rawBlock(moduloPattern(1000));
    await store.put(a.cid, a.bytes);
    assert.deepEqual(await store.get(a.cid, { verify: false }), a.bytes);
    const onDisk = await readFile(blockPath(dir, a.cid));
    onDisk[10] = (onDisk[10] ?? 0) ^ 0xff;
    await writeFile(blockPath(dir, a.cid), onDisk);
    assert.deepEqual(await store.get(a.cid, { verify: false }), new Uint8Array(onDisk));
    assert.equal(await store.has(a.cid), true);
    assert.equal(await store.get(a.cid), undefined);
    assert.equal(store.stats().corrupt, 1);
  });

  it('a durable put syncs the file and its directory; durable: false syncs nothing', async () => {
    const spy = new SyncSpy();
    const dir = await freshDir();
    const store = new BlockStore({ dir, fsync: spy.fsync });
    await store.open();
    const [a, b] = await blocksOf(2);
    assert.ok(a && b);
    assert.equal(await store.put(a.cid, a.bytes), true);
    assert.deepEqual(spy.counts, { block: 1, directory: 1, log: 0 });
    assert.equal(await store.put(b.cid, b.bytes, { durable: false }), true);
    assert.deepEqual(spy.counts, { block: 1, directory: 1, log: 0 }, 'durable: false: no fsync at all');
    assert.deepEqual(await store.get(b.cid), b.bytes);
    assert.equal(await store.put(b.cid, b.bytes, { durable: false }), false);
    assert.equal(await store.put(a.cid, a.bytes), false);
    assert.deepEqual(spy.counts, { block: 1, directory: 1, log: 0 }, 'a block already durable is not synced again');
    assert.equal(await store.put(b.cid, b.bytes), false, 'not new');
    assert.deepEqual(spy.counts, { block: 2, directory: 2, log: 0 }, 'but the cached copy is made durable');
    assert.equal(await store.put(b.cid, b.bytes), false);
    assert.deepEqual(spy.counts, { block: 2, directory: 2, log: 0 }, 'once');
    assert.ok(!(await filesUnder(dir)).some((f) => f.includes('.tmp-')));
  });
});

describe('BlockStore.putMany (commit log)', () => {
  it('stores every block with one log sync per batch and no block or directory fsync', async () => {
    const spy = new SyncSpy();
    const dir = await freshDir();
    const store = new BlockStore({ dir, fsync: spy.fsync });
    await store.open();
    const blocks = await blocksOf(5);
    const [a, b] = blocks;
    assert.ok(a && b);
    await store.put(a.cid, a.bytes);
    const before = { ...spy.counts };
    const results = await store.putMany([...blocks, b]);
    assert.deepEqual(results, [false, true, true, true, true, false], 'a: already stored; b twice: new once');
    assert.equal(spy.counts.log, before.log + 1, 'one log sync');
    assert.equal(spy.counts.block, before.block, 'no block fsync');
    for (const block of blocks) assert.deepEqual(await store.get(block.cid), block.bytes);
    assert.deepEqual(store.stats(), { blocks: 5, bytes: 5 * 1000 + 10, corrupt: 0 });
    await store.putMany(await blocksOf(3, 1000, 1));
    assert.equal(spy.counts.log, before.log + 2, 'one more per batch');
    assert.deepEqual(await store.putMany(blocks), [false, false, false, false, false]);
    assert.equal(spy.counts.log, before.log + 2, 'nothing new: nothing logged');
    assert.deepEqual(await store.putMany([]), []);
  });

  it('does not resolve before the log sync has finished', async () => {
    const spy = new SyncSpy();
    const store = new BlockStore({ dir: await freshDir(), fsync: spy.fsync });
    await store.open();
    const blocks = await blocksOf(4);
    const reached = spy.hold('log');
    let settled = false;
    const putting = store.putMany(blocks).finally(() => {
      settled = true;
    });
    await reached;
    await turns();
    assert.equal(settled, false, 'pending while its sync is held');
    assert.equal(await store.has(blocks[0]?.cid ?? CID.parse('')), false, 'files come after the log sync');
    spy.release();
    assert.deepEqual(await putting, [true, true, true, true]);
    assert.equal(await store.has(blocks[0]?.cid ?? CID.parse('')), true);
  });

  it('lets batches that arrive during a sync share the next one, their records never interleaved', async () => {
    const spy = new SyncSpy();
    const dir = await freshDir();
    const store = new BlockStore({ dir, fsync: spy.fsync });
    await store.open();
    const batches = await Promise.all([0, 1, 2, 3].map((seed) => blocksOf(3, 1000, seed)));
    const reached = spy.hold('log');
    const first = store.putMany(batches[0] ?? []);
    await reached;
    const later = batches.slice(1).map((batch) => store.putMany(batch));
    await turns();
    spy.release();
    await Promise.all([first, ...later]);
    assert.equal(spy.counts.log, 2, 'four batches, two syncs');

    const handle = await open(join(dir, COMMIT_LOG_FILE), 'r');
    try {
      const logged: string[] = [];
      for await (const record of readCommitLog(handle)) logged.push(record.name);
      const expected = batches.flat().map((b) => cidToString(b.cid));
      assert.deepEqual(logged, expected, 'each batch contiguous, in arrival order');
    } finally {
      await handle.close();
    }
  });

  it('refuses a batch with a block that does not match, writing nothing', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    const [a, b] = await blocksOf(2);
    assert.ok(a && b);
    await assert.rejects(
      store.putMany([a, { cid: b.cid, bytes: a.bytes }]),
      (err) => errorCode(err) === 'CORRUPT_BLOCK',
    );
    assert.deepEqual(await filesUnder(dir), []);
    assert.deepEqual(await store.putMany([a, { cid: b.cid, bytes: a.bytes }], { verified: true }), [true, true], 'verified: not hashed');
  });

  it('replays the log on open: blocks whose files a crash lost are written again', async () => {
    const dir = await freshDir();
    const blocks = await blocksOf(3);
    let crash = false;
    const crashing = await openStore(dir, (step) => {
      if (crash && step === 'created') throw new Error('crash after the log sync');
    });
    await crashing.putMany(blocks.slice(0, 1));
    crash = true;
    await assert.rejects(crashing.putMany(blocks.slice(1)), /crash after the log sync/);
    // The process dies here: no close, no checkpoint. The blocks it was writing in place are left
    // torn (created, still empty) under their names; the first block's file, never fsynced, is lost.
    for (const block of blocks.slice(1)) assert.equal((await stat(blockPath(dir, block.cid))).size, 0, 'torn');
    await rm(blockPath(dir, blocks[0]?.cid ?? CID.parse('')));

    const reopened = await openStore(dir);
    for (const block of blocks) assert.deepEqual(await reopened.get(block.cid), block.bytes);
    assert.deepEqual(reopened.stats(), { blocks: 3, bytes: 3003, corrupt: 0 });
    assert.equal((await stat(join(dir, COMMIT_LOG_FILE))).size, 0, 'checkpointed: the log is empty');
    const files = await filesUnder(dir);
    assert.ok(!files.some((f) => f.includes('.tmp-')), files.join(', '));
  });

  it('ignores a record cut short by a crash mid-append, and one whose bytes do not match its CID', async () => {
    const dir = await freshDir();
    const [a, b, c] = await blocksOf(3);
    assert.ok(a && b && c);
    const store = await openStore(dir);
    await store.putMany([a, b]);
    await store.putMany([c]);
    const logPath = join(dir, COMMIT_LOG_FILE);
    const log = await readFile(logPath);
    // b's bytes: flip one in the middle of its record (a follows: header 14 + 59-char name + 1000 bytes).
    const recordBytes = 14 + cidToString(a.cid).length + 1000;
    log[recordBytes + 14 + 59 + 500] = (log[recordBytes + 14 + 59 + 500] ?? 0) ^ 0xff;
    // c's record: cut in the middle, as a crash mid-append leaves it.
    await writeFile(logPath, log.subarray(0, log.length - 400));
    for (const block of [a, b, c]) await rm(blockPath(dir, block.cid));

    const reopened = await openStore(dir);
    assert.deepEqual(await reopened.get(a.cid), a.bytes);
    assert.equal(await reopened.has(b.cid), false, 'wrong bytes: ignored');
    assert.equal(await reopened.has(c.cid), false, 'partial record: ignored');
    assert.deepEqual(reopened.stats(), { blocks: 1, bytes: 1000, corrupt: 0 });
    assert.equal((await stat(logPath)).size, 0);
  });

  it('writes a logged block in place (no temporary file, no rename); replay repairs one left torn', async () => {
    const dir = await freshDir();
    const steps: WriteStep[] = [];
    const store = await openStore(dir, (step) => {
      steps.push(step);
    });
    const [a, b] = await blocksOf(2, 3000);
    assert.ok(a && b);
    assert.deepEqual(await store.putMany([a, b]), [true, true]);
    assert.deepEqual(steps.toSorted(), ['created', 'created', 'written', 'written']);
    assert.deepEqual(store.stats(), { blocks: 2, bytes: 6001, corrupt: 0 });
    // A crash mid-write leaves part of a block under its name (never fsynced, then power cut).
    await truncate(blockPath(dir, a.cid), 1234);
    await writeFile(blockPath(dir, b.cid), new Uint8Array(b.bytes.length).fill(7));
    const reopened = await openStore(dir);
    assert.deepEqual(await reopened.get(a.cid), a.bytes);
    assert.deepEqual(await reopened.get(b.cid), b.bytes);
    assert.deepEqual(reopened.stats(), { blocks: 2, bytes: 6001, corrupt: 0 });
    assert.ok(!(await filesUnder(dir)).some((f) => f.includes('.tmp-')));
  });

  for (const size of [50_000, 16 * 1024 * 1024]) {
    it(`a get of a block being written in place waits for the write: never a partial block (${size} B, ${size <= SYNC_WRITE_MAX_BYTES ? 'synchronous' : 'thread pool'})`, async () => {
      const dir = await freshDir();
      const [a] = await blocksOf(1, size);
      assert.ok(a);
      const gets: Promise<Uint8Array | undefined>[] = [];
      let sizeSeen = -1;
      const store = await openStore(dir, (step) => {
        if (step !== 'created') return;
        // The file exists under the block's name and is still empty: read it now.
        sizeSeen = readFileSizeSync(blockPath(dir, a.cid));
        gets.push(store.get(a.cid), store.get(a.cid, { verify: false }));
      });
      assert.deepEqual(await store.putMany([a]), [true]);
      assert.equal(sizeSeen, 0, 'the gets started while the file was empty');
      assert.equal(gets.length, 2);
      for (const got of await Promise.all(gets)) assert.deepEqual(got, a.bytes);
      assert.deepEqual(store.stats(), { blocks: 1, bytes: size, corrupt: 0 }, 'not taken for a rotted block');
    });
  }

  it('replaces a file that kept its size but not its bytes, and stops at a zero-filled tail', async () => {
    const dir = await freshDir();
    const [a] = await blocksOf(1);
    assert.ok(a);
    const store = await openStore(dir);
    await store.putMany([a]);
    await writeFile(blockPath(dir, a.cid), new Uint8Array(a.bytes.length));
    const logPath = join(dir, COMMIT_LOG_FILE);
    await writeFile(logPath, Buffer.concat([await readFile(logPath), Buffer.alloc(4096)]));
    const reopened = await openStore(dir);
    assert.deepEqual(await reopened.get(a.cid), a.bytes);
    assert.deepEqual(reopened.stats(), { blocks: 1, bytes: 1000, corrupt: 0 });
  });

  it('does not bring back a block deleted after it was logged', async () => {
    const dir = await freshDir();
    const [a, b] = await blocksOf(2);
    assert.ok(a && b);
    const store = await openStore(dir);
    await store.putMany([a, b]);
    assert.equal(await store.delete(a.cid), true);
    await store.delete(b.cid);
    await store.putMany([b]);
    // Crash: reopen without close.
    const reopened = await openStore(dir);
    assert.equal(await reopened.has(a.cid), false, 'deleted: stays deleted');
    assert.deepEqual(await reopened.get(b.cid), b.bytes, 'deleted, then stored again');
  });

  it('checkpoints in the background once the log passes its bound, and on close', async () => {
    const spy = new SyncSpy();
    const dir = await freshDir();
    const store = new BlockStore({ dir, fsync: spy.fsync, checkpointBytes: 2500 });
    await store.open();
    const [first, second, third] = await Promise.all([0, 1, 2].map((seed) => blocksOf(2, 1000, seed)));
    assert.ok(first && second && third);
    await store.putMany(first);
    assert.equal(spy.counts.block, 0, 'under the bound: no checkpoint');
    // The second batch takes the log past 2500 bytes: acknowledged after its own log sync, while
    // the checkpoint it starts is held at its first block fsync.
    const checkpointing = spy.hold('block');
    assert.deepEqual(await store.putMany(second), [true, true]);
    await checkpointing;
    // Appends go on beside the checkpoint.
    assert.deepEqual(await store.putMany(third), [true, true]);
    spy.release();
    await store.checkpointed();
    // The batch logged during the checkpoint is covered by it too: its files were synced before the truncation.
    assert.equal((await stat(join(dir, COMMIT_LOG_FILE))).size, 0, 'emptied');
    for (const ino of await inodesOf(dir)) assert.ok(spy.inodes.has(ino), 'every block file fsynced before the log was emptied');
    const synced = { ...spy.counts };
    await store.close();
    assert.deepEqual(spy.counts, synced, 'nothing left for close to do');
    for (const block of [...first, ...second, ...third]) assert.deepEqual(await store.get(block.cid), block.bytes);
    await assert.rejects(store.putMany(first), (err) => errorCode(err) === 'FAILED_PRECONDITION');
    assert.equal(await store.put(first[0]?.cid ?? CID.parse(''), first[0]?.bytes ?? new Uint8Array()), false, 'put still works');
    await store.open();
    assert.deepEqual(await store.putMany(await blocksOf(1, 1000, 9)), [true], 'open again: putMany again');
    await store.close();
  });

  it('checkpoints once checkpointBlocks blocks are logged: what it remembers of them stays bounded', async () => {
    const spy = new SyncSpy();
    const dir = await freshDir();
    // A byte bound never reached: only the block count starts checkpoints.
    const store = new BlockStore({ dir, fsync: spy.fsync, checkpointBytes: 1 << 30, checkpointBlocks: 8 });
    await store.open();
    let most = 0;
    for (let seed = 0; seed < 12; seed++) {
      await store.putMany(await blocksOf(3, 100, seed));
      most = Math.max(most, store.loggedBlocks);
      await store.checkpointed();
    }
    assert.ok(most < 8 + 3, `remembered at most ${most} blocks`);
    assert.ok(spy.counts.block >= 24, 'the blocks were fsynced by checkpoints, not left to close');
    assert.ok(store.loggedBlocks < 8);
    await store.close();
    assert.equal(store.loggedBlocks, 0);
    assert.throws(() => new BlockStore({ dir, checkpointBlocks: 0 }), (err) => errorCode(err) === 'INVALID_ARGUMENT');
  });

  it('checkpoint() on demand (a quiet node): the logged blocks are fsynced, the log emptied, their names forgotten', async () => {
    const spy = new SyncSpy();
    const dir = await freshDir();
    // Bounds never reached: without checkpoint() the blocks would stay remembered until close().
    const store = new BlockStore({ dir, fsync: spy.fsync, checkpointBytes: 1 << 30, checkpointBlocks: 1 << 20 });
    await store.open();
    const blocks = await blocksOf(20, 100, 4);
    await store.putMany(blocks);
    assert.equal(store.loggedBlocks, 20);
    assert.ok((await stat(join(dir, COMMIT_LOG_FILE))).size > 0);
    await store.checkpoint();
    assert.equal(store.loggedBlocks, 0);
    assert.equal((await stat(join(dir, COMMIT_LOG_FILE))).size, 0, 'emptied');
    for (const ino of await inodesOf(dir)) assert.ok(spy.inodes.has(ino), 'every block file fsynced before the log was emptied');
    const synced = { ...spy.counts };
    await store.checkpoint();
    assert.deepEqual(spy.counts, synced, 'nothing logged: nothing to do');
    for (const block of blocks) assert.deepEqual(await store.get(block.cid), block.bytes);
    await store.close();
    await store.checkpoint();
  });

  it('refuses appends with UNAVAILABLE once a log sync failed; put still works', async () => {
    let fail = true;
    const dir = await freshDir();
    const store = new BlockStore({
      dir,
      fsync: async (handle, target) => {
        if (target === 'log' && fail) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
        await defaultFsync(handle, target);
      },
    });
    await store.open();
    const [a, b] = await blocksOf(2);
    assert.ok(a && b);
    await assert.rejects(store.putMany([a]), /EIO/);
    fail = false;
    await assert.rejects(store.putMany([b]), (err) => errorCode(err) === 'UNAVAILABLE');
    assert.equal(await store.put(b.cid, b.bytes), true);
    await assert.rejects(store.close(), (err) => errorCode(err) === 'UNAVAILABLE');
    // The next open replays what the log holds and starts afresh (the same instance, or another).
    await store.open();
    assert.deepEqual(await store.get(a.cid), a.bytes);
    const [c] = await blocksOf(1, 1000, 5);
    assert.ok(c);
    assert.deepEqual(await store.putMany([a, b, c]), [false, false, true]);
    await store.close();
  });
});
