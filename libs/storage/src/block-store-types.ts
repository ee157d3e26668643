import type { CID } from 'multiformats/cid';
import type { Fsync } from './commit-log.ts';

// The options and results of BlockStore (block-store.ts), apart from the class.

/**
 * Steps of a write, for the crash hook. Through a temporary file: 'temp-written', 'fsynced'
 * (durable puts), 'renamed'. In place (putMany's logged blocks): 'created' (the file exists under
 * the block's name, still empty), 'written' (its bytes written, not synced).
 */
export type WriteStep = 'temp-written' | 'fsynced' | 'renamed' | 'created' | 'written';

export interface BlockStoreInit {
  /** Directory of the blocks (created on open). */
  dir: string;
  /** Test hook: called between steps of a write; throwing simulates a crash at that step. */
  onWriteStep?: (step: WriteStep) => void;
  /** Test hook: performs every fsync (block files, directories, the commit log). Default: the real one. */
  fsync?: Fsync;
  /**
   * Commit log size that starts a checkpoint; default DEFAULT_COMMIT_LOG_CHECKPOINT_BYTES
   * (256 MiB, commit-log.ts). Smaller: shorter replay and less disk held twice, more frequent checkpoints.
   */
  checkpointBytes?: number;
  /**
   * Blocks logged since the last checkpoint that start one; default DEFAULT_COMMIT_LOG_CHECKPOINT_BLOCKS
   * (4096, commit-log.ts): what the store remembers of them until then stays bounded.
   */
  checkpointBlocks?: number;
}

/** A block and its CID, as putMany takes them. */
export interface BlockEntry {
  cid: CID;
  bytes: Uint8Array;
}

export interface PutOptions {
  /**
   * The caller has already checked `bytes` against `cid` (hashed them once on arrival): skip the
   * hash. A false claim stores a corrupt block, which a verifying get() later finds and removes.
   */
  verified?: boolean;
  /**
   * false: no fsync of the file nor of its directory, for blocks that may be lost (the read cache,
   * staged uploads). Still a temporary file renamed into place, so a crash never leaves part of a
   * block under its name; after a power cut the block may be absent (or, on some filesystems,
   * zero-filled: a verifying get() removes it). A later durable put of the same block syncs it.
   * Default true.
   */
  durable?: boolean;
}

export interface PutManyOptions {
  /** As {@link PutOptions.verified}: every entry's bytes were already checked against its CID. */
  verified?: boolean;
}

export interface GetOptions {
  /**
   * false: return the file's bytes without hashing them (serving a peer, which verifies on
   * arrival anyway: Kubo's HashOnRead=false). A rotted file then goes out as it is, and is not
   * removed. Default true.
   */
  verify?: boolean;
  /**
   * The block's size as the caller knows it (its database row): a block up to
   * SYNC_WRITE_MAX_BYTES is then read with one synchronous call, as it was written. Without it, or
   * for a bigger block, the read goes through the thread pool.
   */
  sizeHint?: number;
}

export interface BlockStoreStats {
  /** Blocks on disk. */
  blocks: number;
  /** Their total size in bytes. */
  bytes: number;
  /** Blocks found corrupt on read (and removed) since open. */
  corrupt: number;
}
