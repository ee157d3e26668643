/** What the content and gateway routes serve; the storage lib's object store is one. */

/** One stored object, as `GET /v1/objects/:cid/meta` and the listing return it. */
export interface ObjectInfo {
  cid: string;
  name: string;
  contentType: string;
  /** Bytes of the file (not of its DAG). */
  size: number;
  blocks: number;
  keywords: string[];
  /** ISO 8601. */
  created: string;
  /** Node id of the uploader. */
  uploader: string;
}

export interface PutOutcome {
  cid: string;
  size: number;
  blocks: number;
  /** Replicas that acknowledged the write. */
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
   * Stores an upload. `body` throws `PayloadTooLargeError` once it passes `maxObjectBytes` and
   * `AbortError` if the client goes away; put() is expected to let both propagate.
   */
  put(body: AsyncIterable<Uint8Array>, meta: UploadMeta, options: { signal: AbortSignal }): Promise<PutOutcome>;
  stat(cid: string, options: { signal: AbortSignal }): Promise<ObjectInfo>;
  /** The object's bytes, or those of `range`; must yield exactly that many bytes. */
  read(cid: string, range: ByteRange | undefined, options: { signal: AbortSignal }): AsyncIterable<Uint8Array>;
  list(options: { limit: number; after?: string }): Promise<{ objects: ObjectInfo[]; next?: string }>;
  remove(cid: string, options: { signal: AbortSignal }): Promise<void>;
  /** One raw block, for the trustless gateway. */
  getBlock(cid: string, options: { signal: AbortSignal }): Promise<Uint8Array>;
  /** The DAG under `cid` as a CARv1 stream (depth-first, no duplicate blocks), for the gateway. */
  car(cid: string, options: { signal: AbortSignal }): AsyncIterable<Uint8Array>;
}
