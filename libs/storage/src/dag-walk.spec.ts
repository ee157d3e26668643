import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCode } from '@peerweave/core';
import * as dagPb from '@ipld/dag-pb';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { blockLinks, dagBlocks } from './dag-walk.ts';
import { CHUNK_SIZE, importFile } from './unixfs-import.ts';
import { MemoryBlocks, moduloPattern, piecesOf } from './testing/index.ts';

const MiB = 1024 * 1024;

async function pbBlock(node: dagPb.PBNode): Promise<{ cid: CID; bytes: Uint8Array }> {
  const bytes = dagPb.encode(dagPb.prepare(node));
  return { cid: CID.createV1(0x70, await sha256.digest(bytes)), bytes };
}

describe('blockLinks', () => {
  it('is empty for a raw block and the links in order for dag-pb', async () => {
    const store = new MemoryBlocks();
    const { cid, blocks } = await importFile(piecesOf(moduloPattern(3 * CHUNK_SIZE)), store.sink);
    const root = store.blocks.get(cid.toString()) ?? new Uint8Array();
    const leaves = blocks.slice(0, 3).map((b) => b.cid.toString());
    assert.deepEqual(
      blockLinks(cid, root).map((c) => c.toString()),
      leaves,
    );
    const firstLeaf = blocks[0];
    assert.ok(firstLeaf !== undefined);
    assert.deepEqual(blockLinks(firstLeaf.cid, store.blocks.get(firstLeaf.cid.toString()) ?? new Uint8Array()), []);
  });

  it('refuses a dag-pb block that does not decode (CORRUPT_BLOCK) and a link we do not store (INVALID_CID)', async () => {
    const junk = new Uint8Array([0xff, 0xff, 0xff]);
    const junkCid = CID.createV1(0x70, await sha256.digest(junk));
    assert.throws(() => blockLinks(junkCid, junk), (err) => errorCode(err) === 'CORRUPT_BLOCK');

    const cborChild = CID.createV1(0x71, await sha256.digest(new Uint8Array([0xa0])));
    const parent = await pbBlock({ Links: [{ Hash: cborChild, Name: '', Tsize: 1 }] });
    assert.throws(() => blockLinks(parent.cid, parent.bytes), (err) => errorCode(err) === 'INVALID_CID');
  });
});

describe('dagBlocks', () => {
  it('yields every block once, the root first, depth-first in link order', async () => {
    const store = new MemoryBlocks();
    const { cid, blocks } = await importFile(piecesOf(moduloPattern(50 * MiB), MiB), store.sink);
    const walked: string[] = [];
    for await (const block of dagBlocks(cid, store.get)) walked.push(block.cid.toString());
    assert.equal(walked[0], cid.toString());
    assert.equal(walked.length, blocks.length);
    assert.deepEqual(new Set(walked), new Set(blocks.map((b) => b.cid.toString())));

    // Depth-first: the first inner node, its 174 leaves, then the second inner node and its 26.
    const root = store.blocks.get(cid.toString()) ?? new Uint8Array();
    const [inner1, inner2] = blockLinks(cid, root);
    assert.ok(inner1 !== undefined && inner2 !== undefined);
    const leaves1 = blockLinks(inner1, store.blocks.get(inner1.toString()) ?? new Uint8Array());
    assert.deepEqual(walked.slice(1, 2 + 174), [inner1.toString(), ...leaves1.map((c) => c.toString())]);
    assert.equal(walked[2 + 174], inner2.toString());
  });

  it('yields a block linked twice once', async () => {
    const store = new MemoryBlocks();
    const { cid } = await importFile(piecesOf(new Uint8Array(MiB)), store.sink);
    const walked: string[] = [];
    for await (const block of dagBlocks(cid, store.get)) walked.push(block.cid.toString());
    assert.equal(walked.length, 2);
  });

  it('yields a one-block DAG as that block', async () => {
    const store = new MemoryBlocks();
    const bytes = new TextEncoder().encode('hello world\n');
    const { cid } = await importFile(piecesOf(bytes), store.sink);
    const walked = [];
    for await (const block of dagBlocks(cid, store.get)) walked.push(block);
    assert.equal(walked.length, 1);
    assert.deepEqual(walked[0]?.bytes, bytes);
  });

  it('fails with NOT_FOUND for a missing block and ABORTED when aborted', async () => {
    const store = new MemoryBlocks();
    const { cid, blocks } = await importFile(piecesOf(moduloPattern(3 * CHUNK_SIZE)), store.sink);
    store.blocks.delete(blocks[1]?.cid.toString() ?? '');
    await assert.rejects(async () => {
      for await (const _ of dagBlocks(cid, store.get));
    }, (err) => errorCode(err) === 'NOT_FOUND');
    await assert.rejects(async () => {
      for await (const _ of dagBlocks(cid, store.get, { signal: AbortSignal.abort() }));
    }, (err) => errorCode(err) === 'ABORTED');
  });
});
