// Sample content-protocol messages for this lib's specs only; not part of the public API.
import type { ObjectRecord, ProviderRecord, RangeDigest, Tombstone } from '@peerweave/core';
import type {
  ContentMethods,
  GetRecordResponse,
} from './content-messages.ts';
import type { ContentHandler } from './content-messages.ts';

/** A CIDv1-looking string (base32, 59 characters), different for each `n`. */
export function cid(n: number): string {
  return `bafkrei${n.toString(32).padStart(4, 'a')}${'q'.repeat(48)}`;
}

/** Bytes as the wire decodes them (Buffer), so round trips compare equal. */
export function bytes(length: number, fill = 7): Buffer {
  return Buffer.alloc(length, fill);
}

export const NODE_A = 'a1'.repeat(32);
export const NODE_B = 'b2'.repeat(32);

export const RECORD: ObjectRecord = {
  cid: cid(1),
  name: 'holiday photos.tar',
  contentType: 'application/x-tar',
  size: 3 * 1024 * 1024 * 1024,
  blocks: 12_289,
  keywords: ['holiday', 'photos', '2024'],
  createdMs: 1_700_000_000_123,
  uploader: NODE_A,
  uploaderKey: bytes(32, 1),
  signature: bytes(64, 2),
};

export const TOMBSTONE: Tombstone = { cid: cid(2), deletedMs: 1_700_000_100_000, by: NODE_B };

export const PROVIDERS: readonly ProviderRecord[] = [
  { id: NODE_A, address: '10.0.0.1:7400', expiresMs: 1_700_000_200_000 },
  { id: NODE_B, address: 'peer-b.example.org:7400', expiresMs: Number.MAX_SAFE_INTEGER },
];

export const DIGESTS: readonly RangeDigest[] = [
  { prefix: 0, count: 0, hash: bytes(0) },
  { prefix: 17, count: 3, hash: bytes(32, 17) },
  { prefix: 255, count: Number.MAX_SAFE_INTEGER, hash: bytes(32, 255) },
];

/** One valid request and response of every content method. */
export const CONTENT_SAMPLES: { [M in keyof ContentMethods]: ContentMethods[M] } = {
  putBlock: {
    request: { cid: cid(3), data: bytes(1000, 3), roots: [cid(1), cid(4)], hintFor: NODE_B },
    response: { stored: true },
  },
  getBlock: { request: { cid: cid(3) }, response: { found: true, data: bytes(1000, 3) } },
  hasBlocks: { request: { cids: [cid(3), cid(5), cid(6)] }, response: { have: [true, false, true] } },
  putRecord: { request: { record: RECORD }, response: { stored: false } },
  getRecord: { request: { cid: cid(1) }, response: { record: RECORD, tombstone: TOMBSTONE } },
  putTombstone: { request: { tombstone: TOMBSTONE }, response: { applied: true } },
  syncDigest: { request: { from: NODE_A, digests: DIGESTS }, response: { digests: DIGESTS.slice(1) } },
  syncKeys: {
    request: { from: NODE_A, prefixes: [0, 17, 255] },
    response: { keys: [cid(3), cid(7)], tombstones: [TOMBSTONE, { ...TOMBSTONE, cid: cid(8), deletedMs: 0 }] },
  },
  addProvider: {
    request: { cids: [cid(1), cid(4)], id: NODE_A, address: '10.0.0.1:7400', ttlMs: 24 * 3600_000 },
    response: { accepted: 2 },
  },
  getProviders: { request: { cid: cid(1) }, response: { providers: PROVIDERS } },
  pinBlocks: {
    request: { root: cid(1), blocks: [{ cid: cid(3), hintFor: '' }, { cid: cid(4), hintFor: NODE_B }] },
    response: { pinned: [true, false] },
  },
};

/** A PutBlock that carries its object's record (the root block of a small object). */
export const PUT_BLOCK_WITH_RECORD = { cid: cid(1), data: bytes(200, 1), roots: [cid(1)], hintFor: '', record: RECORD };

/** The other shapes of a GetRecord answer: nothing, a record alone, a tombstone alone. */
export const GET_RECORD_VARIANTS: readonly GetRecordResponse[] = [{}, { record: RECORD }, { tombstone: TOMBSTONE }, { record: RECORD, rootBlock: bytes(5) }];

/**
 * A handler answering every content method with its sample response and recording what it was
 * sent; its block streams serve and store `blocks` (holding the sample block at first).
 */
export function sampleContentHandler(): ContentHandler & { received: { method: string; request: unknown }[]; blocks: Map<string, Uint8Array> } {
  const received: { method: string; request: unknown }[] = [];
  const blocks = new Map<string, Uint8Array>([[CONTENT_SAMPLES.getBlock.request.cid, CONTENT_SAMPLES.getBlock.response.data]]);
  const answer =
    <M extends keyof ContentMethods>(method: M) =>
    async (request: ContentMethods[M]['request']): Promise<ContentMethods[M]['response']> => {
      received.push({ method, request });
      return CONTENT_SAMPLES[method].response;
    };
  return {
    received,
    putBlock: answer('putBlock'),
    getBlock: answer('getBlock'),
    hasBlocks: answer('hasBlocks'),
    putRecord: answer('putRecord'),
    getRecord: answer('getRecord'),
    putTombstone: answer('putTombstone'),
    syncDigest: answer('syncDigest'),
    syncKeys: answer('syncKeys'),
    pinBlocks: answer('pinBlocks'),
    addProvider: answer('addProvider'),
    getProviders: answer('getProviders'),
    blocks,
    readBlock: async (cid) => {
      received.push({ method: 'readBlock', request: cid });
      return blocks.get(cid);
    },
    writeBlocks: async (puts) => {
      received.push({ method: 'writeBlocks', request: puts });
      for (const p of puts) blocks.set(p.cid, p.data);
      return puts.map((p) => ({ cid: p.cid, stored: true, error: '', message: '' }));
    },
  };
}
