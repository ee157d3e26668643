import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError, type PeerweaveError } from '@peerweave/core';
import { MAX_CONTENT_TYPE_LENGTH, MAX_KEYWORD_LENGTH, MAX_KEYWORDS, MAX_NAME_LENGTH } from '../content/content-codec.ts';
import { assertValidPeerRequest, assertValidPeerResponse, isPeerMethod, PEER_METHODS } from '../peer-codec.ts';
import { MAX_ADDRESS_LENGTH } from '../routing/routing-codec.ts';
import {
  isSearchMethod,
  MAX_SEARCH_HOPS,
  QUERY_ID_BYTES,
  SEARCH_CODECS,
  SEARCH_METHODS,
  SEARCH_RPC_NAMES,
} from './search-codec.ts';
import {
  MAX_INDEX_ENTRIES_PER_MESSAGE,
  MAX_QUERY_LENGTH,
  MAX_SEARCH_LIMIT,
  MAX_SEARCH_TTL,
  MAX_SUPERNODES_PER_MESSAGE,
  type SearchMethod,
  type SearchMethods,
} from './search-messages.ts';
import { searchServiceDefinition } from './search-service.ts';
import { bytes, cid, ENTRY, HIT, NODE_A, NODE_B, ORIGIN, QUERY, QUERY_ID, SEARCH_SAMPLES, SUPERNODE } from './search-test-messages.ts';

type Req<M extends SearchMethod> = SearchMethods[M]['request'];
type Res<M extends SearchMethod> = SearchMethods[M]['response'];

// Every case goes through real protobuf bytes, as the loaded service definition (de)serializes.
function definition(method: SearchMethod) {
  const def = searchServiceDefinition()[SEARCH_RPC_NAMES[method]];
  assert.ok(def, method);
  return def;
}

function wireRequest<M extends SearchMethod>(method: M, request: Req<M>): Req<M> {
  const def = definition(method);
  const codec = SEARCH_CODECS[method];
  return codec.decodeRequest(def.requestDeserialize(def.requestSerialize(codec.encodeRequest(request) as never)) as never);
}

function wireResponse<M extends SearchMethod>(method: M, response: Res<M>): Res<M> {
  const def = definition(method);
  const codec = SEARCH_CODECS[method];
  return codec.decodeResponse(def.responseDeserialize(def.responseSerialize(codec.encodeResponse(response) as never)) as never);
}

/** Decodes a raw wire object (as a peer might send it) as `method`'s request. */
function rawRequest(method: SearchMethod, message: unknown): unknown {
  const def = definition(method);
  return SEARCH_CODECS[method].decodeRequest(def.requestDeserialize(def.requestSerialize(message as never)) as never);
}

/** Decodes a raw wire object as `method`'s response. */
function rawResponse(method: SearchMethod, message: unknown): unknown {
  const def = definition(method);
  return SEARCH_CODECS[method].decodeResponse(def.responseDeserialize(def.responseSerialize(message as never)) as never);
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
const wireOrigin = { id: id(ORIGIN.id), address: ORIGIN.address };
const wireQuery = {
  ...QUERY,
  queryId: id(QUERY_ID),
  mode: 'SEARCH_MODE_FLOOD',
  origin: wireOrigin,
  from: id(QUERY.from),
};
const wireHit = { ...HIT, holder: id(HIT.holder) };
const wireHits = { queryId: id(QUERY_ID), responder: id(NODE_B), hits: [wireHit] };
const wirePublish = { leaf: id(NODE_A), full: false, upserts: [ENTRY], removed: [] };

describe('search codec: round trips through protobuf', () => {
  for (const method of SEARCH_METHODS) {
    it(`${method}: request and response come back equal`, () => {
      const { request, response } = SEARCH_SAMPLES[method];
      assert.deepEqual(wireRequest(method, request as never), request);
      assert.deepEqual(wireResponse(method, response as never), response);
    });
  }

  it('both modes travel', () => {
    for (const mode of ['flood', 'supernode'] as const) assert.equal(wireRequest('query', { ...QUERY, mode }).mode, mode);
  });

  it('a TTL above MAX_SEARCH_TTL is accepted as it is: the receiver cuts it, the codec does not', () => {
    assert.ok(1000 > MAX_SEARCH_TTL);
    assert.equal(wireRequest('query', { ...QUERY, ttl: 1000 }).ttl, 1000);
    assert.equal((rawRequest('query', { ...wireQuery, ttl: 1000 }) as Req<'query'>).ttl, 1000);
    assert.equal(wireRequest('query', { ...QUERY, ttl: 0xffff_ffff }).ttl, 0xffff_ffff);
    assert.equal(wireRequest('query', { ...QUERY, ttl: 0 }).ttl, 0);
  });

  it('sends only protocol fields, whatever else the objects carry', () => {
    const decoded = wireRequest('query', { ...QUERY, origin: { ...ORIGIN, role: 'peer' } as never, extra: 1 } as never);
    assert.deepEqual(decoded, QUERY);
    const hits = wireRequest('hits', { ...SEARCH_SAMPLES.hits.request, hits: [{ ...HIT, rank: 3 } as never] });
    assert.deepEqual(hits.hits, [HIT]);
  });

  it('accepts every limit exactly', () => {
    const text = 'q'.repeat(MAX_QUERY_LENGTH);
    const query = { ...QUERY, text, hops: MAX_SEARCH_HOPS, limit: MAX_SEARCH_LIMIT, origin: { ...ORIGIN, address: 'x'.repeat(MAX_ADDRESS_LENGTH) } };
    assert.deepEqual(wireRequest('query', query), query);
    assert.equal(wireRequest('query', { ...QUERY, limit: 1 }).limit, 1);
    const big = {
      ...HIT,
      name: 'n'.repeat(MAX_NAME_LENGTH),
      contentType: 't'.repeat(MAX_CONTENT_TYPE_LENGTH),
      keywords: Array.from({ length: MAX_KEYWORDS }, () => 'k'.repeat(MAX_KEYWORD_LENGTH)),
      size: Number.MAX_SAFE_INTEGER,
      score: -Number.MAX_VALUE,
    };
    const hits = Array.from({ length: MAX_SEARCH_LIMIT }, () => big);
    assert.deepEqual(wireRequest('hits', { queryId: QUERY_ID, responder: NODE_A, hits }).hits, hits);
    const upserts = Array.from({ length: MAX_INDEX_ENTRIES_PER_MESSAGE }, (_, i) => ({ ...ENTRY, cid: cid(i) }));
    const removed = upserts.map((e) => e.cid);
    const publish = wireRequest('publish', { leaf: NODE_A, full: true, upserts, removed });
    assert.equal(publish.upserts.length, MAX_INDEX_ENTRIES_PER_MESSAGE);
    assert.equal(publish.removed.length, MAX_INDEX_ENTRIES_PER_MESSAGE);
    const supernodes = Array.from({ length: MAX_SUPERNODES_PER_MESSAGE }, () => SUPERNODE);
    const load = { supernode: false, leaves: Number.MAX_SAFE_INTEGER, entries: 0, supernodes };
    assert.deepEqual(wireResponse('searchLoad', load), load);
  });

  it('the search methods are peer methods, checked by the shared validation', () => {
    assert.ok(SEARCH_METHODS.every((m) => isSearchMethod(m) && isPeerMethod(m) && PEER_METHODS.includes(m)));
    assert.equal(isSearchMethod('ping'), false);
    assert.equal(isSearchMethod('toString'), false);
    for (const method of SEARCH_METHODS) {
      assertValidPeerRequest(method, SEARCH_SAMPLES[method].request);
      assertValidPeerResponse(method, SEARCH_SAMPLES[method].response);
    }
    assert.throws(() => assertValidPeerRequest('query', { ...QUERY, text: '' }), isInvalidArgument('text'));
  });
});

describe('search codec: what arrives is validated', () => {
  it('query text that is empty, only white space, or too long', () => {
    for (const text of ['', ' ', ' \t\n ']) {
      assert.throws(() => rawRequest('query', { ...wireQuery, text }), isInvalidArgument('text'), JSON.stringify(text));
    }
    assert.throws(() => rawRequest('query', { ...wireQuery, text: 'q'.repeat(MAX_QUERY_LENGTH + 1) }), isInvalidArgument('text'));
  });

  it(`a query id that is not ${QUERY_ID_BYTES} bytes, in Query and in Hits`, () => {
    for (const n of [0, QUERY_ID_BYTES - 1, QUERY_ID_BYTES + 1, 32]) {
      assert.throws(() => rawRequest('query', { ...wireQuery, queryId: bytes(n) }), isInvalidArgument('queryId'), `${n} bytes`);
      assert.throws(() => rawRequest('hits', { ...wireHits, queryId: bytes(n) }), isInvalidArgument('queryId'), `${n} bytes`);
    }
  });

  it('more hits than MAX_SEARCH_LIMIT', () => {
    const hits = Array.from({ length: MAX_SEARCH_LIMIT + 1 }, () => wireHit);
    assert.throws(() => rawRequest('hits', { ...wireHits, hits }), isInvalidArgument('hits'));
  });

  it('a CID that is not one: in a hit, an index entry, a removal', () => {
    assert.throws(() => rawRequest('hits', { ...wireHits, hits: [wireHit, { ...wireHit, cid: 'a b' }] }), isInvalidArgument('hits[1].cid'));
    assert.throws(() => rawRequest('hits', { ...wireHits, hits: [{ ...wireHit, cid: '' }] }), isInvalidArgument('hits[0].cid'));
    assert.throws(() => rawRequest('publish', { ...wirePublish, upserts: [{ ...ENTRY, cid: '../x' }] }), isInvalidArgument('upserts[0].cid'));
    assert.throws(() => rawRequest('publish', { ...wirePublish, removed: [cid(1), cid(2), '?'] }), isInvalidArgument('removed[2]'));
  });

  it('a hit whose name, content type or keywords are too long, too many keywords, a size beyond 2^53', () => {
    const hit = (fields: object) => () => rawRequest('hits', { ...wireHits, hits: [{ ...wireHit, ...fields }] });
    assert.throws(hit({ name: 'n'.repeat(MAX_NAME_LENGTH + 1) }), isInvalidArgument('hits[0].name'));
    assert.throws(hit({ contentType: 't'.repeat(MAX_CONTENT_TYPE_LENGTH + 1) }), isInvalidArgument('hits[0].contentType'));
    assert.throws(hit({ keywords: Array.from({ length: MAX_KEYWORDS + 1 }, () => 'k') }), isInvalidArgument('hits[0].keywords'));
    assert.throws(hit({ keywords: ['ok', 'k'.repeat(MAX_KEYWORD_LENGTH + 1)] }), isInvalidArgument('hits[0].keywords[1]'));
    assert.throws(hit({ size: '18446744073709551615' }), isInvalidArgument('hits[0].size'));
    const entry = (fields: object) => () => rawRequest('publish', { ...wirePublish, upserts: [ENTRY, { ...ENTRY, ...fields }] });
    assert.throws(entry({ name: 'n'.repeat(MAX_NAME_LENGTH + 1) }), isInvalidArgument('upserts[1].name'));
    assert.throws(entry({ keywords: ['k'.repeat(MAX_KEYWORD_LENGTH + 1)] }), isInvalidArgument('upserts[1].keywords[0]'));
  });

  it('a score that is not finite', () => {
    for (const score of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      assert.throws(() => rawRequest('hits', { ...wireHits, hits: [{ ...wireHit, score }] }), isInvalidArgument('hits[0].score'), String(score));
    }
  });

  it('hops above 255, a limit of 0 or above MAX_SEARCH_LIMIT', () => {
    assert.throws(() => rawRequest('query', { ...wireQuery, hops: MAX_SEARCH_HOPS + 1 }), isInvalidArgument('hops'));
    assert.throws(() => rawRequest('query', { ...wireQuery, limit: 0 }), isInvalidArgument('limit'));
    assert.throws(() => rawRequest('query', { ...wireQuery, limit: MAX_SEARCH_LIMIT + 1 }), isInvalidArgument('limit'));
  });

  it('an unknown or UNSPECIFIED search mode', () => {
    assert.throws(() => rawRequest('query', { ...wireQuery, mode: 'SEARCH_MODE_UNSPECIFIED' }), isInvalidArgument('mode'));
    assert.throws(() => rawRequest('query', { ...wireQuery, mode: 0 }), isInvalidArgument('mode'));
    assert.throws(() => rawRequest('query', { ...wireQuery, mode: 9 }), isInvalidArgument('mode'));
  });

  it('ids that are not 32 bytes: origin, from, responder, holder, leaf, a supernode', () => {
    assert.throws(() => rawRequest('query', { ...wireQuery, origin: { ...wireOrigin, id: bytes(31) } }), isInvalidArgument('origin.id'));
    assert.throws(() => rawRequest('query', { ...wireQuery, from: bytes(0) }), isInvalidArgument('from'));
    assert.throws(() => rawRequest('hits', { ...wireHits, responder: bytes(33) }), isInvalidArgument('responder'));
    assert.throws(() => rawRequest('hits', { ...wireHits, hits: [{ ...wireHit, holder: bytes(16) }] }), isInvalidArgument('hits[0].holder'));
    assert.throws(() => rawRequest('attach', { leaf: { ...wireOrigin, id: bytes(0) } }), isInvalidArgument('leaf.id'));
    assert.throws(() => rawRequest('publish', { ...wirePublish, leaf: bytes(31) }), isInvalidArgument('leaf'));
    assert.throws(() => rawRequest('searchLoad', { from: bytes(1) }), isInvalidArgument('from'));
    assert.throws(() => rawRequest('searchLoad', { from: id(NODE_B), supernode: wireOrigin }), isInvalidArgument('supernode.id'));
    assert.throws(() => rawRequest('searchLoad', { from: id(ORIGIN.id), supernode: { ...wireOrigin, address: '' } }), isInvalidArgument('supernode.address'));
    assert.deepEqual(rawRequest('searchLoad', { from: id(ORIGIN.id) }), { from: ORIGIN.id }, 'no supernode: an old peer, or a caller that is none');
    assert.throws(
      () => rawResponse('searchLoad', { supernodes: [wireOrigin, { ...wireOrigin, id: bytes(31) }] }),
      isInvalidArgument('supernodes[1].id'),
    );
  });

  it('addresses that are empty or too long', () => {
    assert.throws(() => rawRequest('query', { ...wireQuery, origin: { ...wireOrigin, address: '' } }), isInvalidArgument('origin.address'));
    assert.throws(
      () => rawRequest('attach', { leaf: { ...wireOrigin, address: 'x'.repeat(MAX_ADDRESS_LENGTH + 1) } }),
      isInvalidArgument('leaf.address'),
    );
    assert.throws(() => rawResponse('searchLoad', { supernodes: [{ ...wireOrigin, address: '' }] }), isInvalidArgument('supernodes[0].address'));
  });

  it('a missing origin or leaf', () => {
    assert.throws(() => rawRequest('query', { ...wireQuery, origin: undefined }), isInvalidArgument('origin'));
    assert.throws(() => rawRequest('attach', {}), isInvalidArgument('leaf'));
  });

  it('more index entries, removals or supernodes than a message may carry', () => {
    const upserts = Array.from({ length: MAX_INDEX_ENTRIES_PER_MESSAGE + 1 }, () => ENTRY);
    assert.throws(() => rawRequest('publish', { ...wirePublish, upserts }), isInvalidArgument('upserts'));
    const removed = Array.from({ length: MAX_INDEX_ENTRIES_PER_MESSAGE + 1 }, (_, i) => cid(i));
    assert.throws(() => rawRequest('publish', { ...wirePublish, removed }), isInvalidArgument('removed'));
    const supernodes = Array.from({ length: MAX_SUPERNODES_PER_MESSAGE + 1 }, () => wireOrigin);
    assert.throws(() => rawResponse('searchLoad', { supernodes }), isInvalidArgument('supernodes'));
  });

  it('counts beyond 2^53', () => {
    const huge = '18446744073709551615';
    assert.throws(() => rawResponse('attach', { accepted: true, leaves: huge }), isInvalidArgument('leaves'));
    assert.throws(() => rawResponse('searchLoad', { leaves: huge }), isInvalidArgument('leaves'));
    assert.throws(() => rawResponse('searchLoad', { entries: huge }), isInvalidArgument('entries'));
  });
});

describe('search codec: what we send is validated too', () => {
  it('refuses our own malformed messages before they leave', () => {
    const { hits, publish } = SEARCH_SAMPLES;
    const query = (fields: object) => () => assertValidPeerRequest('query', { ...QUERY, ...fields });
    assert.throws(query({ queryId: QUERY_ID.toUpperCase() }), isInvalidArgument('queryId'));
    assert.throws(query({ queryId: QUERY_ID.slice(2) }), isInvalidArgument('queryId'));
    assert.throws(query({ queryId: NODE_A }), isInvalidArgument('queryId'));
    assert.throws(query({ text: '   ' }), isInvalidArgument('text'));
    assert.throws(query({ text: 'q'.repeat(MAX_QUERY_LENGTH + 1) }), isInvalidArgument('text'));
    assert.throws(query({ text: undefined }), isInvalidArgument('text'));
    assert.throws(query({ ttl: -1 }), isInvalidArgument('ttl'));
    assert.throws(query({ ttl: 0x1_0000_0000 }), isInvalidArgument('ttl'));
    assert.throws(query({ ttl: 1.5 }), isInvalidArgument('ttl'));
    assert.throws(query({ hops: -1 }), isInvalidArgument('hops'));
    assert.throws(query({ limit: 2.5 }), isInvalidArgument('limit'));
    assert.throws(query({ mode: 'gossip' }), isInvalidArgument('mode'));
    assert.throws(query({ mode: 'toString' }), isInvalidArgument('mode'));
    assert.throws(query({ origin: null }), isInvalidArgument('origin'));
    assert.throws(query({ origin: { ...ORIGIN, id: '' } }), isInvalidArgument('origin.id'));
    assert.throws(query({ from: 'AB'.repeat(32) }), isInvalidArgument('from'));
    assert.throws(
      () => assertValidPeerRequest('hits', { ...hits.request, hits: [{ ...HIT, score: Number.POSITIVE_INFINITY }] }),
      isInvalidArgument('hits[0].score'),
    );
    assert.throws(() => assertValidPeerRequest('hits', { ...hits.request, hits: [{ ...HIT, size: -1 }] }), isInvalidArgument('hits[0].size'));
    assert.throws(() => assertValidPeerRequest('publish', { ...publish.request, full: 'yes' as never }), isInvalidArgument('full'));
    assert.throws(() => assertValidPeerRequest('publish', { ...publish.request, upserts: [null as never] }), isInvalidArgument('upserts[0]'));
    assert.throws(() => assertValidPeerResponse('query', { accepted: 1 as never }), isInvalidArgument('accepted'));
    assert.throws(() => assertValidPeerResponse('hits', { wanted: undefined as never }), isInvalidArgument('wanted'));
    assert.throws(() => assertValidPeerResponse('attach', { accepted: true, leaves: -1 }), isInvalidArgument('leaves'));
    assert.throws(
      () => assertValidPeerResponse('searchLoad', { ...SEARCH_SAMPLES.searchLoad.response, entries: 0.5 }),
      isInvalidArgument('entries'),
    );
  });
});
