import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCode, MAX_KEYWORD_LENGTH, MAX_KEYWORDS, type ObjectRecord } from '@peerweave/core';
import { Identity } from '@peerweave/identity';
import {
  normaliseKeywords,
  recordSigningBytes,
  signRecord,
  verifyRecord,
  type UnsignedRecord,
} from './record.ts';

const UNSIGNED: UnsignedRecord = {
  cid: 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4',
  name: 'hello.txt',
  contentType: 'text/plain',
  size: 12,
  blocks: 1,
  keywords: ['hello', 'world'],
  createdMs: 1_700_000_000_000,
};

describe('signRecord / verifyRecord', () => {
  const identity = Identity.generate();
  const other = Identity.generate();

  it('signs as the identity: uploader is its node id, the key its public key; the record verifies', () => {
    const record = signRecord(UNSIGNED, identity);
    assert.equal(record.uploader, identity.id.toHex());
    assert.deepEqual(record.uploaderKey, identity.publicKey);
    assert.equal(record.signature.length, 64);
    assert.equal(verifyRecord(record), true);
  });

  const tampered: [string, (r: ObjectRecord) => ObjectRecord][] = [
    ['cid', (r) => ({ ...r, cid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku' })],
    ['name', (r) => ({ ...r, name: 'evil.txt' })],
    ['contentType', (r) => ({ ...r, contentType: 'text/html' })],
    ['size', (r) => ({ ...r, size: 13 })],
    ['blocks', (r) => ({ ...r, blocks: 2 })],
    ['keywords (added)', (r) => ({ ...r, keywords: [...r.keywords, 'spam'] })],
    ['keywords (reordered)', (r) => ({ ...r, keywords: [...r.keywords].reverse() })],
    ['createdMs', (r) => ({ ...r, createdMs: r.createdMs + 1 })],
    ['signature', (r) => ({ ...r, signature: r.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) })],
  ];
  for (const [field, tamper] of tampered) {
    it(`fails when ${field} is changed`, () => {
      assert.equal(verifyRecord(tamper(signRecord(UNSIGNED, identity))), false);
    });
  }

  it('remembers a verified record exactly: every tampered copy of one that verified still fails', () => {
    const record = signRecord(UNSIGNED, identity);
    assert.equal(verifyRecord(record), true);
    assert.equal(verifyRecord({ ...record }), true, 'an equal copy verifies (from memory)');
    for (const [, tamper] of tampered) assert.equal(verifyRecord(tamper(record)), false);
    assert.equal(verifyRecord({ ...record, uploader: other.id.toHex() }), false);
    assert.equal(verifyRecord({ ...record, uploader: other.id.toHex(), uploaderKey: other.publicKey }), false);
    // A bad copy is not remembered as good: asked again, it fails again.
    const bad = tampered[0]![1](record);
    assert.equal(verifyRecord(bad), false);
    assert.equal(verifyRecord(bad), false);
  });

  it('keeps verifying correctly past the memory bound (older records are verified afresh)', () => {
    const records = Array.from({ length: 1100 }, (_, i) => signRecord({ ...UNSIGNED, createdMs: UNSIGNED.createdMs + i }, identity));
    for (const r of records) assert.equal(verifyRecord(r), true);
    for (const r of records) assert.equal(verifyRecord(r), true);
    assert.equal(verifyRecord({ ...records[0]!, size: 99 }), false);
  });

  it('fails when the uploader is not the id of the key', () => {
    const record = signRecord(UNSIGNED, identity);
    assert.equal(verifyRecord({ ...record, uploader: other.id.toHex() }), false);
  });

  it('fails when another key (with its matching id) claims the signature', () => {
    const record = signRecord(UNSIGNED, identity);
    assert.equal(
      verifyRecord({ ...record, uploader: other.id.toHex(), uploaderKey: other.publicKey }),
      false,
    );
  });

  it('fails, never throws, on a malformed record', () => {
    const record = signRecord(UNSIGNED, identity);
    const malformed = [
      { ...record, keywords: 'hello' },
      { ...record, size: -0.5 },
      { ...record, uploaderKey: record.uploaderKey.subarray(0, 31) },
      { ...record, signature: 'nope' },
      { ...record, cid: undefined },
    ] as unknown as ObjectRecord[];
    for (const r of malformed) assert.equal(verifyRecord(r), false);
    assert.equal(verifyRecord(null as unknown as ObjectRecord), false);
  });

  it('signs deterministic bytes: field order of the object does not matter, the context is first', () => {
    const record = signRecord(UNSIGNED, identity);
    const { signature: _signature, ...unsigned } = record;
    const shuffled = Object.fromEntries(Object.entries(unsigned).reverse()) as typeof unsigned;
    assert.deepEqual(recordSigningBytes(shuffled), recordSigningBytes(unsigned));
    assert.match(new TextDecoder().decode(recordSigningBytes(unsigned)), /^peerweave\.object-record\.v1\n\[/);
  });
});

describe('normaliseKeywords', () => {
  const table: [string | readonly string[], string[]][] = [
    ['', []],
    ['  ', []],
    ['Hello', ['hello']],
    ['cats, dogs', ['cats', 'dogs']],
    ['cats,dogs\tbirds\nfish', ['cats', 'dogs', 'birds', 'fish']],
    [',,a,,b,,', ['a', 'b']],
    ['Cat cat CAT', ['cat']],
    [['Rock Music', 'jazz', 'rock'], ['rock', 'music', 'jazz']],
    [['  spaced  ', ''], ['spaced']],
    ['ÉCOLE école', ['école']],
    ['e\u0301cole', ['\u00e9cole']],
    ['日本 音楽', ['日本', '音楽']],
  ];
  for (const [input, expected] of table) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(normaliseKeywords(input), expected);
    });
  }

  it(`accepts ${MAX_KEYWORDS} keywords of ${MAX_KEYWORD_LENGTH} characters`, () => {
    const many = Array.from({ length: MAX_KEYWORDS }, (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(MAX_KEYWORD_LENGTH - 2)}`);
    assert.deepEqual(normaliseKeywords(many), many);
    assert.deepEqual(normaliseKeywords(['é'.repeat(MAX_KEYWORD_LENGTH)]), ['é'.repeat(MAX_KEYWORD_LENGTH)]);
  });

  it('refuses a keyword too long or too many keywords with INVALID_ARGUMENT', () => {
    assert.throws(() => normaliseKeywords('x'.repeat(MAX_KEYWORD_LENGTH + 1)), (err) => errorCode(err) === 'INVALID_ARGUMENT');
    const tooMany = Array.from({ length: MAX_KEYWORDS + 1 }, (_, i) => `k${i}`).join(' ');
    assert.throws(() => normaliseKeywords(tooMany), (err) => errorCode(err) === 'INVALID_ARGUMENT');
    // Duplicates do not count towards the limit.
    assert.equal(normaliseKeywords(Array.from({ length: 200 }, () => 'same')).length, 1);
  });

  it('refuses keywords that are not strings', () => {
    assert.throws(() => normaliseKeywords([1] as unknown as string[]), (err) => errorCode(err) === 'INVALID_ARGUMENT');
  });
});
