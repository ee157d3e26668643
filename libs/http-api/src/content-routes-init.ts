/** What the content and gateway routes serve; replication's ContentNode is the store behind them. */
import type { ObjectInfo } from '@peerweave/replication';

export type { ObjectInfo };

export interface PutOutcome {
  cid: string;
  size: number;
  blocks: number;
  /** Nodes that stored every block when the write was acknowledged, counted at its least-copied block and at most r: replicas, and stand-ins holding a hinted copy for a replica that did not answer. */
  replicas: number;
}

/** A satisfiable byte range of an object: `length` ≥ 1 and `offset + length` ≤ size. */
export interface ByteRange {
  offset: number;
  length: number;
}

export interface UploadMeta {
  name: string;
  contentType: string;
  keywords: string[];
}

/**
 * Every callback gets a `signal` that aborts when the client disconnects before its response is
 * complete, and throws core errors (`InvalidCidError`, `NotFoundError`, …) that the error
 * catalogue turns into statuses.
 */
export interface ContentRoutesInit {
  /** Largest object accepted, bytes. Larger uploads are 413 PAYLOAD_TOO_LARGE. */
  maxObjectBytes: number;
  /**
   * Bodies of at most this many bytes are read whole before the response starts and sent as one
   * Buffer (default BUFFERED_BODY_MAX_BYTES, one chunk: every one-block object); larger ones
   * stream. 0 streams every body.
   */
  bufferedBodyMaxBytes?: number;
  /**
   * Stores an upload. `body` throws `PayloadTooLargeError` once it passes `maxObjectBytes` and
   * `AbortError` if the client goes away; put() is expected to let both propagate.
   */
  put(body: AsyncIterable<Uint8Array>, meta: UploadMeta, options: { signal: AbortSignal }): Promise<PutOutcome>;
  /** What the object is. `withData`: its bytes are read next (a store may fetch a small object's bytes with its metadata). */
  stat(cid: string, options: { signal: AbortSignal; withData?: boolean }): Promise<ObjectInfo>;
  /** The object's bytes, or those of `range`; must yield exactly that many bytes. */
  read(cid: string, range: ByteRange | undefined, options: { signal: AbortSignal }): AsyncIterable<Uint8Array>;
  list(options: { limit: number; after?: string }): Promise<{ objects: ObjectInfo[]; next?: string }>;
  remove(cid: string, options: { signal: AbortSignal }): Promise<void>;
  /** One raw block, for the trustless gateway. */
  getBlock(cid: string, options: { signal: AbortSignal }): Promise<Uint8Array>;
  /** The DAG under `cid` as a CARv1 stream (depth-first, no duplicate blocks), for the gateway. */
  car(cid: string, options: { signal: AbortSignal }): AsyncIterable<Uint8Array>;
}

/**
 * The object store as replication's ContentNode offers it: the routes' callbacks, with the upload
 * limit passed on to `put` (which stops reading past it) and a listing that may answer at once.
 */
export interface ObjectStore extends Omit<ContentRoutesInit, 'maxObjectBytes' | 'put' | 'list'> {
  put(body: AsyncIterable<Uint8Array>, meta: UploadMeta, options: { signal: AbortSignal; maxBytes: number }): Promise<PutOutcome>;
  list(options: { limit: number; after?: string }): { objects: ObjectInfo[]; next?: string } | Promise<{ objects: ObjectInfo[]; next?: string }>;
}

/** What the content and gateway routes serve from an object store, uploads limited to `maxObjectBytes`. */
export function contentSource(store: ObjectStore, maxObjectBytes: number): ContentRoutesInit {
  return {
    maxObjectBytes,
    put: (body, meta, options) => store.put(body, meta, { ...options, maxBytes: maxObjectBytes }),
    stat: (cid, options) => store.stat(cid, options),
    read: (cid, range, options) => store.read(cid, range, options),
    list: async (options) => store.list(options),
    remove: (cid, options) => store.remove(cid, options),
    getBlock: (cid, options) => store.getBlock(cid, options),
    car: (cid, options) => store.car(cid, options),
  };
}
