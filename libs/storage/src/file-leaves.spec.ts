import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CID } from 'multiformats/cid';
import { fileLeaves, walkFileLeaves } from './file-leaves.ts';
import { exportFile } from './unixfs-export.ts';
import { importFile, CHUNK_SIZE } from './unixfs-import.ts';
import { MemoryBlocks, moduloPattern, piecesOf } from './testing/index.ts';

async function imported(size: number): Promise<{ root: CID; blocks: MemoryBlocks; bytes: Uint8Array }> {
  const blocks = new MemoryBlocks();
  const bytes = moduloPattern(size);
  const { cid } = await importFile(piecesOf(bytes, 100_000), blocks.sink);
  return { root: cid, blocks, bytes };
}

describe('fileLeaves', () => {
  it('lists every raw leaf in order with offsets that add up to the file, fetching only inner nodes', async () => {
    // 50 MiB: 200 leaves under two inner nodes.
    const { root, blocks, bytes } = await imported(50 * 1024 * 1024);
    const before = blocks.gets;
    const leaves = await fileLeaves(root, blocks.get);
    assert.equal(leaves.length, 200);
    assert.equal(blocks.gets - before, 3, 'root and two inner nodes');
    let at = 0;
    for (const leaf of leaves) {
      assert.equal(leaf.offset, at);
      assert.equal(leaf.cid.code, 0x55);
      at += leaf.size;
    }
    assert.equal(at, bytes.length);
  });

  it('walks lazily: an inner node is fetched when the walk reaches it, so a reader holds one path, not the list', async () => {
    // 50 MiB: 200 leaves, 174 under the first inner node and 26 under the second.
    const { root, blocks } = await imported(50 * 1024 * 1024);
    const before = blocks.gets;
    const walk = walkFileLeaves(root, blocks.get);
    const first = await walk.next();
    assert.equal(first.value?.offset, 0);
    assert.equal(blocks.gets - before, 2, 'root and the first inner node');
    for (let i = 1; i < 174; i++) await walk.next();
    assert.equal(blocks.gets - before, 2, 'still only the first inner node after its 174 leaves');
    const next = await walk.next();
    assert.equal(next.value?.offset, 174 * CHUNK_SIZE);
    assert.equal(blocks.gets - before, 3, 'the second inner node once its first leaf is wanted');
    await walk.return(undefined);
  });

  it('returns only the leaves that overlap a range', async () => {
    const { root, blocks } = await imported(CHUNK_SIZE * 10 + 5);
    const leaves = await fileLeaves(root, blocks.get, { offset: CHUNK_SIZE * 2 - 1, length: 2 });
    assert.deepEqual(leaves.map((l) => l.offset), [CHUNK_SIZE, CHUNK_SIZE * 2]);
    const tail = await fileLeaves(root, blocks.get, { offset: CHUNK_SIZE * 10 });
    assert.deepEqual(tail.map((l) => l.size), [5]);
  });

  it('a single raw block is its own leaf', async () => {
    const { root, blocks } = await imported(1000);
    assert.deepEqual((await fileLeaves(root, blocks.get)).map((l) => [l.offset, l.size]), [[0, 1000]]);
  });

  it('the leaves joined are the exported file', async () => {
    const { root, blocks } = await imported(CHUNK_SIZE * 3 + 7);
    const parts: Uint8Array[] = [];
    for (const leaf of await fileLeaves(root, blocks.get)) parts.push(await blocks.get(leaf.cid, {}));
    const viaExporter: Uint8Array[] = [];
    for await (const p of exportFile(root, blocks.get)) viaExporter.push(p);
    assert.ok(Buffer.concat(parts).equals(Buffer.concat(viaExporter)));
  });
});
