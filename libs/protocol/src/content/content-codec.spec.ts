import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError, type PeerweaveError } from '@peerweave/core';
import {
  CONTENT_CODECS,
  CONTENT_METHODS,
  CONTENT_RPC_NAMES,
  MAX_BLOCK_BYTES,
  MAX_CID_LENGTH,
  MAX_CIDS_PER_MESSAGE,
  MAX_CONTENT_TYPE_LENGTH,
  MAX_KEYWORD_LENGTH,
  MAX_KEYWORDS,
  MAX_NAME_LENGTH,
  MAX_PROVIDERS_PER_MESSAGE,
  MAX_ROOTS_PER_BLOCK,
  MAX_SYNC_KEYS,
  MAX_SYNC_RANGES,
  MAX_SYNC_TOMBSTONES,
} from './content-codec.ts';
import type { ContentMethod, ContentMethods } from './content-messages.ts';
import { contentServiceDefinition } from './content-service.ts';
import { bytes, cid, CONTENT_SAMPLES, GET_RECORD_VARIANTS, NODE_A, PROVIDERS, RECORD, TOMBSTONE } from './content-test-messages.ts';
import { assertValidPeerRequest, assertValidPeerResponse, isPeerMethod, PEER_METHODS } from '../peer-codec.ts';
import { MAX_ADDRESS_LENGTH } from '../routing/routing-codec.ts';
import { SEARCH_METHODS } from '../search/search-codec.ts';

type Req<M extends ContentMethod> = ContentMethods[M]['request'];
type Res<M extends ContentMethod> = ContentMethods[M]['response'];

// Every case goes through real protobuf bytes, as the loaded service definition (de)serializes.
function definition(method: ContentMethod) {
  const def = contentServiceDefinition()[CONTENT_RPC_NAMES[method]];
  assert.ok(def, method);
  return def;
}

function wireRequest<M extends ContentMethod>(method: M, request: Req<M>): Req<M> {
  const def = definition(method);
  const codec = CONTENT_CODECS[method];
  return codec.decodeRequest(def.requestDeserialize(def.requestSerialize(codec.encodeRequest(request) as never)) as never);
}

function wireResponse<M extends ContentMethod>(method: M, response: Res<M>): Res<M> {
  const def = definition(method);
  const codec = CONTENT_CODECS[method];
  return codec.decodeResponse(def.responseDeserialize(def.responseSerialize(codec.encodeResponse(response) as never)) as never);
}

/** Decodes a raw wire object (as a peer might send it) as `method`'s request. */
function rawRequest(method: ContentMethod, message: unknown): unknown {
  const def = definition(method);
  return CONTENT_CODECS[method].decodeRequest(def.requestDeserialize(def.requestSerialize(message as never)) as never);
}

/** Decodes a raw wire object as `method`'s response. */
function rawResponse(method: ContentMethod, message: unknown): unknown {
  const def = definition(method);
  return CONTENT_CODECS[method].decodeResponse(def.responseDeserialize(def.responseSerialize(message as never)) as never);
}

function isInvalidArgument(field: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(err)}`);
    assert.equal((err as PeerweaveError).code, 'INVALID_ARGUMENT');
    assert.equal((err as PeerweaveError).details?.['field'], field, err.message);
    return true;
  };
}

const id = (hex: string) => Buffer.from(hex, 'hex');
const wireRecord = {
  ...RECORD,
  uploader: id(RECORD.uploader),
};
const wireTombstone = { ...TOMBSTONE, by: id(TOMBSTONE.by) };
const wireProvider = { ...PROVIDERS[0]!, id: id(PROVIDERS[0]!.id) };
const wireAddProvider = { ...CONTENT_SAMPLES.addProvider.request, id: id(NODE_A) };

describe('content codec: round trips through protobuf', () => {
  for (const method of CONTENT_METHODS) {
    it(`${method}: request and response come back equal`, () => {
      const { request, response } = CONTENT_SAMPLES[method];
      assert.deepEqual(wireRequest(method, request as never), request);
      assert.deepEqual(wireResponse(method, response as never), response);
    });
  }

  it('getRecord: nothing, a record alone, a tombstone alone; absent fields have no key', () => {
    for (const response of GET_RECORD_VARIANTS) {
      const decoded = wireResponse('getRecord', response);
      assert.deepEqual(decoded, response);
      assert.deepEqual(Object.keys(decoded).sort(), Object.keys(response).sort());
    }
  });

  it('getRecord asks for the root block only when rootBlockMaxBytes is above 0 (older callers send 0)', () => {
    assert.deepEqual(wireRequest('getRecord', { cid: cid(1), rootBlockMaxBytes: 262_144 }), { cid: cid(1), rootBlockMaxBytes: 262_144 });
    assert.deepEqual(wireRequest('getRecord', { cid: cid(1), rootBlockMaxBytes: 0 }), { cid: cid(1) });
    assert.deepEqual(rawRequest('getRecord', { cid: cid(1) }), { cid: cid(1) });
    for (const bad of [-1, 1.5, 2 ** 32]) {
      assert.throws(() => CONTENT_CODECS.getRecord.encodeRequest({ cid: cid(1), rootBlockMaxBytes: bad }), isInvalidArgument('rootBlockMaxBytes'), String(bad));
    }
  });

  it('getRecord: a root block comes only with a record, never with a tombstone, and is a block at most', () => {
    assert.throws(() => rawResponse('getRecord', { rootBlock: bytes(3) }), isInvalidArgument('rootBlock'));
    assert.throws(() => rawResponse('getRecord', { record: wireRecord, tombstone: CONTENT_CODECS.getRecord.encodeResponse({ tombstone: TOMBSTONE }).tombstone, rootBlock: bytes(3) }), isInvalidArgument('rootBlock'));
    assert.throws(() => CONTENT_CODECS.getRecord.encodeResponse({ tombstone: TOMBSTONE, rootBlock: bytes(3) }), isInvalidArgument('rootBlock'));
    assert.throws(() => rawResponse('getRecord', { record: wireRecord, rootBlock: bytes(MAX_BLOCK_BYTES + 1) }), isInvalidArgument('data'));
  });

  it('a normal replica keeps the empty hintFor, a miss the empty data', () => {
    const put = { ...CONTENT_SAMPLES.putBlock.request, hintFor: '' };
    assert.deepEqual(wireRequest('putBlock', put), put);
    assert.deepEqual(wireResponse('getBlock', { found: false, data: bytes(0) }), { found: false, data: bytes(0) });
  });

  it('sends only protocol fields, whatever else the objects carry', () => {
    const decoded = wireRequest('putRecord', { record: { ...RECORD, verified: true } as never });
    assert.deepEqual(decoded, { record: RECORD });
  });

  it('accepts every limit exactly', () => {
    const longCid = 'b'.repeat(MAX_CID_LENGTH);
    const block = bytes(MAX_BLOCK_BYTES);
    const put = { cid: longCid, data: block, roots: Array.from({ length: MAX_ROOTS_PER_BLOCK }, (_, i) => cid(i)), hintFor: '' };
    const decoded = wireRequest('putBlock', put);
    assert.equal(decoded.cid, longCid);
    assert.equal(decoded.data.length, MAX_BLOCK_BYTES);
    assert.equal(decoded.roots.length, MAX_ROOTS_PER_BLOCK);
    const cids = Array.from({ length: MAX_CIDS_PER_MESSAGE }, (_, i) => cid(i));
    assert.equal(wireRequest('hasBlocks', { cids }).cids.length, MAX_CIDS_PER_MESSAGE);
    const record = {
      ...RECORD,
      name: 'n'.repeat(MAX_NAME_LENGTH),
      contentType: 't'.repeat(MAX_CONTENT_TYPE_LENGTH),
      keywords: Array.from({ length: MAX_KEYWORDS }, () => 'k'.repeat(MAX_KEYWORD_LENGTH)),
      size: Number.MAX_SAFE_INTEGER,
    };
    assert.deepEqual(wireRequest('putRecord', { record }), { record });
    const prefixes = Array.from({ length: MAX_SYNC_RANGES }, (_, i) => i);
    assert.deepEqual(wireRequest('syncKeys', { from: NODE_A, prefixes }).prefixes, prefixes);
    const digests = prefixes.map((prefix) => ({ prefix, count: 1, hash: bytes(32) }));
    assert.equal(wireResponse('syncDigest', { digests }).digests.length, MAX_SYNC_RANGES);
    const keys = Array.from({ length: MAX_SYNC_KEYS }, (_, i) => cid(i));
    const tombstones = Array.from({ length: MAX_SYNC_TOMBSTONES }, () => TOMBSTONE);
    const sync = wireResponse('syncKeys', { keys, tombstones });
    assert.equal(sync.keys.length, MAX_SYNC_KEYS);
    assert.equal(sync.tombstones.length, MAX_SYNC_TOMBSTONES);
  });

  it('the content methods are peer methods, checked by the shared validation', () => {
    assert.ok(CONTENT_METHODS.every((m) => isPeerMethod(m) && PEER_METHODS.includes(m)));
    assert.equal(PEER_METHODS.length, 4 + CONTENT_METHODS.length + SEARCH_METHODS.length);
    for (const method of CONTENT_METHODS) {
      assertValidPeerRequest(method, CONTENT_SAMPLES[method].request);
      assertValidPeerResponse(method, CONTENT_SAMPLES[method].response);
    }
    assert.throws(() => assertValidPeerRequest('getBlock', { cid: '' }), isInvalidArgument('cid'));
  });
});

describe('content codec: what arrives is validated', () => {
  it('a CID that is empty, too long, or not letters and digits', () => {
    assert.throws(() => rawRequest('getBlock', { cid: '' }), isInvalidArgument('cid'));
    assert.throws(() => rawRequest('getBlock', { cid: 'b'.repeat(MAX_CID_LENGTH + 1) }), isInvalidArgument('cid'));
    for (const bad of ['bafy/../etc', 'bafy qq', 'bafy-1', 'bafyé', 'bafy\n']) {
      assert.throws(() => rawRequest('getRecord', { cid: bad }), isInvalidArgument('cid'), bad);
    }
    assert.throws(() => rawRequest('hasBlocks', { cids: [cid(1), 'x!'] }), isInvalidArgument('cids[1]'));
    assert.throws(() => rawRequest('putBlock', { cid: cid(1), roots: [''] }), isInvalidArgument('roots[0]'));
    assert.throws(() => rawResponse('syncKeys', { keys: [cid(1), cid(2), '?'] }), isInvalidArgument('keys[2]'));
    assert.throws(() => rawRequest('putTombstone', { tombstone: { ...wireTombstone, cid: '' } }), isInvalidArgument('tombstone.cid'));
    assert.throws(() => rawRequest('putRecord', { record: { ...wireRecord, cid: 'a b' } }), isInvalidArgument('record.cid'));
  });

  it('a block above MAX_BLOCK_BYTES, in PutBlock and in GetBlock', () => {
    const data = bytes(MAX_BLOCK_BYTES + 1);
    assert.throws(() => rawRequest('putBlock', { cid: cid(1), data }), isInvalidArgument('data'));
    assert.throws(() => rawResponse('getBlock', { found: true, data }), isInvalidArgument('data'));
  });

  it('data with a block that was not found', () => {
    assert.throws(() => rawResponse('getBlock', { found: false, data: bytes(1) }), isInvalidArgument('data'));
  });

  it('more CIDs than MAX_CIDS_PER_MESSAGE, flags too', () => {
    const cids = Array.from({ length: MAX_CIDS_PER_MESSAGE + 1 }, (_, i) => cid(i));
    assert.throws(() => rawRequest('hasBlocks', { cids }), isInvalidArgument('cids'));
    assert.throws(() => rawResponse('hasBlocks', { have: cids.map(() => true) }), isInvalidArgument('have'));
  });

  it('more roots than MAX_ROOTS_PER_BLOCK', () => {
    const roots = Array.from({ length: MAX_ROOTS_PER_BLOCK + 1 }, (_, i) => cid(i));
    assert.throws(() => rawRequest('putBlock', { cid: cid(1), roots }), isInvalidArgument('roots'));
  });

  it('more keys than MAX_SYNC_KEYS, more tombstones than MAX_SYNC_TOMBSTONES', () => {
    const keys = Array.from({ length: MAX_SYNC_KEYS + 1 }, (_, i) => cid(i));
    assert.throws(() => rawResponse('syncKeys', { keys }), isInvalidArgument('keys'));
    const tombstones = Array.from({ length: MAX_SYNC_TOMBSTONES + 1 }, () => wireTombstone);
    assert.throws(() => rawResponse('syncKeys', { tombstones }), isInvalidArgument('tombstones'));
  });

  it('a prefix above 255, in a digest and in SyncKeys', () => {
    const from = id(NODE_A);
    assert.throws(() => rawRequest('syncKeys', { from, prefixes: [0, 256] }), isInvalidArgument('prefixes[1]'));
    assert.throws(() => rawRequest('syncKeys', { from, prefixes: [4294967295] }), isInvalidArgument('prefixes[0]'));
    assert.throws(
      () => rawRequest('syncDigest', { from, digests: [{ prefix: 300, count: 0 }] }),
      isInvalidArgument('digests[0].prefix'),
    );
  });

  it('more than 256 digests or prefixes', () => {
    const from = id(NODE_A);
    const prefixes = Array.from({ length: MAX_SYNC_RANGES + 1 }, (_, i) => i % 256);
    assert.throws(() => rawRequest('syncKeys', { from, prefixes }), isInvalidArgument('prefixes'));
    const digests = prefixes.map((prefix) => ({ prefix, count: 0 }));
    assert.throws(() => rawRequest('syncDigest', { from, digests }), isInvalidArgument('digests'));
    assert.throws(() => rawResponse('syncDigest', { digests }), isInvalidArgument('digests'));
  });

  it('a digest hash that is not 32 bytes when count > 0, or not empty when count is 0', () => {
    const from = id(NODE_A);
    for (const hash of [bytes(0), bytes(31), bytes(33)]) {
      assert.throws(
        () => rawRequest('syncDigest', { from, digests: [{ prefix: 1, count: 2, hash }] }),
        isInvalidArgument('digests[0].hash'),
        `${hash.length} bytes`,
      );
    }
    assert.throws(
      () => rawResponse('syncDigest', { digests: [{ prefix: 1, count: 0, hash: bytes(32) }] }),
      isInvalidArgument('digests[0].hash'),
    );
  });

  it('ids that are not 32 bytes: hintFor (or empty), from, uploader, by', () => {
    assert.throws(() => rawRequest('putBlock', { cid: cid(1), hintFor: bytes(31) }), isInvalidArgument('hintFor'));
    assert.throws(() => rawRequest('syncDigest', { from: bytes(0) }), isInvalidArgument('from'));
    assert.throws(() => rawRequest('syncKeys', { from: bytes(33) }), isInvalidArgument('from'));
    assert.throws(() => rawRequest('putRecord', { record: { ...wireRecord, uploader: bytes(0) } }), isInvalidArgument('record.uploader'));
    assert.throws(() => rawRequest('putTombstone', { tombstone: { ...wireTombstone, by: bytes(31) } }), isInvalidArgument('tombstone.by'));
    assert.throws(
      () => rawResponse('syncKeys', { tombstones: [wireTombstone, { ...wireTombstone, by: bytes(0) }] }),
      isInvalidArgument('tombstones[1].by'),
    );
  });

  it('an uploader key that is not 32 bytes', () => {
    for (const n of [0, 31, 33]) {
      assert.throws(
        () => rawRequest('putRecord', { record: { ...wireRecord, uploaderKey: bytes(n) } }),
        isInvalidArgument('record.uploaderKey'),
      );
    }
  });

  it('a signature that is not 64 bytes', () => {
    for (const n of [0, 63, 65]) {
      assert.throws(
        () => rawResponse('getRecord', { record: { ...wireRecord, signature: bytes(n) } }),
        isInvalidArgument('record.signature'),
      );
    }
  });

  it('a name, content type or keyword too long, too many keywords', () => {
    const put = (record: object) => () => rawRequest('putRecord', { record: { ...wireRecord, ...record } });
    assert.throws(put({ name: 'n'.repeat(MAX_NAME_LENGTH + 1) }), isInvalidArgument('record.name'));
    assert.throws(put({ contentType: 't'.repeat(MAX_CONTENT_TYPE_LENGTH + 1) }), isInvalidArgument('record.contentType'));
    assert.throws(put({ keywords: Array.from({ length: MAX_KEYWORDS + 1 }, () => 'k') }), isInvalidArgument('record.keywords'));
    assert.throws(put({ keywords: ['ok', 'k'.repeat(MAX_KEYWORD_LENGTH + 1)] }), isInvalidArgument('record.keywords[1]'));
  });

  it('sizes, counts and times beyond 2^53', () => {
    const huge = '18446744073709551615';
    const put = (record: object) => () => rawRequest('putRecord', { record: { ...wireRecord, ...record } });
    assert.throws(put({ size: huge }), isInvalidArgument('record.size'));
    assert.throws(put({ blocks: huge }), isInvalidArgument('record.blocks'));
    assert.throws(put({ createdMs: huge }), isInvalidArgument('record.createdMs'));
    assert.throws(
      () => rawRequest('putTombstone', { tombstone: { ...wireTombstone, deletedMs: huge } }),
      isInvalidArgument('tombstone.deletedMs'),
    );
    assert.throws(
      () => rawResponse('syncDigest', { digests: [{ prefix: 0, count: huge, hash: bytes(32) }] }),
      isInvalidArgument('digests[0].count'),
    );
  });

  it('a missing record or tombstone', () => {
    assert.throws(() => rawRequest('putRecord', {}), isInvalidArgument('record'));
    assert.throws(() => rawRequest('putTombstone', {}), isInvalidArgument('tombstone'));
  });
});

describe('content codec: what we send is validated too', () => {
  it('refuses our own malformed messages before they leave', () => {
    const { putBlock, putRecord, syncDigest } = CONTENT_SAMPLES;
    assert.throws(() => assertValidPeerRequest('putBlock', { ...putBlock.request, hintFor: 'AB'.repeat(32) }), isInvalidArgument('hintFor'));
    assert.throws(() => assertValidPeerRequest('putBlock', { ...putBlock.request, data: 'AAAA' as never }), isInvalidArgument('data'));
    assert.throws(() => assertValidPeerRequest('putBlock', { ...putBlock.request, data: bytes(MAX_BLOCK_BYTES + 1) }), isInvalidArgument('data'));
    assert.throws(() => assertValidPeerRequest('putRecord', { record: { ...RECORD, size: -1 } }), isInvalidArgument('record.size'));
    assert.throws(() => assertValidPeerRequest('putRecord', { record: { ...RECORD, blocks: 2.5 } }), isInvalidArgument('record.blocks'));
    assert.throws(() => assertValidPeerRequest('putRecord', { record: { ...RECORD, createdMs: Number.NaN } }), isInvalidArgument('record.createdMs'));
    assert.throws(() => assertValidPeerRequest('putRecord', { record: { ...RECORD, uploader: '' } }), isInvalidArgument('record.uploader'));
    assert.throws(() => assertValidPeerRequest('putRecord', { ...putRecord.request, record: undefined as never }), isInvalidArgument('record'));
    assert.throws(() => assertValidPeerRequest('putTombstone', { tombstone: { ...TOMBSTONE, by: '' } }), isInvalidArgument('tombstone.by'));
    assert.throws(() => assertValidPeerRequest('syncDigest', { ...syncDigest.request, from: '' }), isInvalidArgument('from'));
    assert.throws(() => assertValidPeerRequest('syncKeys', { from: NODE_A, prefixes: [1.5] }), isInvalidArgument('prefixes[0]'));
    assert.throws(() => assertValidPeerResponse('hasBlocks', { have: [true, 1 as never] }), isInvalidArgument('have[1]'));
    assert.throws(() => assertValidPeerResponse('getBlock', { found: 'yes' as never, data: bytes(0) }), isInvalidArgument('found'));
    assert.throws(() => assertValidPeerResponse('putBlock', { stored: undefined as never }), isInvalidArgument('stored'));
    assert.throws(
      () => assertValidPeerResponse('syncDigest', { digests: [{ prefix: -1, count: 0, hash: bytes(0) }] }),
      isInvalidArgument('digests[0].prefix'),
    );
  });
});

describe('content codec: provider records', () => {
  it('accepts every limit exactly', () => {
    const cids = Array.from({ length: MAX_CIDS_PER_MESSAGE }, (_, i) => cid(i));
    const request = { cids, id: NODE_A, address: 'x'.repeat(MAX_ADDRESS_LENGTH), ttlMs: Number.MAX_SAFE_INTEGER };
    assert.deepEqual(wireRequest('addProvider', request), request);
    assert.deepEqual(wireRequest('addProvider', { ...request, cids: [cid(1)], ttlMs: 0 }), { ...request, cids: [cid(1)], ttlMs: 0 });
    assert.deepEqual(wireResponse('addProvider', { accepted: 0 }), { accepted: 0 });
    assert.deepEqual(wireResponse('addProvider', { accepted: MAX_CIDS_PER_MESSAGE }), { accepted: MAX_CIDS_PER_MESSAGE });
    const providers = Array.from({ length: MAX_PROVIDERS_PER_MESSAGE }, (_, i) => ({ ...PROVIDERS[i % 2]!, expiresMs: i }));
    assert.deepEqual(wireResponse('getProviders', { providers }), { providers });
    assert.deepEqual(wireResponse('getProviders', { providers: [] }), { providers: [] });
  });

  it('AddProvider: no CIDs, too many, or one that is not a CID', () => {
    assert.throws(() => rawRequest('addProvider', { ...wireAddProvider, cids: [] }), isInvalidArgument('cids'));
    const cids = Array.from({ length: MAX_CIDS_PER_MESSAGE + 1 }, (_, i) => cid(i));
    assert.throws(() => rawRequest('addProvider', { ...wireAddProvider, cids }), isInvalidArgument('cids'));
    assert.throws(() => rawRequest('addProvider', { ...wireAddProvider, cids: [cid(1), 'no/cid'] }), isInvalidArgument('cids[1]'));
  });

  it('AddProvider: an id that is not 32 bytes, an address empty or too long, a TTL beyond 2^53', () => {
    assert.throws(() => rawRequest('addProvider', { ...wireAddProvider, id: bytes(31) }), isInvalidArgument('id'));
    assert.throws(() => rawRequest('addProvider', { ...wireAddProvider, id: bytes(0) }), isInvalidArgument('id'));
    assert.throws(() => rawRequest('addProvider', { ...wireAddProvider, address: '' }), isInvalidArgument('address'));
    assert.throws(
      () => rawRequest('addProvider', { ...wireAddProvider, address: 'x'.repeat(MAX_ADDRESS_LENGTH + 1) }),
      isInvalidArgument('address'),
    );
    assert.throws(() => rawRequest('addProvider', { ...wireAddProvider, ttlMs: '18446744073709551615' }), isInvalidArgument('ttlMs'));
  });

  it('AddProvider: an answer accepting more CIDs than a request may carry', () => {
    assert.throws(() => rawResponse('addProvider', { accepted: MAX_CIDS_PER_MESSAGE + 1 }), isInvalidArgument('accepted'));
  });

  it('GetProviders: a bad CID, too many providers, a bad id, address or expiry in one', () => {
    assert.throws(() => rawRequest('getProviders', { cid: '' }), isInvalidArgument('cid'));
    const providers = Array.from({ length: MAX_PROVIDERS_PER_MESSAGE + 1 }, () => wireProvider);
    assert.throws(() => rawResponse('getProviders', { providers }), isInvalidArgument('providers'));
    const one = (provider: object) => () => rawResponse('getProviders', { providers: [wireProvider, { ...wireProvider, ...provider }] });
    assert.throws(one({ id: bytes(33) }), isInvalidArgument('providers[1].id'));
    assert.throws(one({ address: '' }), isInvalidArgument('providers[1].address'));
    assert.throws(one({ expiresMs: '18446744073709551615' }), isInvalidArgument('providers[1].expiresMs'));
  });

  it('refuses our own malformed provider messages before they leave', () => {
    const request = CONTENT_SAMPLES.addProvider.request;
    assert.throws(() => assertValidPeerRequest('addProvider', { ...request, cids: [] }), isInvalidArgument('cids'));
    assert.throws(() => assertValidPeerRequest('addProvider', { ...request, id: 'AB'.repeat(32) }), isInvalidArgument('id'));
    assert.throws(() => assertValidPeerRequest('addProvider', { ...request, address: 7 as never }), isInvalidArgument('address'));
    assert.throws(() => assertValidPeerRequest('addProvider', { ...request, ttlMs: -1 }), isInvalidArgument('ttlMs'));
    assert.throws(() => assertValidPeerRequest('addProvider', { ...request, ttlMs: 1.5 }), isInvalidArgument('ttlMs'));
    assert.throws(() => assertValidPeerResponse('addProvider', { accepted: -1 }), isInvalidArgument('accepted'));
    assert.throws(
      () => assertValidPeerResponse('getProviders', { providers: [{ ...PROVIDERS[0]!, expiresMs: Number.NaN }] }),
      isInvalidArgument('providers[0].expiresMs'),
    );
    assert.throws(() => assertValidPeerResponse('getProviders', { providers: [null as never] }), isInvalidArgument('providers[0]'));
  });
});
