import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { CID } from 'multiformats/cid';
import { identity } from 'multiformats/hashes/identity';
import { sha256 } from 'multiformats/hashes/sha2';
import { blockMatchesOffLoop, OFF_LOOP_HASH_MIN_BYTES } from './block-verify.ts';

const RAW = 0x55;
const cidOf = async (bytes: Uint8Array): Promise<CID> => CID.createV1(RAW, await sha256.digest(bytes));

describe('blockMatchesOffLoop', () => {
  it('checks a full-size block on the thread pool: a promise of true for its bytes, false for others', async () => {
    const bytes = randomBytes(256 * 1024);
    const cid = await cidOf(bytes);
    const ok = blockMatchesOffLoop(cid, bytes);
    assert.ok(ok instanceof Promise, 'answered later');
    assert.equal(await ok, true);
    const flipped = Buffer.from(bytes);
    flipped[1000] = (flipped[1000] ?? 0) ^ 1;
    assert.equal(await blockMatchesOffLoop(cid, flipped), false);
    assert.equal(await blockMatchesOffLoop(cid, bytes.subarray(0, bytes.length - 1)), false, 'a truncated block');
  });

  it('hashes only the view it is given (a block inside a bigger received frame)', async () => {
    const frame = randomBytes(300 * 1024);
    const block = frame.subarray(100, 100 + 256 * 1024);
    assert.equal(await blockMatchesOffLoop(await cidOf(block), block), true);
  });

  it('checks a small block at once, and refuses a hash other than SHA-256 as blockMatches does', async () => {
    const small = randomBytes(OFF_LOOP_HASH_MIN_BYTES - 1);
    assert.equal(blockMatchesOffLoop(await cidOf(small), small), true);
    assert.equal(blockMatchesOffLoop(await cidOf(small), randomBytes(10)), false);
    const big = randomBytes(OFF_LOOP_HASH_MIN_BYTES);
    assert.equal(blockMatchesOffLoop(CID.createV1(RAW, identity.digest(big)), big), false);
  });
});
