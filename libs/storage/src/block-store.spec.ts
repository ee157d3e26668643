import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { errorCode } from '@peerweave/core';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { BlockStore, type WriteStep } from './block-store.ts';
import { cidToString } from './cid.ts';
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
