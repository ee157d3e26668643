import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptBlockError } from '@peerweave/core';
import type { CID } from 'multiformats/cid';
import { assertSupportedCid, blockMatches, cidToString, parseCid } from './cid.ts';

export type WriteStep = 'temp-written' | 'fsynced' | 'renamed';

export interface BlockStoreInit {
  /** Directory of the blocks (created on open). */
  dir: string;
  /** Test hook: called between steps of a write; throwing simulates a crash at that step. */
  onWriteStep?: (step: WriteStep) => void;
}

export interface BlockStoreStats {
  /** Blocks on disk. */
  blocks: number;
  /** Their total size in bytes. */
  bytes: number;
  /** Blocks found corrupt on read (and removed) since open. */
  corrupt: number;
}

/** Prefix of a write in progress; a file with it found by open() is a crashed write and is removed. */
const TEMP_PREFIX = '.tmp-';
/** Shard directory names: two base32 characters. */
const SHARD_NAME = /^[a-z2-7]{2}$/;
/** Files stat'ed at the same time while open() counts the store. */
const OPEN_STAT_CONCURRENCY = 32;

/**
 * Blocks as files, one per block, named by the canonical CID (CIDv1 base32) and sharded like
 * go-ipfs flatfs `next-to-last/2`: `<dir>/<the two characters before the last>/<cid>`. The last
 * character of a base32 CID carries only 3 bits of the digest; the two before it carry 10, so there
 * are 1024 evenly filled shards.
 *
 * A write goes to a temporary file in the shard directory, is fsynced, renamed over the final name
 * (atomic on POSIX) and the directory fsynced: after a crash a block is either whole or absent, and
 * open() sweeps away the temporary files. Bytes are checked against the CID before they are
 * written and again on every read, so a block that rotted on disk is removed, never returned.
 */
export class BlockStore {
  readonly #dir: string;
  readonly #onWriteStep: ((step: WriteStep) => void) | undefined;
  readonly #shards = new Set<string>();
  readonly #writing = new Map<string, Promise<boolean>>();
  /** Errors thrown by the test hook: a simulated crash leaves its temporary file behind, like a real one. */
  readonly #crashes = new WeakSet<object>();
  #blocks = 0;
  #bytes = 0;
  #corrupt = 0;

  constructor(init: BlockStoreInit) {
    this.#dir = init.dir;
    this.#onWriteStep = init.onWriteStep;
  }

  /** Creates the directory, removes the temporary files of crashed writes and counts the blocks. */
  async open(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    this.#blocks = 0;
    this.#bytes = 0;
    const pending: Promise<void>[] = [];
    const flush = async (): Promise<void> => {
      await Promise.all(pending.splice(0));
    };
    for (const shard of await readdir(this.#dir, { withFileTypes: true })) {
      if (!shard.isDirectory() || !SHARD_NAME.test(shard.name)) continue;
      this.#shards.add(shard.name);
      const shardDir = join(this.#dir, shard.name);
      for (const file of await readdir(shardDir, { withFileTypes: true })) {
        if (!file.isFile()) continue;
        const path = join(shardDir, file.name);
        if (file.name.startsWith(TEMP_PREFIX)) {
          pending.push(rm(path, { force: true }));
        } else if (blockFileName(file.name) !== undefined) {
          pending.push(
            stat(path).then(
              (s) => {
                this.#blocks += 1;
                this.#bytes += s.size;
              },
              ignoreMissing,
            ),
          );
        }
        if (pending.length >= OPEN_STAT_CONCURRENCY) await flush();
      }
    }
    await flush();
  }

  /**
   * Stores a block after checking it against `cid` (CORRUPT_BLOCK, nothing written, if it does not
   * match). True when it was new; storing a block again is a no-op.
   */
  async put(cid: CID, bytes: Uint8Array): Promise<boolean> {
    assertSupportedCid(cid);
    if (!blockMatches(cid, bytes)) {
      throw new CorruptBlockError(`bytes do not match ${cidToString(cid)}`);
    }
    const name = cidToString(cid);
    const inFlight = this.#writing.get(name);
    if (inFlight !== undefined) {
      await inFlight.catch(() => undefined);
      return this.put(cid, bytes);
    }
    const writing = this.#write(name, bytes);
    this.#writing.set(name, writing);
    try {
      return await writing;
    } finally {
      this.#writing.delete(name);
    }
  }

  /** The block's bytes, checked against `cid`; undefined when absent or found corrupt (and then removed). */
  async get(cid: CID): Promise<Uint8Array | undefined> {
    const name = cidToString(cid);
    const path = this.#path(name);
    let bytes: Uint8Array;
    try {
      const file = await readFile(path);
      bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    if (blockMatches(cid, bytes)) return bytes;
    // Rotted on disk (or truncated by something other than us): never serve it. Repair will
    // fetch a good copy from a replica.
    if (await removeFile(path)) {
      this.#corrupt += 1;
      this.#blocks -= 1;
      this.#bytes -= bytes.length;
    }
    return undefined;
  }

  async has(cid: CID): Promise<boolean> {
    try {
      return (await stat(this.#path(cidToString(cid)))).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  /** Removes a block; true if it was there. */
  async delete(cid: CID): Promise<boolean> {
    const path = this.#path(cidToString(cid));
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
    if (!(await removeFile(path))) return false;
    this.#blocks -= 1;
    this.#bytes -= size;
    return true;
  }

  /** Every block's CID (canonical CIDv1), in no particular order. */
  async *cids(): AsyncGenerator<CID, void, undefined> {
    let shards: string[];
    try {
      shards = (await readdir(this.#dir)).filter((name) => SHARD_NAME.test(name)).sort();
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    for (const shard of shards) {
      let names: string[];
      try {
        names = await readdir(join(this.#dir, shard));
      } catch (err) {
        if (isMissing(err)) continue;
        throw err;
      }
      for (const name of names) {
        const cid = blockFileName(name);
        if (cid !== undefined) yield cid;
      }
    }
  }

  stats(): BlockStoreStats {
    return { blocks: this.#blocks, bytes: this.#bytes, corrupt: this.#corrupt };
  }

  async #write(name: string, bytes: Uint8Array): Promise<boolean> {
    const shard = shardOf(name);
    const shardDir = join(this.#dir, shard);
    const path = join(shardDir, name);
    try {
      // A file of the right length was written whole (renamed into place after an fsync); a
      // shorter one is not ours to trust, so it is replaced.
      if ((await stat(path)).size === bytes.length) return false;
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    let existed = false;
    if (!this.#shards.has(shard)) {
      await mkdir(shardDir, { recursive: true });
      this.#shards.add(shard);
    }
    const temp = join(shardDir, `${TEMP_PREFIX}${name}-${randomBytes(6).toString('hex')}`);
    try {
      const handle = await open(temp, 'wx', 0o644);
      try {
        await handle.writeFile(bytes);
        this.#step('temp-written');
        await handle.sync();
        this.#step('fsynced');
      } finally {
        await handle.close();
      }
      existed = await stat(path).then(
        (s) => {
          this.#bytes -= s.size;
          return true;
        },
        () => false,
      );
      await rename(temp, path);
    } catch (err) {
      if (!(typeof err === 'object' && err !== null && this.#crashes.has(err))) await rm(temp, { force: true });
      throw err;
    }
    this.#bytes += bytes.length;
    if (!existed) this.#blocks += 1;
    this.#step('renamed');
    await syncDirectory(shardDir);
    return !existed;
  }

  #step(step: WriteStep): void {
    if (this.#onWriteStep === undefined) return;
    try {
      this.#onWriteStep(step);
    } catch (err) {
      if (typeof err === 'object' && err !== null) this.#crashes.add(err);
      throw err;
    }
  }

  #path(name: string): string {
    return join(this.#dir, shardOf(name), name);
  }
}

/** flatfs next-to-last/2: the two characters before the last one. */
function shardOf(name: string): string {
  return name.slice(-3, -1);
}

/** The CID a file in a shard is named after, or undefined for anything else (temporary files, strays). */
function blockFileName(name: string): CID | undefined {
  if (name.startsWith(TEMP_PREFIX)) return undefined;
  try {
    const cid = parseCid(name);
    return cidToString(cid) === name ? cid : undefined;
  } catch {
    return undefined;
  }
}

/** Makes a rename durable: the directory entry is fsynced too. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Unlinks a file; false if it was already gone. */
async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function ignoreMissing(err: unknown): void {
  if (!isMissing(err)) throw err;
}
