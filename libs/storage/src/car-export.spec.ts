import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCode } from '@peerweave/core';
import { CarReader } from '@ipld/car/reader';
import { exportCar } from './car-export.ts';
import { blockMatches } from './cid.ts';
import { dagBlocks } from './dag-walk.ts';
import { CHUNK_SIZE, importFile } from './unixfs-import.ts';
import { collect, MemoryBlocks, moduloPattern, piecesOf } from './testing/index.ts';

const MiB = 1024 * 1024;

describe('exportCar', () => {
  for (const [name, bytes] of [
    ['a one-block file', new TextEncoder().encode('hello world\n')],
    ['a 1 MiB file', moduloPattern(MiB)],
    ['a two-level 50 MiB file', moduloPattern(50 * MiB)],
  ] as const) {
    it(`writes ${name} as a CARv1 that reads back: roots [cid], blocks verify, blocks = dagBlocks`, async () => {
      const store = new MemoryBlocks();
      const { cid } = await importFile(piecesOf(bytes, MiB), store.sink);
      const car = await collect(exportCar(cid, store.get));
      const reader = await CarReader.fromBytes(car);
      assert.equal(reader.version, 1);
      assert.deepEqual(
        (await reader.getRoots()).map((r) => r.toString()),
        [cid.toString()],
      );
      const inCar: string[] = [];
      for await (const block of reader.blocks()) {
        assert.ok(blockMatches(block.cid, block.bytes), `${block.cid.toString()} verifies`);
        inCar.push(block.cid.toString());
      }
      const walked: string[] = [];
      for await (const block of dagBlocks(cid, store.get)) walked.push(block.cid.toString());
      assert.deepEqual(inCar, walked);
    });
  }

  it('fetches blocks as the reader reads, and stops cleanly when the reader stops', async () => {
    const store = new MemoryBlocks();
    const { cid } = await importFile(piecesOf(moduloPattern(50 * MiB), MiB), store.sink);
    store.gets = 0;
    let chunks = 0;
    for await (const _ of exportCar(cid, store.get)) {
      chunks += 1;
      if (chunks === 5) break;
    }
    assert.ok(store.gets < 10, `${store.gets} blocks fetched for 5 chunks read`);
  });

  it('fails when a block is missing', async () => {
    const store = new MemoryBlocks();
    const { cid, blocks } = await importFile(piecesOf(moduloPattern(3 * CHUNK_SIZE)), store.sink);
    store.blocks.delete(blocks[2]?.cid.toString() ?? '');
    await assert.rejects(collect(exportCar(cid, store.get)), (err) => errorCode(err) === 'NOT_FOUND');
  });
});
