/**
 * The content protocol (`peerweave.content.v1.ContentService`) as the domain sees it: plain,
 * immutable message objects, like the routing protocol's in routing/routing-messages.ts. Blocks and metadata
 * records move between the replica nodes of a key with these methods; the gRPC transport maps them
 * to wire messages, the in-memory network passes them as they are.
 *
 * CIDs travel as their canonical string (CIDv1, base32 `b…`); the placement key of a CID is its
 * SHA-256 multihash digest, which lives in the same 256-bit space as node ids.
 *
 * The records these messages carry (ObjectRecord, Tombstone, RangeDigest, ProviderRecord) are
 * storage's and replication's, defined in @peerweave/core (below both this lib and storage).
 */
import type { BlockStreamHandler } from '../block-streams/block-stream-messages.ts';
import type { ObjectRecord, ProviderRecord, RangeDigest, Tombstone } from '@peerweave/core';
import type { ServiceHandler } from '../service-types.ts';



export interface PutBlockRequest {
  readonly cid: string;
  /** The block's bytes; the receiver checks them against `cid` before storing anything. */
  readonly data: Uint8Array;
  /** Root CIDs of the objects this block belongs to (bookkeeping for delete and garbage collection). */
  readonly roots: readonly string[];
  /**
   * Hinted hand-off: the id of the replica node this copy stands in for (it was unreachable), or
   * empty for a normal replica. The receiver keeps it as a hint and hands it back when that node returns.
   */
  readonly hintFor: string;
  /**
   * The object's signed record, when this block is the object's root (they share a key, so their
   * replicas): the receiver stores it too, after the block, and answers `stored` only when both
   * were. A small object is written with one call per replica.
   */
  readonly record?: ObjectRecord;
}
export interface PutBlockResponse {
  /** False when the receiver refused it because every root is deleted (tombstoned). */
  readonly stored: boolean;
}

export interface GetBlockRequest {
  readonly cid: string;
}
export interface GetBlockResponse {
  readonly found: boolean;
  /** The block's bytes when found (checked against the CID by the receiver), empty otherwise. */
  readonly data: Uint8Array;
}

export interface HasBlocksRequest {
  /** At most MAX_CIDS_PER_MESSAGE CIDs. */
  readonly cids: readonly string[];
}
export interface HasBlocksResponse {
  /** One flag per asked CID, in order. */
  readonly have: readonly boolean[];
}

export interface PutRecordRequest {
  readonly record: ObjectRecord;
}
export interface PutRecordResponse {
  /** False when the receiver refused it: the object is tombstoned, or the signature is wrong. */
  readonly stored: boolean;
}

export interface GetRecordRequest {
  readonly cid: string;
  /**
   * Above 0: the callee also sends the root block (the block `cid` names) when it holds a record
   * of it and the block, and the block is at most this many bytes. Absent or 0: the record only.
   */
  readonly rootBlockMaxBytes?: number;
}
export interface GetRecordResponse {
  /** The record, when the callee holds one. */
  readonly record?: ObjectRecord;
  /** The tombstone, when the object was deleted (and the tombstone has not expired). */
  readonly tombstone?: Tombstone;
  /** The root block, when asked for and held (never with a tombstone); unverified: check it against the CID. */
  readonly rootBlock?: Uint8Array;
}

export interface PutTombstoneRequest {
  readonly tombstone: Tombstone;
}
export interface PutTombstoneResponse {
  /** True when it was new to the callee. */
  readonly applied: boolean;
}

/**
 * Anti-entropy, step 1: the caller sends its digests of the keys it holds that both it and the
 * callee should hold (both among the r closest of the key); the callee answers with its own
 * digests of the same ranges, computed the same way. Ranges whose digests differ go to step 2.
 */
export interface SyncDigestRequest {
  /** Id of the caller (64 hex): the callee computes "keys both should hold" against it. */
  readonly from: string;
  readonly digests: readonly RangeDigest[];
}
export interface SyncDigestResponse {
  readonly digests: readonly RangeDigest[];
}

/** Anti-entropy, step 2: the keys (and live tombstones) the callee holds in the differing ranges. */
export interface SyncKeysRequest {
  readonly from: string;
  /** Range prefixes, 0..255. */
  readonly prefixes: readonly number[];
}
export interface SyncKeysResponse {
  /** Block CIDs the callee holds in those ranges that both should hold. */
  readonly keys: readonly string[];
  /** Tombstones the callee holds whose key falls in those ranges. */
  readonly tombstones: readonly Tombstone[];
}

/** Request and response of each content method. Only append methods. */
export interface ContentMethods {
  putBlock: { request: PutBlockRequest; response: PutBlockResponse };
  getBlock: { request: GetBlockRequest; response: GetBlockResponse };
  hasBlocks: { request: HasBlocksRequest; response: HasBlocksResponse };
  putRecord: { request: PutRecordRequest; response: PutRecordResponse };
  getRecord: { request: GetRecordRequest; response: GetRecordResponse };
  putTombstone: { request: PutTombstoneRequest; response: PutTombstoneResponse };
  syncDigest: { request: SyncDigestRequest; response: SyncDigestResponse };
  syncKeys: { request: SyncKeysRequest; response: SyncKeysResponse };
  addProvider: { request: AddProviderRequest; response: AddProviderResponse };
  getProviders: { request: GetProvidersRequest; response: GetProvidersResponse };
  pinBlocks: { request: PinBlocksRequest; response: PinBlocksResponse };
}
export type ContentMethod = keyof ContentMethods;

/**
 * The serving side of content: what a storage node does when a peer calls it, the content methods
 * and the block streams (`readBlock`, `writeBlocks`).
 */
export type ContentHandler = ServiceHandler<ContentMethods> & BlockStreamHandler;

/** One block of a PinBlocks request. */
export interface PinnedBlock {
  readonly cid: string;
  /** The replica this copy stands in for (hinted hand-off), or '' for a normal replica. */
  readonly hintFor: string;
}

/**
 * Ends an upload: the blocks were sent earlier with no roots (PutBlocks), while the upload was
 * still being read and its root CID unknown; the callee pins them to `root`.
 */
export interface PinBlocksRequest {
  readonly root: string;
  /** At most MAX_CIDS_PER_MESSAGE. */
  readonly blocks: readonly PinnedBlock[];
  /**
   * The upload failed after some blocks were pinned: drop `root`'s claim on them instead (they
   * become evictable cache unless another object claims them). Refused when the callee holds the
   * object's record (the object exists).
   */
  readonly release?: boolean;
}
export interface PinBlocksResponse {
  /** One flag per block, in order: false when the callee no longer holds it or the object is deleted. */
  readonly pinned: readonly boolean[];
}

/**
 * The caller announces that it provides `cids` (root CIDs of objects it holds, wholly or partly:
 * the downloader asks each provider which blocks with HasBlocks, as BitTorrent peers exchange
 * bitfields). Sent to the r nodes closest to each CID; the callee keeps the record until
 * `ttlMs` from now (capped by the callee) and the provider refreshes it while it holds the blocks.
 * The provider is the caller itself: a node announces only its own id and address.
 */
export interface AddProviderRequest {
  /** At most MAX_CIDS_PER_MESSAGE CIDs. */
  readonly cids: readonly string[];
  /** Id of the announcing node (64 hex). */
  readonly id: string;
  /** Its peer-protocol address. */
  readonly address: string;
  /** How long the record should live, in milliseconds (the callee caps it). */
  readonly ttlMs: number;
}
export interface AddProviderResponse {
  /** How many of the CIDs were recorded. */
  readonly accepted: number;
}

export interface GetProvidersRequest {
  readonly cid: string;
}
export interface GetProvidersResponse {
  /** Live provider records the callee holds for the CID, at most MAX_PROVIDERS_PER_MESSAGE. */
  readonly providers: readonly ProviderRecord[];
}
