// Property tests of CID parsing and record signing (issue #15 item 4): any text either parses to a
// supported CID whose canonical string parses back to it, or is refused with INVALID_CID; a signed
// record verifies and any change to a signed field makes it fail; verifyRecord never throws on junk.
// Knobs: FC_NUM_RUNS, FC_SEED (@peerweave/core/testing propertyParams).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PeerweaveError, type ObjectRecord } from '@peerweave/core';
import { propertyParams } from '@peerweave/core/testing';
import { Identity } from '@peerweave/identity';
import { cidToString, parseCid } from './cid.ts';
import { recordSigningBytes, signRecord, verifyRecord, type UnsignedRecord } from './record.ts';

const CIDS = ['bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4', 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'];

describe('CID parsing (property)', () => {
  it('any text parses to a supported CID that round-trips, or is refused with INVALID_CID', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom(...CIDS),
      fc.tuple(fc.constantFrom(...CIDS), fc.nat(), fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz234567QmzkZ0'.split(''))).map(([c, at, ch]) => c.slice(0, at % c.length) + ch + c.slice((at % c.length) + 1)),
      fc.tuple(fc.constantFrom('b', 'z', 'k', 'f', 'u', 'm'), fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz234567ABCDEF0189'.split('')), maxLength: 70 })).map(([p, s]) => p + s),
    );
    fc.assert(
      fc.property(text, (t) => {
        let cid;
        try {
          cid = parseCid(t);
        } catch (err) {
          assert.ok(err instanceof PeerweaveError && err.code === 'INVALID_CID', `refused with ${String(err)}`);
          return;
        }
        const canonical = cidToString(cid);
        assert.equal(cidToString(parseCid(canonical)), canonical);
      }),
      propertyParams(1000),
    );
  });
});

describe('record signing (property)', () => {
  const identity = Identity.generate();
  const unsigned = fc.record<UnsignedRecord>({
    cid: fc.constantFrom(...CIDS),
    name: fc.string({ maxLength: 40 }),
    contentType: fc.constantFrom('text/plain', 'application/octet-stream', 'image/png; q="x"'),
    size: fc.maxSafeNat(),
    blocks: fc.nat({ max: 1_000_000 }),
    keywords: fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 5 }),
    createdMs: fc.nat({ max: 2 ** 45 }),
  });

  it('a signed record verifies; changing any signed field makes it fail', () => {
    fc.assert(
      fc.property(unsigned, fc.constantFrom('name', 'size', 'keywords', 'createdMs', 'contentType', 'signature', 'uploader'), (u, field) => {
        const record = signRecord(u, identity);
        assert.equal(verifyRecord(record), true);
        const changed: { -readonly [K in keyof ObjectRecord]: ObjectRecord[K] } = { ...record };
        if (field === 'name') changed.name = `${record.name}x`;
        if (field === 'size') changed.size = record.size === 0 ? 1 : record.size - 1;
        if (field === 'keywords') changed.keywords = [...record.keywords, 'extra'];
        if (field === 'createdMs') changed.createdMs = record.createdMs + 1;
        if (field === 'contentType') changed.contentType = 'text/html';
        if (field === 'signature') changed.signature = Uint8Array.from(record.signature, (b, i) => (i === 0 ? b ^ 1 : b));
        if (field === 'uploader') changed.uploader = 'ab'.repeat(32);
        assert.equal(verifyRecord(changed), false, `still verifies after changing ${field}`);
      }),
      propertyParams(200),
    );
  });

  it('the canonical signing bytes are deterministic and tell any two different records apart', () => {
    const signable = (u: UnsignedRecord): Parameters<typeof recordSigningBytes>[0] => ({ ...u, uploader: identity.id.toHex(), uploaderKey: identity.publicKey });
    fc.assert(
      fc.property(unsigned, unsigned, (a, b) => {
        const bytesA = Buffer.from(recordSigningBytes(signable(a)));
        assert.deepStrictEqual(Buffer.from(recordSigningBytes(signable({ ...a, keywords: [...a.keywords] }))), bytesA);
        const same = JSON.stringify(a) === JSON.stringify(b);
        assert.equal(bytesA.equals(Buffer.from(recordSigningBytes(signable(b)))), same);
      }),
      propertyParams(500),
    );
  });

  it('verifyRecord never throws and never accepts junk', () => {
    const junk = fc.record({
      cid: fc.anything(),
      name: fc.anything(),
      contentType: fc.anything(),
      size: fc.anything(),
      blocks: fc.anything(),
      keywords: fc.anything(),
      createdMs: fc.anything(),
      uploader: fc.oneof(fc.anything(), fc.constant(identity.id.toHex())),
      uploaderKey: fc.oneof(fc.anything(), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constant(identity.publicKey)),
      signature: fc.oneof(fc.anything(), fc.uint8Array({ minLength: 64, maxLength: 64 })),
    });
    fc.assert(
      fc.property(fc.oneof(junk, fc.anything()), (value) => {
        assert.equal(verifyRecord(value as ObjectRecord), false);
      }),
      propertyParams(1000),
    );
  });
});
