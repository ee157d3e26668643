import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCode } from '@peerweave/core';
import * as dagPb from '@ipld/dag-pb';
import { importer } from 'ipfs-unixfs-importer';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { CHUNK_SIZE, importFile } from './unixfs-import.ts';
import { EXPORT_WINDOW_BYTES, exportFile, statObject } from './unixfs-export.ts';
import { collect, MemoryBlocks, moduloPattern, piecesOf } from './testing/index.ts';

const MiB = 1024 * 1024;

async function imported(bytes: Uint8Array): Promise<{ store: MemoryBlocks; cid: CID }> {
  const store = new MemoryBlocks();
  const { cid } = await importFile(piecesOf(bytes), store.sink);
  return { store, cid };
}

async function rejectionCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return errorCode(err);
  }
  return undefined;
}

describe('exportFile', () => {
  const files: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['12 bytes', new TextEncoder().encode('hello world\n')],
    ['one chunk', moduloPattern(CHUNK_SIZE)],
    ['one chunk + 1', moduloPattern(CHUNK_SIZE + 1)],
    ['1 MiB', moduloPattern(MiB)],
    ['3.5 MiB + 7', moduloPattern(3.5 * MiB + 7)],
  ];
  for (const [name, bytes] of files) {
    it(`gives back ${name} byte for byte`, async () => {
      const { store, cid } = await imported(bytes);
      assert.deepEqual(await collect(exportFile(cid, store.get)), bytes);
    });
  }

  it('gives back 50 MiB (a two-level tree) byte for byte', async () => {
    const bytes = moduloPattern(50 * MiB);
    const { store, cid } = await imported(bytes);
    const out = await collect(exportFile(cid, store.get));
    assert.equal(Buffer.compare(out, bytes), 0);
  });

  it('honours ranges: start, across chunk boundaries, last byte, clipped, empty', async () => {
    const bytes = moduloPattern(3.5 * MiB + 7);
    const { store, cid } = await imported(bytes);
    const size = bytes.length;
    const ranges: [number, number | undefined][] = [
      [0, 10],
      [0, undefined],
      [CHUNK_SIZE - 100, 2 * CHUNK_SIZE + 200],
      [EXPORT_WINDOW_BYTES - 1, 2],
      [CHUNK_SIZE, CHUNK_SIZE],
      [123_457, EXPORT_WINDOW_BYTES * 2 + 5],
      [size - 1, 1],
      [size - 10, 1000],
      [size - 10, undefined],
      [size, undefined],
      [size, 5],
      [1000, 0],
      [0, 0],
    ];
    for (const [offset, length] of ranges) {
      const expected = bytes.subarray(offset, length === undefined ? undefined : offset + length);
      const options = length === undefined ? { offset } : { offset, length };
      assert.deepEqual(await collect(exportFile(cid, store.get, options)), expected, `offset ${offset} length ${length}`);
    }
  });

  it('honours ranges of a one-block file', async () => {
    const bytes = new TextEncoder().encode('hello world\n');
    const { store, cid } = await imported(bytes);
    assert.deepEqual(await collect(exportFile(cid, store.get, { offset: 6, length: 5 })), bytes.subarray(6, 11));
    assert.deepEqual(await collect(exportFile(cid, store.get, { offset: 11, length: 1 })), bytes.subarray(11));
    assert.deepEqual(await collect(exportFile(cid, store.get, { offset: 3, length: 0 })), new Uint8Array(0));
  });

  it('reads a raw one-block file with one get, NOT_FOUND when it is missing, ABORTED when aborted', async () => {
    const bytes = moduloPattern(4096);
    const { store, cid } = await imported(bytes);
    assert.equal(cid.code, 0x55, 'a one-block file is a raw block');
    store.gets = 0;
    assert.deepEqual(await collect(exportFile(cid, store.get)), bytes);
    assert.equal(store.gets, 1);
    assert.equal(await rejectionCode(collect(exportFile(cid, store.get, { signal: AbortSignal.abort() }))), 'ABORTED');
    store.blocks.clear();
    assert.equal(await rejectionCode(collect(exportFile(cid, store.get))), 'NOT_FOUND');
  });

  it('fetches only the blocks the range needs', async () => {
    const { store, cid } = await imported(moduloPattern(MiB));
    store.gets = 0;
    await collect(exportFile(cid, store.get, { offset: CHUNK_SIZE + 10, length: 100 }));
    assert.equal(store.gets, 2, 'the root and one leaf');

    const big = await imported(moduloPattern(50 * MiB));
    big.store.gets = 0;
    await collect(exportFile(big.cid, big.store.get, { offset: 50 * MiB - 1, length: 1 }));
    assert.equal(big.store.gets, 3, 'the root, one inner node and one leaf');

    big.store.gets = 0;
    await collect(exportFile(big.cid, big.store.get, { offset: 10, length: 0 }));
    assert.equal(big.store.gets, 1, 'the root alone, for the size');
  });

  it('reads ahead at most a window, however slow the reader', async () => {
    const { store, cid } = await imported(moduloPattern(50 * MiB));
    store.gets = 0;
    let read = 0;
    for await (const piece of exportFile(cid, store.get)) {
      read += piece.length;
      if (read >= 2 * CHUNK_SIZE) break;
    }
    // Root + the first inner node + the window's four leaves + the leaf after the window, which
    // the exporter's inclusive end test also fetches (not all 200).
    assert.ok(store.gets <= 2 + EXPORT_WINDOW_BYTES / CHUNK_SIZE + 1, `${store.gets} blocks fetched`);
  });

  it('fetches each block once for a whole export, window after window', async () => {
    const { store, cid } = await imported(moduloPattern(50 * MiB));
    store.gets = 0;
    await collect(exportFile(cid, store.get));
    assert.equal(store.gets, 200 + 2 + 1);
  });

  it('refuses a bad range: RANGE_NOT_SATISFIABLE past the end, INVALID_ARGUMENT for nonsense', async () => {
    const { store, cid } = await imported(moduloPattern(1000));
    assert.equal(await rejectionCode(collect(exportFile(cid, store.get, { offset: 1001 }))), 'RANGE_NOT_SATISFIABLE');
    assert.equal(await rejectionCode(collect(exportFile(cid, store.get, { offset: -1 }))), 'INVALID_ARGUMENT');
    assert.equal(await rejectionCode(collect(exportFile(cid, store.get, { offset: 1.5 }))), 'INVALID_ARGUMENT');
    assert.equal(await rejectionCode(collect(exportFile(cid, store.get, { length: -3 }))), 'INVALID_ARGUMENT');
  });

  it('fails with NOT_FOUND when a block is missing, ABORTED when aborted', async () => {
    const { store, cid } = await imported(moduloPattern(MiB));
    const leaf = [...store.blocks.keys()].find((k) => k !== cid.toString());
    store.blocks.delete(leaf ?? '');
    assert.equal(await rejectionCode(collect(exportFile(cid, store.get))), 'NOT_FOUND');
    assert.equal(
      await rejectionCode(collect(exportFile(cid, store.get, { signal: AbortSignal.abort() }))),
      'ABORTED',
    );
  });
});

describe('statObject', () => {
  it('gives the size of a raw one-block file and its one block', async () => {
    const { store, cid } = await imported(moduloPattern(1234));
    assert.deepEqual(await statObject(cid, store.get), { size: 1234, blocks: 1 });
    const empty = await imported(new Uint8Array(0));
    assert.deepEqual(await statObject(empty.cid, empty.store.get), { size: 0, blocks: 1 });
  });

  it('reads the root block alone', async () => {
    const { store, cid } = await imported(moduloPattern(MiB));
    store.gets = 0;
    assert.deepEqual(await statObject(cid, store.get), { size: MiB, blocks: 5 });
    assert.equal(store.gets, 1);

    const zeros = await imported(new Uint8Array(MiB));
    assert.deepEqual(await statObject(zeros.cid, zeros.store.get), { size: MiB, blocks: 2 }, 'one zero leaf, linked 4 times');

    const big = await imported(moduloPattern(50 * MiB));
    big.store.gets = 0;
    assert.deepEqual(await statObject(big.cid, big.store.get), { size: 50 * MiB });
    assert.equal(big.store.gets, 1);
  });

  it('refuses a directory, a dag-pb node that is not UnixFS and another codec: not a file', async () => {
    const store = new MemoryBlocks();
    const blockstore = {
      put: async (cid: CID, bytes: Uint8Array) => {
        await store.sink(cid, bytes, {});
        return cid;
      },
    };
    let dir: CID | undefined;
    for await (const entry of importer([{ path: 'a.txt', content: new Uint8Array([1, 2, 3]) }], blockstore, {
      wrapWithDirectory: true,
      cidVersion: 1,
    })) {
      dir = entry.cid;
    }
    assert.ok(dir !== undefined);
    await assert.rejects(statObject(dir, store.get), (err: Error) => errorCode(err) === 'INVALID_ARGUMENT' && /not a file/.test(err.message));
    await assert.rejects(collect(exportFile(dir, store.get)), (err) => errorCode(err) === 'INVALID_ARGUMENT');

    const bare = dagPb.encode({ Links: [] });
    const bareCid = CID.createV1(0x70, await sha256.digest(bare));
    await store.sink(bareCid, bare, {});
    await assert.rejects(statObject(bareCid, store.get), (err: Error) => errorCode(err) === 'INVALID_ARGUMENT' && /not a/.test(err.message));

    const cbor = CID.createV1(0x71, await sha256.digest(new Uint8Array([0xa0])));
    assert.equal(await rejectionCode(statObject(cbor, store.get)), 'INVALID_ARGUMENT');
  });

  it('fails with NOT_FOUND when the root is missing', async () => {
    const cid = CID.createV1(0x55, await sha256.digest(new Uint8Array([9])));
    assert.equal(await rejectionCode(statObject(cid, new MemoryBlocks().get)), 'NOT_FOUND');
  });
});
