import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { blockFileName, blockPath, listBlockFiles, scanBlockFiles, shardOf, TEMP_PREFIX } from './block-files.ts';
import { cidToString, RAW_CODE } from './cid.ts';

async function rawCid(text: string): Promise<string> {
  return cidToString(CID.createV1(RAW_CODE, await sha256.digest(new TextEncoder().encode(text))));
}

describe('block files (the layout)', () => {
  it('shards by the two characters before the last (flatfs next-to-last/2)', () => {
    assert.equal(shardOf('bafkreiabcdefxyz'), 'xy');
    assert.equal(blockPath('/d', 'bafkreiabcdefxyz'), '/d/xy/bafkreiabcdefxyz');
  });

  it('names only canonical CIDs: temporary files, other spellings and strays are not blocks', async () => {
    const name = await rawCid('a');
    assert.equal(blockFileName(name)?.toString(), name);
    assert.equal(blockFileName(`${TEMP_PREFIX}${name}-0a1b`), undefined);
    assert.equal(blockFileName(name.toUpperCase()), undefined);
    assert.equal(blockFileName('notes.txt'), undefined);
  });

  it('scan removes crashed writes and counts blocks; listing yields every block once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerweave-block-files-'));
    try {
      const names = [await rawCid('a'), await rawCid('bb')];
      for (const name of names) {
        await mkdir(join(dir, shardOf(name)), { recursive: true });
        await writeFile(blockPath(dir, name), name === names[0] ? 'a' : 'bb');
      }
      const shard = shardOf(names[0]!);
      await writeFile(join(dir, shard, `${TEMP_PREFIX}${names[0]}-dead`), 'partial');
      await writeFile(join(dir, shard, 'stray'), 'x');
      const found = await scanBlockFiles(dir);
      assert.deepEqual({ blocks: found.blocks, bytes: found.bytes }, { blocks: 2, bytes: 3 });
      assert.ok(!(await readdir(join(dir, shard))).some((f) => f.startsWith(TEMP_PREFIX)));
      const listed: string[] = [];
      for await (const cid of listBlockFiles(dir)) listed.push(cid.toString());
      assert.deepEqual(listed.sort(), [...names].sort());
      for await (const cid of listBlockFiles(join(dir, 'absent'))) assert.fail(`nothing to list, got ${cid.toString()}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
