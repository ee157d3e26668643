import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { errorCode } from '@peerweave/core';
import { base36 } from 'multiformats/bases/base36';
import { base58btc } from 'multiformats/bases/base58';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { identity } from 'multiformats/hashes/identity';
import { sha256, sha512 } from 'multiformats/hashes/sha2';
import { blockMatches, cidKey, cidKeyHex, cidToString, parseCid } from './cid.ts';

const HELLO = new TextEncoder().encode('hello world\n');
const HELLO_SHA256 = createHash('sha256').update(HELLO).digest('hex');
// `echo 'hello world' | ipfs add --cid-version=1` (Kubo); also equal to the raw CID of its SHA-256.
const HELLO_CID = 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return errorCode(err);
  }
  return undefined;
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}

describe('parseCid', () => {
  it('accepts a CIDv1 raw in base32 and gives it back canonical', () => {
    const cid = parseCid(HELLO_CID);
    assert.equal(cid.version, 1);
    assert.equal(cid.code, 0x55);
    assert.equal(cidToString(cid), HELLO_CID);
  });

  it('accepts the same CID in base58btc and base36', async () => {
    const cid = CID.parse(HELLO_CID);
    assert.equal(cidToString(parseCid(cid.toString(base58btc))), HELLO_CID);
    assert.equal(cidToString(parseCid(cid.toString(base36))), HELLO_CID);
  });

  it('accepts a CIDv0 and converts it to its CIDv1 dag-pb twin', async () => {
    const digest = await sha256.digest(HELLO);
    const v0 = CID.createV0(digest).toString();
    assert.match(v0, /^Qm/);
    const cid = parseCid(v0);
    assert.equal(cid.version, 0);
    const canonical = cidToString(cid);
    assert.match(canonical, /^bafybei/);
    assert.equal(canonical, CID.createV1(0x70, digest).toString());
    assert.equal(cidKeyHex(cid), HELLO_SHA256);
  });

  it('accepts a dag-pb CIDv1', async () => {
    const text = CID.createV1(0x70, await sha256.digest(HELLO)).toString();
    assert.equal(cidToString(parseCid(text)), text);
  });

  const bad: [string, string][] = [
    ['empty', ''],
    ['garbage', 'hello'],
    ['bad base32', 'bafkrei!!!!'],
    ['truncated', HELLO_CID.slice(0, -4)],
    ['trailing bytes', `${HELLO_CID}aa`],
    ['leading space', ` ${HELLO_CID}`],
    ['too long', `b${'a'.repeat(200)}`],
    ['truncated v0', 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff'],
    ['unknown multibase', `f${'0'.repeat(70)}`],
  ];
  for (const [name, text] of bad) {
    it(`refuses ${name} with INVALID_CID`, () => {
      assert.equal(codeOf(() => parseCid(text)), 'INVALID_CID');
    });
  }

  it('says why: empty, too long', () => {
    assert.match(messageOf(() => parseCid('')), /empty/);
    assert.match(messageOf(() => parseCid('b'.repeat(129))), /too long/);
  });

  it('refuses a dag-cbor CID (wrong codec)', async () => {
    const text = CID.createV1(0x71, await sha256.digest(HELLO)).toString();
    assert.equal(codeOf(() => parseCid(text)), 'INVALID_CID');
    assert.match(messageOf(() => parseCid(text)), /codec 0x71/);
  });

  it('refuses identity, blake2b-256 and sha2-512 hashes (wrong hash)', async () => {
    const identityCid = CID.createV1(0x55, identity.digest(HELLO)).toString();
    const blakeCid = CID.createV1(0x55, Digest.create(0xb220, new Uint8Array(32).fill(7))).toString();
    const sha512Cid = CID.createV1(0x55, await sha512.digest(HELLO)).toString();
    for (const text of [identityCid, blakeCid, sha512Cid]) {
      assert.equal(codeOf(() => parseCid(text)), 'INVALID_CID', text);
      assert.match(messageOf(() => parseCid(text)), /hash/);
    }
  });

  it('refuses a non-string', () => {
    assert.equal(codeOf(() => parseCid(42 as unknown as string)), 'INVALID_CID');
  });
});

describe('cidKey', () => {
  it('is the 32-byte SHA-256 digest, shared by v0/v1 and raw/dag-pb of the same bytes', async () => {
    const digest = await sha256.digest(HELLO);
    const raw = parseCid(HELLO_CID);
    assert.equal(cidKey(raw).length, 32);
    assert.equal(Buffer.from(cidKey(raw)).toString('hex'), HELLO_SHA256);
    assert.equal(cidKeyHex(raw), HELLO_SHA256);
    assert.equal(cidKeyHex(CID.createV0(digest)), HELLO_SHA256);
    assert.equal(cidKeyHex(CID.createV1(0x70, digest)), HELLO_SHA256);
  });

  it('is a copy: changing it does not change the CID', () => {
    const cid = parseCid(HELLO_CID);
    cidKey(cid).fill(0);
    assert.equal(cidKeyHex(cid), HELLO_SHA256);
  });
});

describe('blockMatches', () => {
  it('is true for the right bytes and false for any other', () => {
    const cid = parseCid(HELLO_CID);
    assert.equal(blockMatches(cid, HELLO), true);
    assert.equal(blockMatches(cid, new TextEncoder().encode('hello world')), false);
    assert.equal(blockMatches(cid, new Uint8Array(0)), false);
  });

  it('is false for a CID that is not SHA-256', () => {
    assert.equal(blockMatches(CID.createV1(0x55, identity.digest(HELLO)), HELLO), false);
  });
});

describe('cidToString memory', () => {
  it('returns flat strings: 4 096 CID strings cost a few hundred bytes each, not a rope of cons cells', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const cids = Array.from({ length: 4096 }, (_, i) => CID.createV1(0x55, Digest.create(0x12, createHash('sha256').update(`leaf ${i}`).digest())));
    gc();
    const before = process.memoryUsage().heapUsed;
    const strings = cids.map(cidToString);
    gc();
    const perString = (process.memoryUsage().heapUsed - before) / strings.length;
    // Measured: ~300 B flat (the string, multiformats' cache of it on the CID), ~1 700 B as a rope.
    assert.ok(perString < 800, `${perString.toFixed(0)} bytes per CID string`);
    assert.equal(new Set(strings).size, 4096);
  });
});
