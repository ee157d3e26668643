/**
 * Domain ⇄ wire mapping of the content protocol (`peerweave.content.v1`), validating both ways,
 * like routing/routing-codec.ts does for routing.
 *
 * Decoding checks everything a peer sent before the domain sees it (CID syntax, block and list
 * sizes, id, key and signature lengths, addresses, safe integers) and throws InvalidArgumentError,
 * which the gRPC edge answers with INVALID_ARGUMENT. Encoding checks our own messages the same way,
 * so a bug shows up at the caller instead of as a refusal by the peer, and only protocol fields go
 * on the wire. What needs more than the message itself is the receiver's job: whether a CID parses
 * and its block's bytes match it, whether a signature verifies, whether `have` answers every CID
 * asked, whether an announced provider is the caller, how long a provider record may live.
 *
 * Bytes are not copied: a decoded `data`, `hash`, `uploaderKey` or `signature` is a Buffer view of
 * the received message.
 */
import { MAX_CID_LENGTH, MAX_KEYWORDS, MAX_KEYWORD_LENGTH, type ObjectRecord, type ProviderRecord, type RangeDigest, type Tombstone } from '@peerweave/core';
import type { AddProviderRequest as AddProviderRequestWire, AddProviderRequest__Output as AddProviderRequestWireOut } from '../generated/peerweave/content/v1/AddProviderRequest.ts';
import type { AddProviderResponse as AddProviderResponseWire, AddProviderResponse__Output as AddProviderResponseWireOut } from '../generated/peerweave/content/v1/AddProviderResponse.ts';
import type { GetBlockRequest as GetBlockRequestWire, GetBlockRequest__Output as GetBlockRequestWireOut } from '../generated/peerweave/content/v1/GetBlockRequest.ts';
import type { GetBlockResponse as GetBlockResponseWire, GetBlockResponse__Output as GetBlockResponseWireOut } from '../generated/peerweave/content/v1/GetBlockResponse.ts';
import type { GetProvidersRequest as GetProvidersRequestWire, GetProvidersRequest__Output as GetProvidersRequestWireOut } from '../generated/peerweave/content/v1/GetProvidersRequest.ts';
import type { GetProvidersResponse as GetProvidersResponseWire, GetProvidersResponse__Output as GetProvidersResponseWireOut } from '../generated/peerweave/content/v1/GetProvidersResponse.ts';
import type { GetRecordRequest as GetRecordRequestWire, GetRecordRequest__Output as GetRecordRequestWireOut } from '../generated/peerweave/content/v1/GetRecordRequest.ts';
import type { GetRecordResponse as GetRecordResponseWire, GetRecordResponse__Output as GetRecordResponseWireOut } from '../generated/peerweave/content/v1/GetRecordResponse.ts';
import type { HasBlocksRequest as HasBlocksRequestWire, HasBlocksRequest__Output as HasBlocksRequestWireOut } from '../generated/peerweave/content/v1/HasBlocksRequest.ts';
import type { HasBlocksResponse as HasBlocksResponseWire, HasBlocksResponse__Output as HasBlocksResponseWireOut } from '../generated/peerweave/content/v1/HasBlocksResponse.ts';
import type { ObjectRecord as ObjectRecordWire, ObjectRecord__Output as ObjectRecordWireOut } from '../generated/peerweave/content/v1/ObjectRecord.ts';
import type { ProviderRecord as ProviderRecordWire, ProviderRecord__Output as ProviderRecordWireOut } from '../generated/peerweave/content/v1/ProviderRecord.ts';
import type { PinBlocksRequest as PinBlocksRequestWire, PinBlocksRequest__Output as PinBlocksRequestWireOut } from '../generated/peerweave/content/v1/PinBlocksRequest.ts';
import type { PinBlocksResponse as PinBlocksResponseWire, PinBlocksResponse__Output as PinBlocksResponseWireOut } from '../generated/peerweave/content/v1/PinBlocksResponse.ts';
import type { PutBlockRequest as PutBlockRequestWire, PutBlockRequest__Output as PutBlockRequestWireOut } from '../generated/peerweave/content/v1/PutBlockRequest.ts';
import type { PutBlockResponse as PutBlockResponseWire, PutBlockResponse__Output as PutBlockResponseWireOut } from '../generated/peerweave/content/v1/PutBlockResponse.ts';
import type { PutRecordRequest as PutRecordRequestWire, PutRecordRequest__Output as PutRecordRequestWireOut } from '../generated/peerweave/content/v1/PutRecordRequest.ts';
import type { PutRecordResponse as PutRecordResponseWire, PutRecordResponse__Output as PutRecordResponseWireOut } from '../generated/peerweave/content/v1/PutRecordResponse.ts';
import type { PutTombstoneRequest as PutTombstoneRequestWire, PutTombstoneRequest__Output as PutTombstoneRequestWireOut } from '../generated/peerweave/content/v1/PutTombstoneRequest.ts';
import type { PutTombstoneResponse as PutTombstoneResponseWire, PutTombstoneResponse__Output as PutTombstoneResponseWireOut } from '../generated/peerweave/content/v1/PutTombstoneResponse.ts';
import type { RangeDigest as RangeDigestWire, RangeDigest__Output as RangeDigestWireOut } from '../generated/peerweave/content/v1/RangeDigest.ts';
import type { SyncDigestRequest as SyncDigestRequestWire, SyncDigestRequest__Output as SyncDigestRequestWireOut } from '../generated/peerweave/content/v1/SyncDigestRequest.ts';
import type { SyncDigestResponse as SyncDigestResponseWire, SyncDigestResponse__Output as SyncDigestResponseWireOut } from '../generated/peerweave/content/v1/SyncDigestResponse.ts';
import type { SyncKeysRequest as SyncKeysRequestWire, SyncKeysRequest__Output as SyncKeysRequestWireOut } from '../generated/peerweave/content/v1/SyncKeysRequest.ts';
import type { SyncKeysResponse as SyncKeysResponseWire, SyncKeysResponse__Output as SyncKeysResponseWireOut } from '../generated/peerweave/content/v1/SyncKeysResponse.ts';
import type { Tombstone as TombstoneWire, Tombstone__Output as TombstoneWireOut } from '../generated/peerweave/content/v1/Tombstone.ts';
import { methodGuard, methodsOf, type MethodCodec } from '../method-codec.ts';
import { checkAddress, checkBoolean, checkListLength, decodeId, describeLength, EMPTY_BYTES, encodeId, invalid } from '../codec-support.ts';
import type {
  ContentMethod,
  ContentMethods,
  GetRecordResponse,
} from './content-messages.ts';

/** Longest CID string a message may carry: core's limit, the same at every layer. */
export { MAX_CID_LENGTH };
/**
 * Largest block accepted (PutBlock, GetBlock). The importer cuts files into 256 KiB blocks; IPFS
 * peers refuse blocks above 1 MiB, and so do we. A message carrying one must fit
 * `grpcMaxMessageBytes` (4 MiB by default).
 */
export const MAX_BLOCK_BYTES = 1024 * 1024;
/** Most CIDs in one HasBlocks or AddProvider request (and flags in a HasBlocks answer). */
export const MAX_CIDS_PER_MESSAGE = 1024;
/** Most root CIDs a PutBlock may name: the objects that share the block. */
export const MAX_ROOTS_PER_BLOCK = 64;
/** Most block CIDs in one SyncKeys answer; a node with more in the asked ranges pages by prefix. */
export const MAX_SYNC_KEYS = 50_000;
/** Most tombstones in one SyncKeys answer. */
export const MAX_SYNC_TOMBSTONES = 10_000;
/** Most ranges in one SyncDigest message or SyncKeys request: one per first byte of a key. */
export const MAX_SYNC_RANGES = 256;
/** Largest range prefix: a range is the keys whose first byte is its prefix. */
export const MAX_RANGE_PREFIX = 255;
/** Bytes of a RangeDigest hash (SHA-256) when its count is above 0. */
export const RANGE_HASH_BYTES = 32;
/** Bytes of an Ed25519 public key. */
export const PUBLIC_KEY_BYTES = 32;
/** Bytes of an Ed25519 signature. */
export const SIGNATURE_BYTES = 64;
/** Longest file name in a record. */
export const MAX_NAME_LENGTH = 1024;
/** Longest MIME type in a record (RFC 6838: 127 each for type and subtype, and the slash). */
export const MAX_CONTENT_TYPE_LENGTH = 255;
/** Most keywords in a record, and the longest keyword: core's limits, as storage and the HTTP API apply them. */
export { MAX_KEYWORDS, MAX_KEYWORD_LENGTH };
/** Most provider records in one GetProviders answer. */
export const MAX_PROVIDERS_PER_MESSAGE = 64;

// ----- the method table -------------------------------------------------------------------------

/** The wire types of each method: what is encoded (`…In`) and what the loader decodes (`…Out`). */
export interface ContentWireMethods {
  putBlock: { requestIn: PutBlockRequestWire; requestOut: PutBlockRequestWireOut; responseIn: PutBlockResponseWire; responseOut: PutBlockResponseWireOut };
  getBlock: { requestIn: GetBlockRequestWire; requestOut: GetBlockRequestWireOut; responseIn: GetBlockResponseWire; responseOut: GetBlockResponseWireOut };
  hasBlocks: { requestIn: HasBlocksRequestWire; requestOut: HasBlocksRequestWireOut; responseIn: HasBlocksResponseWire; responseOut: HasBlocksResponseWireOut };
  putRecord: { requestIn: PutRecordRequestWire; requestOut: PutRecordRequestWireOut; responseIn: PutRecordResponseWire; responseOut: PutRecordResponseWireOut };
  getRecord: { requestIn: GetRecordRequestWire; requestOut: GetRecordRequestWireOut; responseIn: GetRecordResponseWire; responseOut: GetRecordResponseWireOut };
  putTombstone: { requestIn: PutTombstoneRequestWire; requestOut: PutTombstoneRequestWireOut; responseIn: PutTombstoneResponseWire; responseOut: PutTombstoneResponseWireOut };
  syncDigest: { requestIn: SyncDigestRequestWire; requestOut: SyncDigestRequestWireOut; responseIn: SyncDigestResponseWire; responseOut: SyncDigestResponseWireOut };
  syncKeys: { requestIn: SyncKeysRequestWire; requestOut: SyncKeysRequestWireOut; responseIn: SyncKeysResponseWire; responseOut: SyncKeysResponseWireOut };
  addProvider: { requestIn: AddProviderRequestWire; requestOut: AddProviderRequestWireOut; responseIn: AddProviderResponseWire; responseOut: AddProviderResponseWireOut };
  getProviders: { requestIn: GetProvidersRequestWire; requestOut: GetProvidersRequestWireOut; responseIn: GetProvidersResponseWire; responseOut: GetProvidersResponseWireOut };
  pinBlocks: { requestIn: PinBlocksRequestWire; requestOut: PinBlocksRequestWireOut; responseIn: PinBlocksResponseWire; responseOut: PinBlocksResponseWireOut };
}

/** Encoding and decoding of one content method. Every function throws InvalidArgumentError. */
export type ContentMethodCodec<M extends ContentMethod> = MethodCodec<ContentMethods[M], ContentWireMethods[M]>;

/** The gRPC method name of each content method. Only append. */
export const CONTENT_RPC_NAMES = {
  putBlock: 'PutBlock',
  getBlock: 'GetBlock',
  hasBlocks: 'HasBlocks',
  putRecord: 'PutRecord',
  getRecord: 'GetRecord',
  putTombstone: 'PutTombstone',
  syncDigest: 'SyncDigest',
  syncKeys: 'SyncKeys',
  addProvider: 'AddProvider',
  getProviders: 'GetProviders',
  pinBlocks: 'PinBlocks',
} as const satisfies Record<ContentMethod, string>;

export const CONTENT_METHODS = methodsOf<ContentMethod>(CONTENT_RPC_NAMES);

export const isContentMethod = methodGuard<ContentMethod>(CONTENT_RPC_NAMES);

const putBlock: ContentMethodCodec<'putBlock'> = {
  encodeRequest: (r) => ({
    cid: checkCid(r.cid, 'cid', -1),
    data: checkBlockData(r.data),
    roots: checkCids(r.roots, MAX_ROOTS_PER_BLOCK, 'roots'),
    hintFor: r.hintFor === '' ? EMPTY_BYTES : encodeId(r.hintFor, 'hintFor', -1, '', ''),
    ...(r.record != null ? { record: encodeRecord(r.record) } : {}),
  }),
  decodeRequest: (m) => ({
    cid: checkCid(m.cid, 'cid', -1),
    data: checkBlockData(m.data),
    roots: checkCids(m.roots, MAX_ROOTS_PER_BLOCK, 'roots'),
    hintFor: m.hintFor.length === 0 ? '' : decodeId(m.hintFor, 'hintFor', -1, '', ''),
    ...(m.record != null ? { record: decodeRecord(m.record) } : {}),
  }),
  encodeResponse: (r) => ({ stored: checkBoolean(r.stored, 'stored') }),
  decodeResponse: (m) => ({ stored: m.stored }),
};

const getBlock: ContentMethodCodec<'getBlock'> = {
  encodeRequest: (r) => ({ cid: checkCid(r.cid, 'cid', -1) }),
  decodeRequest: (m) => ({ cid: checkCid(m.cid, 'cid', -1) }),
  encodeResponse: (r) => checkFoundBlock(checkBoolean(r.found, 'found'), r.data),
  decodeResponse: (m) => checkFoundBlock(m.found, m.data),
};

const hasBlocks: ContentMethodCodec<'hasBlocks'> = {
  encodeRequest: (r) => ({ cids: checkCids(r.cids, MAX_CIDS_PER_MESSAGE, 'cids') }),
  decodeRequest: (m) => ({ cids: checkCids(m.cids, MAX_CIDS_PER_MESSAGE, 'cids') }),
  encodeResponse: (r) => ({ have: checkFlags(r.have) }),
  decodeResponse: (m) => ({ have: checkFlags(m.have) }),
};

const putRecord: ContentMethodCodec<'putRecord'> = {
  encodeRequest: (r) => ({ record: encodeRecord(r.record) }),
  decodeRequest: (m) => ({ record: decodeRecord(m.record) }),
  encodeResponse: (r) => ({ stored: checkBoolean(r.stored, 'stored') }),
  decodeResponse: (m) => ({ stored: m.stored }),
};

const getRecord: ContentMethodCodec<'getRecord'> = {
  encodeRequest: (r) => ({ cid: checkCid(r.cid, 'cid', -1), ...rootBlockMax(r.rootBlockMaxBytes) }),
  decodeRequest: (m) => ({ cid: checkCid(m.cid, 'cid', -1), ...rootBlockMax(m.rootBlockMaxBytes) }),
  encodeResponse: (r) => {
    const out: GetRecordResponseWire = {};
    // Absent stays absent on the wire (the fields are `optional`); null counts as absent too.
    if (r.record != null) out.record = encodeRecord(r.record);
    if (r.tombstone != null) out.tombstone = encodeTombstone(r.tombstone, 'tombstone', -1);
    if (r.rootBlock != null) out.rootBlock = checkRootBlock(r.rootBlock, r.record != null && r.tombstone == null);
    return out;
  },
  decodeResponse: (m) => {
    // No key at all for an absent field, so that `'record' in response` means it was sent.
    const out: { record?: ObjectRecord; tombstone?: Tombstone; rootBlock?: Uint8Array } = {};
    if (m.record != null) out.record = decodeRecord(m.record);
    if (m.tombstone != null) out.tombstone = decodeTombstone(m.tombstone, 'tombstone', -1);
    if (m.rootBlock != null) out.rootBlock = checkRootBlock(m.rootBlock, m.record != null && m.tombstone == null);
    return out satisfies GetRecordResponse;
  },
};

/** GetRecord's `root_block_max_bytes`: a uint32; 0 (the default, what older callers send) is left out. */
function rootBlockMax(value: number | undefined): { rootBlockMaxBytes?: number } {
  if (value === undefined || value === 0) return {};
  if (!(Number.isInteger(value) && value > 0 && value <= 0xffff_ffff)) invalid('rootBlockMaxBytes', -1, '', `must be an integer from 0 to 2^32-1, got ${String(value)}`);
  return { rootBlockMaxBytes: value };
}

/** GetRecord's root block: a block's bytes, sent only beside a record (never with a tombstone). */
function checkRootBlock(data: Uint8Array, withRecord: boolean): Uint8Array {
  if (!withRecord) invalid('rootBlock', -1, '', 'is sent only with a record and without a tombstone');
  return checkBlockData(data);
}

const putTombstone: ContentMethodCodec<'putTombstone'> = {
  encodeRequest: (r) => ({ tombstone: encodeTombstone(r.tombstone, 'tombstone', -1) }),
  decodeRequest: (m) => ({ tombstone: decodeTombstone(m.tombstone, 'tombstone', -1) }),
  encodeResponse: (r) => ({ applied: checkBoolean(r.applied, 'applied') }),
  decodeResponse: (m) => ({ applied: m.applied }),
};

const syncDigest: ContentMethodCodec<'syncDigest'> = {
  encodeRequest: (r) => ({ from: encodeId(r.from, 'from', -1, '', ''), digests: encodeDigests(r.digests) }),
  decodeRequest: (m) => ({ from: decodeId(m.from, 'from', -1, '', ''), digests: decodeDigests(m.digests) }),
  encodeResponse: (r) => ({ digests: encodeDigests(r.digests) }),
  decodeResponse: (m) => ({ digests: decodeDigests(m.digests) }),
};

const syncKeys: ContentMethodCodec<'syncKeys'> = {
  encodeRequest: (r) => ({ from: encodeId(r.from, 'from', -1, '', ''), prefixes: checkPrefixes(r.prefixes) }),
  decodeRequest: (m) => ({ from: decodeId(m.from, 'from', -1, '', ''), prefixes: checkPrefixes(m.prefixes) }),
  encodeResponse: (r) => ({ keys: checkCids(r.keys, MAX_SYNC_KEYS, 'keys'), tombstones: encodeTombstones(r.tombstones) }),
  decodeResponse: (m) => ({ keys: checkCids(m.keys, MAX_SYNC_KEYS, 'keys'), tombstones: decodeTombstones(m.tombstones) }),
};

const addProvider: ContentMethodCodec<'addProvider'> = {
  encodeRequest: (r) => ({
    cids: checkProvidedCids(r.cids),
    id: encodeId(r.id, 'id', -1, '', ''),
    address: checkAddress(r.address, 'address', -1, '', ''),
    ttlMs: checkCount(r.ttlMs, 'ttlMs', -1, ''),
  }),
  decodeRequest: (m) => ({
    cids: checkProvidedCids(m.cids),
    id: decodeId(m.id, 'id', -1, '', ''),
    address: checkAddress(m.address, 'address', -1, '', ''),
    ttlMs: checkCount(m.ttlMs, 'ttlMs', -1, ''),
  }),
  encodeResponse: (r) => ({ accepted: checkAccepted(r.accepted) }),
  decodeResponse: (m) => ({ accepted: checkAccepted(m.accepted) }),
};

const getProviders: ContentMethodCodec<'getProviders'> = {
  encodeRequest: (r) => ({ cid: checkCid(r.cid, 'cid', -1) }),
  decodeRequest: (m) => ({ cid: checkCid(m.cid, 'cid', -1) }),
  encodeResponse: (r) => ({ providers: encodeProviders(r.providers) }),
  decodeResponse: (m) => ({ providers: decodeProviders(m.providers) }),
};

const pinBlocks: ContentMethodCodec<'pinBlocks'> = {
  encodeRequest: (r) => ({
    root: checkCid(r.root, 'root', -1),
    blocks: checkPinnedBlocks(r.blocks).map((b, i) => ({
      cid: checkCid(b.cid, 'blocks', i, '.cid'),
      hintFor: b.hintFor === '' ? EMPTY_BYTES : encodeId(b.hintFor, 'blocks', i, '.hintFor', ''),
    })),
    release: r.release === undefined ? false : checkBoolean(r.release, 'release'),
  }),
  decodeRequest: (m) => ({
    root: checkCid(m.root, 'root', -1),
    blocks: checkPinnedBlocks(m.blocks).map((b, i) => ({
      cid: checkCid(b.cid, 'blocks', i, '.cid'),
      hintFor: b.hintFor.length === 0 ? '' : decodeId(b.hintFor, 'blocks', i, '.hintFor', ''),
    })),
    ...(m.release ? { release: true } : {}),
  }),
  encodeResponse: (r) => ({ pinned: checkFlags(r.pinned, 'pinned') }),
  decodeResponse: (m) => ({ pinned: checkFlags(m.pinned, 'pinned') }),
};

function checkPinnedBlocks<T>(blocks: readonly T[]): readonly T[] {
  checkListLength(blocks, MAX_CIDS_PER_MESSAGE, 'blocks');
  for (let i = 0; i < blocks.length; i++) if (blocks[i] === null || typeof blocks[i] !== 'object') invalid('blocks', i, '', 'missing');
  return blocks;
}

/** The codec of every content method. */
export const CONTENT_CODECS: { readonly [M in ContentMethod]: ContentMethodCodec<M> } = {
  putBlock,
  getBlock,
  hasBlocks,
  putRecord,
  getRecord,
  putTombstone,
  syncDigest,
  syncKeys,
  addProvider,
  getProviders,
  pinBlocks,
};

// ----- records, tombstones, digests ---------------------------------------------------------------

function encodeRecord(r: ObjectRecord | null | undefined): ObjectRecordWire {
  if (r === null || typeof r !== 'object') invalid('record', -1, '', 'missing');
  return {
    cid: checkCid(r.cid, 'record', -1, '.cid'),
    name: checkText(r.name, MAX_NAME_LENGTH, 'record', -1, '.name'),
    contentType: checkText(r.contentType, MAX_CONTENT_TYPE_LENGTH, 'record', -1, '.contentType'),
    size: checkCount(r.size, 'record', -1, '.size'),
    blocks: checkCount(r.blocks, 'record', -1, '.blocks'),
    keywords: checkKeywords(r.keywords, 'record', -1, '.keywords'),
    createdMs: checkCount(r.createdMs, 'record', -1, '.createdMs'),
    uploader: encodeId(r.uploader, 'record', -1, '', '.uploader'),
    uploaderKey: checkExactBytes(r.uploaderKey, PUBLIC_KEY_BYTES, 'record', -1, '.uploaderKey'),
    signature: checkExactBytes(r.signature, SIGNATURE_BYTES, 'record', -1, '.signature'),
  };
}

function decodeRecord(m: ObjectRecordWireOut | null | undefined): ObjectRecord {
  if (m === null || m === undefined) invalid('record', -1, '', 'missing');
  return {
    cid: checkCid(m.cid, 'record', -1, '.cid'),
    name: checkText(m.name, MAX_NAME_LENGTH, 'record', -1, '.name'),
    contentType: checkText(m.contentType, MAX_CONTENT_TYPE_LENGTH, 'record', -1, '.contentType'),
    size: checkCount(m.size, 'record', -1, '.size'),
    blocks: checkCount(m.blocks, 'record', -1, '.blocks'),
    keywords: checkKeywords(m.keywords, 'record', -1, '.keywords'),
    createdMs: checkCount(m.createdMs, 'record', -1, '.createdMs'),
    uploader: decodeId(m.uploader, 'record', -1, '', '.uploader'),
    uploaderKey: checkExactBytes(m.uploaderKey, PUBLIC_KEY_BYTES, 'record', -1, '.uploaderKey'),
    signature: checkExactBytes(m.signature, SIGNATURE_BYTES, 'record', -1, '.signature'),
  };
}

function encodeTombstone(t: Tombstone | null | undefined, field: string, index: number): TombstoneWire {
  if (t === null || typeof t !== 'object') invalid(field, index, '', 'missing');
  return {
    cid: checkCid(t.cid, field, index, '.cid'),
    deletedMs: checkCount(t.deletedMs, field, index, '.deletedMs'),
    by: encodeId(t.by, field, index, '', '.by'),
  };
}

function decodeTombstone(m: TombstoneWireOut | null | undefined, field: string, index: number): Tombstone {
  if (m === null || m === undefined) invalid(field, index, '', 'missing');
  return {
    cid: checkCid(m.cid, field, index, '.cid'),
    deletedMs: checkCount(m.deletedMs, field, index, '.deletedMs'),
    by: decodeId(m.by, field, index, '', '.by'),
  };
}

function encodeTombstones(tombstones: readonly Tombstone[]): TombstoneWire[] {
  checkListLength(tombstones, MAX_SYNC_TOMBSTONES, 'tombstones');
  const out = new Array<TombstoneWire>(tombstones.length);
  for (let i = 0; i < tombstones.length; i++) out[i] = encodeTombstone(tombstones[i], 'tombstones', i);
  return out;
}

function decodeTombstones(tombstones: readonly TombstoneWireOut[]): Tombstone[] {
  checkListLength(tombstones, MAX_SYNC_TOMBSTONES, 'tombstones');
  const out = new Array<Tombstone>(tombstones.length);
  for (let i = 0; i < tombstones.length; i++) out[i] = decodeTombstone(tombstones[i], 'tombstones', i);
  return out;
}

function encodeDigests(digests: readonly RangeDigest[]): RangeDigestWire[] {
  checkListLength(digests, MAX_SYNC_RANGES, 'digests');
  const out = new Array<RangeDigestWire>(digests.length);
  for (let i = 0; i < digests.length; i++) {
    const d = digests[i];
    if (d === null || typeof d !== 'object') invalid('digests', i, '', 'missing');
    out[i] = checkDigest(d.prefix, d.count, d.hash, i);
  }
  return out;
}

function decodeDigests(digests: readonly RangeDigestWireOut[]): RangeDigest[] {
  checkListLength(digests, MAX_SYNC_RANGES, 'digests');
  const out = new Array<RangeDigest>(digests.length);
  for (let i = 0; i < digests.length; i++) {
    const d = digests[i]!;
    out[i] = checkDigest(d.prefix, d.count, d.hash, i);
  }
  return out;
}

function encodeProviders(providers: readonly ProviderRecord[]): ProviderRecordWire[] {
  checkListLength(providers, MAX_PROVIDERS_PER_MESSAGE, 'providers');
  const out = new Array<ProviderRecordWire>(providers.length);
  for (let i = 0; i < providers.length; i++) {
    const p = providers[i];
    if (p === null || typeof p !== 'object') invalid('providers', i, '', 'missing');
    out[i] = {
      id: encodeId(p.id, 'providers', i, ''),
      address: checkAddress(p.address, 'providers', i, ''),
      expiresMs: checkCount(p.expiresMs, 'providers', i, '.expiresMs'),
    };
  }
  return out;
}

function decodeProviders(providers: readonly ProviderRecordWireOut[]): ProviderRecord[] {
  checkListLength(providers, MAX_PROVIDERS_PER_MESSAGE, 'providers');
  const out = new Array<ProviderRecord>(providers.length);
  for (let i = 0; i < providers.length; i++) {
    const p = providers[i]!;
    out[i] = {
      id: decodeId(p.id, 'providers', i, ''),
      address: checkAddress(p.address, 'providers', i, ''),
      expiresMs: checkCount(p.expiresMs, 'providers', i, '.expiresMs'),
    };
  }
  return out;
}

function checkDigest(prefix: number, count: number, hash: Uint8Array, index: number): RangeDigest {
  checkPrefix(prefix, 'digests', index, '.prefix');
  checkCount(count, 'digests', index, '.count');
  if (!(hash instanceof Uint8Array)) invalid('digests', index, '.hash', 'must be bytes');
  const expected = count === 0 ? 0 : RANGE_HASH_BYTES;
  if (hash.length !== expected) {
    invalid('digests', index, '.hash', `must be ${expected} bytes when count is ${count === 0 ? '0' : 'above 0'}, got ${hash.length}`);
  }
  return { prefix, count, hash };
}

// ----- scalars --------------------------------------------------------------------------------------

/** Letters and digits only: every multibase alphabet a CID string uses here (base32, base58btc, base36). */
const CID_CHARACTERS = /^[A-Za-z0-9]+$/;

/** A CID string: 1 to MAX_CID_LENGTH letters and digits. Shared with search-codec.ts. */
export function checkCid(cid: string, field: string, index: number, sub = ''): string {
  if (typeof cid !== 'string' || cid.length === 0 || cid.length > MAX_CID_LENGTH || !CID_CHARACTERS.test(cid)) {
    invalid(field, index, sub, `not a CID (1 to ${MAX_CID_LENGTH} letters and digits): ${JSON.stringify(String(cid).slice(0, 80))}`);
  }
  return cid;
}

/** A list of CIDs, passed on as it is: the serializer only reads it. Shared with search-codec.ts. */
export function checkCids(cids: readonly string[], max: number, field: string): string[] {
  checkListLength(cids, max, field);
  for (let i = 0; i < cids.length; i++) checkCid(cids[i]!, field, i);
  return cids as string[];
}

function checkBlockData(data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) invalid('data', -1, '', 'must be bytes');
  if (data.length > MAX_BLOCK_BYTES) invalid('data', -1, '', `a block has at most ${MAX_BLOCK_BYTES} bytes, got ${data.length}`);
  return data;
}

/** The CIDs of an AddProvider: 1 to MAX_CIDS_PER_MESSAGE. */
function checkProvidedCids(cids: readonly string[]): string[] {
  checkCids(cids, MAX_CIDS_PER_MESSAGE, 'cids');
  if (cids.length === 0) invalid('cids', -1, '', 'must name at least one CID');
  return cids as string[];
}

/** AddProvider's answer: how many of the (at most MAX_CIDS_PER_MESSAGE) CIDs were recorded. */
function checkAccepted(accepted: number): number {
  if (!(Number.isInteger(accepted) && accepted >= 0 && accepted <= MAX_CIDS_PER_MESSAGE)) {
    invalid('accepted', -1, '', `must be an integer from 0 to ${MAX_CIDS_PER_MESSAGE}, got ${String(accepted)}`);
  }
  return accepted;
}

function checkFoundBlock(found: boolean, data: Uint8Array): { found: boolean; data: Uint8Array } {
  checkBlockData(data);
  if (!found && data.length > 0) invalid('data', -1, '', `must be empty when the block was not found, got ${data.length} bytes`);
  return { found, data };
}

function checkFlags(have: readonly boolean[], field = 'have'): boolean[] {
  checkListLength(have, MAX_CIDS_PER_MESSAGE, field);
  for (let i = 0; i < have.length; i++) {
    if (typeof have[i] !== 'boolean') invalid(field, i, '', `must be a boolean, got ${typeof have[i]}`);
  }
  return have as boolean[];
}

function checkExactBytes(bytes: Uint8Array, length: number, field: string, index: number, sub: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) invalid(field, index, sub, 'must be bytes');
  if (bytes.length !== length) invalid(field, index, sub, `must be ${length} bytes, got ${bytes.length}`);
  return bytes;
}

/**
 * A text field of an object's metadata (`name`, `contentType`): any characters, at most `max`.
 * Shared with search-codec.ts.
 */
export function checkText(text: string, max: number, field: string, index: number, sub: string): string {
  if (typeof text !== 'string' || text.length > max) {
    invalid(field, index, sub, `must be at most ${max} characters, got ${describeLength(text)}`);
  }
  return text;
}

/**
 * An object's keywords: at most MAX_KEYWORDS, each at most MAX_KEYWORD_LENGTH characters; `sub`
 * names the list (`.keywords`). Shared with search-codec.ts.
 */
export function checkKeywords(keywords: readonly string[], field: string, index: number, sub: string): string[] {
  if (!Array.isArray(keywords)) invalid(field, index, sub, 'must be a list');
  if (keywords.length > MAX_KEYWORDS) invalid(field, index, sub, `at most ${MAX_KEYWORDS}, got ${keywords.length}`);
  for (let i = 0; i < keywords.length; i++) {
    const k = keywords[i];
    if (typeof k !== 'string' || k.length > MAX_KEYWORD_LENGTH) {
      invalid(field, index, `${sub}[${i}]`, `must be at most ${MAX_KEYWORD_LENGTH} characters, got ${describeLength(k)}`);
    }
  }
  return keywords as string[];
}

/**
 * A size, count or millisecond timestamp: uint64 on the wire, a JS number in the domain, so at most
 * 2^53-1 (the loader turns a larger uint64 into an inexact number, refused here). Shared with
 * search-codec.ts.
 */
export function checkCount(value: number, field: string, index: number, sub: string): number {
  if (!(Number.isSafeInteger(value) && value >= 0)) {
    invalid(field, index, sub, `must be an integer from 0 to 2^53-1, got ${String(value)}`);
  }
  return value;
}

function checkPrefix(prefix: number, field: string, index: number, sub: string): void {
  if (!(Number.isInteger(prefix) && prefix >= 0 && prefix <= MAX_RANGE_PREFIX)) {
    invalid(field, index, sub, `must be an integer from 0 to ${MAX_RANGE_PREFIX}, got ${String(prefix)}`);
  }
}

function checkPrefixes(prefixes: readonly number[]): number[] {
  checkListLength(prefixes, MAX_SYNC_RANGES, 'prefixes');
  for (let i = 0; i < prefixes.length; i++) checkPrefix(prefixes[i]!, 'prefixes', i, '');
  return prefixes as number[];
}
