/**
 * Domain ⇄ wire mapping of the search protocol (`peerweave.search.v1`), validating both ways, like
 * routing/routing-codec.ts does for routing and content-codec.ts for content.
 *
 * Decoding checks everything a peer sent before the domain sees it (query id and node id lengths,
 * query text, counts, limits, CIDs and the metadata of hits and index entries, addresses, the mode)
 * and throws InvalidArgumentError, which the gRPC edge answers with INVALID_ARGUMENT. Encoding
 * checks our own messages the same way, so a bug shows up at the caller instead of as a refusal by
 * the peer, and only protocol fields go on the wire.
 *
 * What is policy rather than syntax is the receiver's job: a TTL above MAX_SEARCH_TTL is accepted
 * here (any uint32) and cut to it by the node that handles the query, since the protocol says a
 * larger TTL is cut, not refused; so are duplicate query ids, rate limits and whether a leaf is
 * attached.
 */
import { methodGuard, methodsOf, type MethodCodec } from '../method-codec.ts';
import { checkAddress, checkBoolean, checkListLength, decodeId, describeLength, encodeId, invalid } from '../codec-support.ts';
import { checkCid, checkCids, checkCount, checkKeywords, checkText, MAX_CONTENT_TYPE_LENGTH, MAX_NAME_LENGTH } from '../content/content-codec.ts';
import type { AttachRequest as AttachRequestWire, AttachRequest__Output as AttachRequestWireOut } from '../generated/peerweave/search/v1/AttachRequest.ts';
import type { AttachResponse as AttachResponseWire, AttachResponse__Output as AttachResponseWireOut } from '../generated/peerweave/search/v1/AttachResponse.ts';
import type { HitsRequest as HitsRequestWire, HitsRequest__Output as HitsRequestWireOut } from '../generated/peerweave/search/v1/HitsRequest.ts';
import type { HitsResponse as HitsResponseWire, HitsResponse__Output as HitsResponseWireOut } from '../generated/peerweave/search/v1/HitsResponse.ts';
import type { IndexEntry as IndexEntryWire, IndexEntry__Output as IndexEntryWireOut } from '../generated/peerweave/search/v1/IndexEntry.ts';
import type { PublishRequest as PublishRequestWire, PublishRequest__Output as PublishRequestWireOut } from '../generated/peerweave/search/v1/PublishRequest.ts';
import type { PublishResponse as PublishResponseWire, PublishResponse__Output as PublishResponseWireOut } from '../generated/peerweave/search/v1/PublishResponse.ts';
import type { QueryRequest as QueryRequestWire, QueryRequest__Output as QueryRequestWireOut } from '../generated/peerweave/search/v1/QueryRequest.ts';
import type { QueryResponse as QueryResponseWire, QueryResponse__Output as QueryResponseWireOut } from '../generated/peerweave/search/v1/QueryResponse.ts';
import type { SearchHit as SearchHitWire, SearchHit__Output as SearchHitWireOut } from '../generated/peerweave/search/v1/SearchHit.ts';
import type { SearchLoadRequest as SearchLoadRequestWire, SearchLoadRequest__Output as SearchLoadRequestWireOut } from '../generated/peerweave/search/v1/SearchLoadRequest.ts';
import type { SearchLoadResponse as SearchLoadResponseWire, SearchLoadResponse__Output as SearchLoadResponseWireOut } from '../generated/peerweave/search/v1/SearchLoadResponse.ts';
import type { SearchMode as SearchModeWire } from '../generated/peerweave/search/v1/SearchMode.ts';
import type { SearchOrigin as SearchOriginWire, SearchOrigin__Output as SearchOriginWireOut } from '../generated/peerweave/search/v1/SearchOrigin.ts';
import {
  MAX_INDEX_ENTRIES_PER_MESSAGE,
  MAX_QUERY_LENGTH,
  MAX_SEARCH_LIMIT,
  MAX_SUPERNODES_PER_MESSAGE,
  SEARCH_MODES,
  type IndexEntry,
  type SearchHit,
  type SearchMethod,
  type SearchMethods,
  type SearchMode,
  type SearchOrigin,
} from './search-messages.ts';

/** Bytes of a query id on the wire (128 random bits); 32 hex digits in the domain. */
export const QUERY_ID_BYTES = 16;
/** Most hops a query may have travelled (`hops`); a sane bound far above MAX_SEARCH_TTL. */
export const MAX_SEARCH_HOPS = 255;
/** Largest TTL the codec lets through (uint32); receivers cut anything above MAX_SEARCH_TTL. */
const MAX_UINT32 = 0xffff_ffff;

// ----- the method table -------------------------------------------------------------------------

/** The wire types of each method: what is encoded (`…In`) and what the loader decodes (`…Out`). */
export interface SearchWireMethods {
  query: { requestIn: QueryRequestWire; requestOut: QueryRequestWireOut; responseIn: QueryResponseWire; responseOut: QueryResponseWireOut };
  hits: { requestIn: HitsRequestWire; requestOut: HitsRequestWireOut; responseIn: HitsResponseWire; responseOut: HitsResponseWireOut };
  attach: { requestIn: AttachRequestWire; requestOut: AttachRequestWireOut; responseIn: AttachResponseWire; responseOut: AttachResponseWireOut };
  publish: { requestIn: PublishRequestWire; requestOut: PublishRequestWireOut; responseIn: PublishResponseWire; responseOut: PublishResponseWireOut };
  searchLoad: { requestIn: SearchLoadRequestWire; requestOut: SearchLoadRequestWireOut; responseIn: SearchLoadResponseWire; responseOut: SearchLoadResponseWireOut };
}

/** Encoding and decoding of one search method. Every function throws InvalidArgumentError. */
export type SearchMethodCodec<M extends SearchMethod> = MethodCodec<SearchMethods[M], SearchWireMethods[M]>;

/** The gRPC method name (in SearchService) of each search method. Only append. */
export const SEARCH_RPC_NAMES = {
  query: 'Query',
  hits: 'Hits',
  attach: 'Attach',
  publish: 'Publish',
  searchLoad: 'SearchLoad',
} as const satisfies Record<SearchMethod, string>;

export const SEARCH_METHODS = methodsOf<SearchMethod>(SEARCH_RPC_NAMES);

export const isSearchMethod = methodGuard<SearchMethod>(SEARCH_RPC_NAMES);

const query: SearchMethodCodec<'query'> = {
  encodeRequest: (r) => ({
    queryId: encodeQueryId(r.queryId),
    text: checkQueryText(r.text),
    ttl: checkTtl(r.ttl),
    hops: checkHops(r.hops),
    limit: checkLimit(r.limit),
    mode: encodeMode(r.mode),
    origin: encodeOrigin(r.origin, 'origin', -1),
    from: encodeId(r.from, 'from', -1, '', ''),
  }),
  decodeRequest: (m) => ({
    queryId: decodeQueryId(m.queryId),
    text: checkQueryText(m.text),
    ttl: checkTtl(m.ttl),
    hops: checkHops(m.hops),
    limit: checkLimit(m.limit),
    mode: decodeMode(m.mode),
    origin: decodeOrigin(m.origin, 'origin', -1),
    from: decodeId(m.from, 'from', -1, '', ''),
  }),
  encodeResponse: (r) => {
    const ids = r.forwardedTo ?? [];
    checkListLength(ids, MAX_SUPERNODES_PER_MESSAGE, 'forwardedTo');
    return { accepted: checkBoolean(r.accepted, 'accepted'), forwardedTo: ids.map((id, i) => encodeId(id, 'forwardedTo', i, '', '')) };
  },
  decodeResponse: (m) => {
    checkListLength(m.forwardedTo, MAX_SUPERNODES_PER_MESSAGE, 'forwardedTo');
    return { accepted: m.accepted, forwardedTo: m.forwardedTo.map((id, i) => decodeId(id, 'forwardedTo', i, '', '')) };
  },
};

const hits: SearchMethodCodec<'hits'> = {
  encodeRequest: (r) => ({
    queryId: encodeQueryId(r.queryId),
    responder: encodeId(r.responder, 'responder', -1, '', ''),
    hits: encodeHits(r.hits),
  }),
  decodeRequest: (m) => ({
    queryId: decodeQueryId(m.queryId),
    responder: decodeId(m.responder, 'responder', -1, '', ''),
    hits: decodeHits(m.hits),
  }),
  encodeResponse: (r) => ({ wanted: checkBoolean(r.wanted, 'wanted') }),
  decodeResponse: (m) => ({ wanted: m.wanted }),
};

const attach: SearchMethodCodec<'attach'> = {
  encodeRequest: (r) => ({ leaf: encodeOrigin(r.leaf, 'leaf', -1) }),
  decodeRequest: (m) => ({ leaf: decodeOrigin(m.leaf, 'leaf', -1) }),
  encodeResponse: (r) => ({
    accepted: checkBoolean(r.accepted, 'accepted'),
    leaves: checkCount(r.leaves, 'leaves', -1, ''),
  }),
  decodeResponse: (m) => ({ accepted: m.accepted, leaves: checkCount(m.leaves, 'leaves', -1, '') }),
};

const publish: SearchMethodCodec<'publish'> = {
  encodeRequest: (r) => ({
    leaf: encodeId(r.leaf, 'leaf', -1, '', ''),
    full: checkBoolean(r.full, 'full'),
    upserts: encodeEntries(r.upserts),
    removed: checkCids(r.removed, MAX_INDEX_ENTRIES_PER_MESSAGE, 'removed'),
  }),
  decodeRequest: (m) => ({
    leaf: decodeId(m.leaf, 'leaf', -1, '', ''),
    full: m.full,
    upserts: decodeEntries(m.upserts),
    removed: checkCids(m.removed, MAX_INDEX_ENTRIES_PER_MESSAGE, 'removed'),
  }),
  encodeResponse: (r) => ({ accepted: checkBoolean(r.accepted, 'accepted') }),
  decodeResponse: (m) => ({ accepted: m.accepted }),
};

const searchLoad: SearchMethodCodec<'searchLoad'> = {
  encodeRequest: (r) => ({
    from: encodeId(r.from, 'from', -1, '', ''),
    ...(r.supernode === undefined ? {} : { supernode: encodeOrigin(sameId(r.supernode, r.from), 'supernode', -1) }),
  }),
  decodeRequest: (m) => {
    const from = decodeId(m.from, 'from', -1, '', '');
    // proto3 leaves an absent message field null (old peers, callers that are no supernode).
    return m.supernode ? { from, supernode: sameId(decodeOrigin(m.supernode, 'supernode', -1), from) } : { from };
  },
  encodeResponse: (r) => ({
    supernode: checkBoolean(r.supernode, 'supernode'),
    leaves: checkCount(r.leaves, 'leaves', -1, ''),
    entries: checkCount(r.entries, 'entries', -1, ''),
    supernodes: encodeOrigins(r.supernodes),
  }),
  decodeResponse: (m) => ({
    supernode: m.supernode,
    leaves: checkCount(m.leaves, 'leaves', -1, ''),
    entries: checkCount(m.entries, 'entries', -1, ''),
    supernodes: decodeOrigins(m.supernodes),
  }),
};

/** The codec of every search method. */
export const SEARCH_CODECS: { readonly [M in SearchMethod]: SearchMethodCodec<M> } = {
  query,
  hits,
  attach,
  publish,
  searchLoad,
};

// ----- origins, hits, index entries -----------------------------------------------------------------

function encodeOrigin(o: SearchOrigin | null | undefined, field: string, index: number): SearchOriginWire {
  if (o === null || typeof o !== 'object') invalid(field, index, '', 'missing');
  return { id: encodeId(o.id, field, index, ''), address: checkAddress(o.address, field, index, '') };
}

function decodeOrigin(m: SearchOriginWireOut | null | undefined, field: string, index: number): SearchOrigin {
  if (m === null || m === undefined) invalid(field, index, '', 'missing');
  return { id: decodeId(m.id, field, index, ''), address: checkAddress(m.address, field, index, '') };
}

/** A caller announces only itself: the origin's id must be the request's `from`. */
function sameId(o: SearchOrigin, from: string): SearchOrigin {
  if (o !== null && typeof o === 'object' && o.id !== from) invalid('supernode', -1, '.id', 'must equal from (a caller announces only itself)');
  return o;
}

function encodeOrigins(origins: readonly SearchOrigin[]): SearchOriginWire[] {
  checkListLength(origins, MAX_SUPERNODES_PER_MESSAGE, 'supernodes');
  const out = new Array<SearchOriginWire>(origins.length);
  for (let i = 0; i < origins.length; i++) out[i] = encodeOrigin(origins[i], 'supernodes', i);
  return out;
}

function decodeOrigins(origins: readonly SearchOriginWireOut[]): SearchOrigin[] {
  checkListLength(origins, MAX_SUPERNODES_PER_MESSAGE, 'supernodes');
  const out = new Array<SearchOrigin>(origins.length);
  for (let i = 0; i < origins.length; i++) out[i] = decodeOrigin(origins[i], 'supernodes', i);
  return out;
}

function encodeHits(list: readonly SearchHit[]): SearchHitWire[] {
  checkListLength(list, MAX_SEARCH_LIMIT, 'hits');
  const out = new Array<SearchHitWire>(list.length);
  for (let i = 0; i < list.length; i++) {
    const h = list[i];
    if (h === null || typeof h !== 'object') invalid('hits', i, '', 'missing');
    out[i] = {
      ...checkMetadata(h, 'hits', i),
      score: checkScore(h.score, i),
      holder: encodeId(h.holder, 'hits', i, '', '.holder'),
    };
  }
  return out;
}

function decodeHits(list: readonly SearchHitWireOut[]): SearchHit[] {
  checkListLength(list, MAX_SEARCH_LIMIT, 'hits');
  const out = new Array<SearchHit>(list.length);
  for (let i = 0; i < list.length; i++) {
    const h = list[i]!;
    out[i] = {
      ...checkMetadata(h, 'hits', i),
      score: checkScore(h.score, i),
      holder: decodeId(h.holder, 'hits', i, '', '.holder'),
    };
  }
  return out;
}

function encodeEntries(list: readonly IndexEntry[]): IndexEntryWire[] {
  checkListLength(list, MAX_INDEX_ENTRIES_PER_MESSAGE, 'upserts');
  const out = new Array<IndexEntryWire>(list.length);
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (e === null || typeof e !== 'object') invalid('upserts', i, '', 'missing');
    out[i] = checkMetadata(e, 'upserts', i);
  }
  return out;
}

function decodeEntries(list: readonly IndexEntryWireOut[]): IndexEntry[] {
  checkListLength(list, MAX_INDEX_ENTRIES_PER_MESSAGE, 'upserts');
  const out = new Array<IndexEntry>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = checkMetadata(list[i]!, 'upserts', i);
  return out;
}

/** The metadata a hit and an index entry share, as both the domain and the wire take it. */
interface Metadata {
  cid: string;
  name: string;
  size: number;
  contentType: string;
  keywords: string[];
}

/**
 * The metadata a hit and an index entry share, checked as content-codec checks a record's, and
 * copied field by field so that only protocol fields travel (both ways).
 */
function checkMetadata(m: IndexEntry, field: string, index: number): Metadata {
  return {
    cid: checkCid(m.cid, field, index, '.cid'),
    name: checkText(m.name, MAX_NAME_LENGTH, field, index, '.name'),
    size: checkCount(m.size, field, index, '.size'),
    contentType: checkText(m.contentType, MAX_CONTENT_TYPE_LENGTH, field, index, '.contentType'),
    keywords: checkKeywords(m.keywords, field, index, '.keywords'),
  };
}

// ----- scalars --------------------------------------------------------------------------------------

/** A query id: 32 lower-case hex digits (16 bytes), like a node id is 64. */
const QUERY_ID_HEX = /^[0-9a-f]{32}$/;

function encodeQueryId(hex: string): Buffer {
  if (typeof hex !== 'string' || !QUERY_ID_HEX.test(hex)) {
    invalid('queryId', -1, '', `not a 32-digit lower-case hex query id: ${JSON.stringify(String(hex).slice(0, 80))}`);
  }
  return Buffer.from(hex, 'hex');
}

function decodeQueryId(bytes: Uint8Array): string {
  if (bytes.length !== QUERY_ID_BYTES) invalid('queryId', -1, '', `a query id has ${QUERY_ID_BYTES} bytes, got ${bytes.length}`);
  return Buffer.prototype.toString.call(bytes, 'hex');
}

/** The query text: at most MAX_QUERY_LENGTH characters (UTF-16 code units), not only white space. */
function checkQueryText(text: string): string {
  if (typeof text !== 'string' || text.length > MAX_QUERY_LENGTH) {
    invalid('text', -1, '', `must be at most ${MAX_QUERY_LENGTH} characters, got ${describeLength(text)}`);
  }
  if (text.trim().length === 0) invalid('text', -1, '', 'must not be empty');
  return text;
}

/** Any uint32: a TTL above MAX_SEARCH_TTL is the receiver's to cut, not the codec's to refuse. */
function checkTtl(ttl: number): number {
  if (!(Number.isInteger(ttl) && ttl >= 0 && ttl <= MAX_UINT32)) {
    invalid('ttl', -1, '', `must be an integer from 0 to ${MAX_UINT32}, got ${String(ttl)}`);
  }
  return ttl;
}

function checkHops(hops: number): number {
  if (!(Number.isInteger(hops) && hops >= 0 && hops <= MAX_SEARCH_HOPS)) {
    invalid('hops', -1, '', `must be an integer from 0 to ${MAX_SEARCH_HOPS}, got ${String(hops)}`);
  }
  return hops;
}

function checkLimit(limit: number): number {
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_SEARCH_LIMIT)) {
    invalid('limit', -1, '', `must be an integer from 1 to ${MAX_SEARCH_LIMIT}, got ${String(limit)}`);
  }
  return limit;
}

function checkScore(score: number, index: number): number {
  if (typeof score !== 'number' || !Number.isFinite(score)) invalid('hits', index, '.score', `must be a finite number, got ${String(score)}`);
  return score;
}

const WIRE_MODE_BY_MODE: Readonly<Record<SearchMode, SearchModeWire>> = {
  flood: 'SEARCH_MODE_FLOOD',
  supernode: 'SEARCH_MODE_SUPERNODE',
};
// Built from the table above so that a mode appended to SEARCH_MODES without a wire value fails the
// type check there rather than here.
const MODE_BY_WIRE_MODE = new Map<unknown, SearchMode>(SEARCH_MODES.map((m) => [WIRE_MODE_BY_MODE[m], m]));

function encodeMode(mode: SearchMode): SearchModeWire {
  const wire = Object.hasOwn(WIRE_MODE_BY_MODE, mode) ? WIRE_MODE_BY_MODE[mode] : undefined;
  if (wire === undefined) invalid('mode', -1, '', `unknown search mode ${JSON.stringify(mode)}`);
  return wire;
}

/** With `enums: String` the loader gives a name for known values and the number for unknown ones. */
function decodeMode(wire: unknown): SearchMode {
  const mode = MODE_BY_WIRE_MODE.get(wire);
  if (mode === undefined) invalid('mode', -1, '', `unknown search mode ${String(wire)}`);
  return mode;
}
