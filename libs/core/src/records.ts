/**
 * The records storage keeps and replication exchanges. They live here, below both storage and the
 * protocol (core ← protocol ← routing, storage ← replication), so that storage does not import the
 * transport to name what it stores; the protocol maps them to and from the wire
 * (libs/protocol/src/content/content-codec.ts).
 */

/** Metadata of one stored object, keyed by its root CID and signed by the node that took the upload. */
export interface ObjectRecord {
  /** Root CID of the object's UnixFS DAG. */
  readonly cid: string;
  /** File name as given by the uploader (may be empty). */
  readonly name: string;
  /** MIME type as given by the uploader, `application/octet-stream` when none was. */
  readonly contentType: string;
  /** Size of the file in bytes. */
  readonly size: number;
  /** Number of blocks of the DAG (leaves and inner nodes). */
  readonly blocks: number;
  /** Search keywords, lower-case. */
  readonly keywords: readonly string[];
  /** When the upload was acknowledged, milliseconds since the epoch. */
  readonly createdMs: number;
  /** Id (64 hex) of the node that took the upload: SHA-256 of `uploaderKey`. */
  readonly uploader: string;
  /** Raw 32-byte Ed25519 public key of the uploader. */
  readonly uploaderKey: Uint8Array;
  /** Ed25519 signature by the uploader over the record's canonical bytes (storage lib). */
  readonly signature: Uint8Array;
}

/** A deletion: the object `cid` is unpinned everywhere, and repair must not bring it back. */
export interface Tombstone {
  /** Root CID of the deleted object. */
  readonly cid: string;
  /** When it was deleted, milliseconds since the epoch; tombstones expire a TTL after this. */
  readonly deletedMs: number;
  /** Id of the node that took the delete request. */
  readonly by: string;
}

/** Digest of the keys a node holds within one range of the key space (first byte = `prefix`). */
export interface RangeDigest {
  /** First byte of the keys in the range, 0..255. */
  readonly prefix: number;
  /** Number of keys. */
  readonly count: number;
  /** SHA-256 of the sorted keys, joined by '\n' (32 bytes; empty when count is 0). */
  readonly hash: Uint8Array;
}

/** A node that holds (some of) the blocks of a CID and serves them, with when its claim lapses. */
export interface ProviderRecord {
  /** Node id, 64 hex. */
  readonly id: string;
  /** `host:port` of its peer protocol. */
  readonly address: string;
  /** When the record lapses unless refreshed, milliseconds since the epoch. */
  readonly expiresMs: number;
}
