import {
  close as closeFd,
  closeSync,
  constants,
  fsync as fsyncFd,
  open as openFd,
  openSync,
  unlink as unlinkFd,
  unlinkSync,
  write as writeFd,
  writeSync,
} from 'node:fs';
import { type FileHandle, open, readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { CID } from 'multiformats/cid';
import { cidToString, parseCid } from './cid.ts';
import { defaultFsync, type Fsync, type SyncTarget } from './commit-log.ts';

// The block store's file layout: one file per block, named by its canonical CID, in go-ipfs
// flatfs `next-to-last/2` shards, written through temporary files. No state: BlockStore keeps it.

/** Prefix of a write in progress; a file with it found by open() is a crashed write and is removed. */
export const TEMP_PREFIX = '.tmp-';
/** Shard directory names: two base32 characters. */
const SHARD_NAME = /^[a-z2-7]{2}$/;
/** Files stat'ed at the same time while open() counts the store. */
const OPEN_STAT_CONCURRENCY = 32;

/**
 * flatfs next-to-last/2: the two characters before the last one. The last character of a base32
 * CID carries only 3 bits of the digest; the two before it carry 10, so 1024 evenly filled shards.
 */
export function shardOf(name: string): string {
  return name.slice(-3, -1);
}

/** Path of a block's file: `<dir>/<shard>/<cid>`. */
export function blockPath(dir: string, name: string): string {
  return join(dir, shardOf(name), name);
}

/** The CID a file in a shard is named after, or undefined for anything else (temporary files, strays). */
export function blockFileName(name: string): CID | undefined {
  if (name.startsWith(TEMP_PREFIX)) return undefined;
  try {
    const cid = parseCid(name);
    return cidToString(cid) === name ? cid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Walks the shards of `dir` once, at open: removes the temporary files of crashed writes and counts
 * the block files. Returns the shard names found and the blocks' count and total size.
 */
export async function scanBlockFiles(dir: string): Promise<{ shards: string[]; blocks: number; bytes: number }> {
  const shards: string[] = [];
  let blocks = 0;
  let bytes = 0;
  const pending: Promise<void>[] = [];
  const flush = async (): Promise<void> => {
    await Promise.all(pending.splice(0));
  };
  for (const shard of await readdir(dir, { withFileTypes: true })) {
    if (!shard.isDirectory() || !SHARD_NAME.test(shard.name)) continue;
    shards.push(shard.name);
    const shardDir = join(dir, shard.name);
    for (const file of await readdir(shardDir, { withFileTypes: true })) {
      if (!file.isFile()) continue;
      const path = join(shardDir, file.name);
      if (file.name.startsWith(TEMP_PREFIX)) {
        pending.push(rm(path, { force: true }));
      } else if (blockFileName(file.name) !== undefined) {
        pending.push(
          stat(path).then(
            (s) => {
              blocks += 1;
              bytes += s.size;
            },
            ignoreMissing,
          ),
        );
      }
      if (pending.length >= OPEN_STAT_CONCURRENCY) await flush();
    }
  }
  await flush();
  return { shards, blocks, bytes };
}

/** Every block file's CID under `dir`, shard by shard; files removed meanwhile are skipped. */
export async function* listBlockFiles(dir: string): AsyncGenerator<CID, void, undefined> {
  let shards: string[];
  try {
    shards = (await readdir(dir)).filter((name) => SHARD_NAME.test(name)).sort();
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  for (const shard of shards) {
    let names: string[];
    try {
      names = await readdir(join(dir, shard));
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

/** Opens a file (or directory) to read; undefined if it is not there. */
export async function openIfPresent(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/**
 * fsyncs a file or directory by path; false if it is not there. With the real fsync
 * (`defaultFsync`) through callback `fs` calls: a checkpoint syncs every block file the commit log
 * covers, and fs/promises' FileHandle and promise per step cost about as much as the write of a
 * small block did (checkpoint of 4 KiB blocks on tmpfs: 45-50 us of CPU per block through
 * fs/promises). A test hook `fsync` gets a FileHandle as before.
 */
export async function syncPath(fsync: Fsync, path: string, target: SyncTarget): Promise<boolean> {
  if (fsync === defaultFsync) return syncByPath(path);
  const handle = await openIfPresent(path);
  if (handle === undefined) return false;
  try {
    await fsync(handle, target);
  } finally {
    await handle.close();
  }
  return true;
}

/** open(2) flags of a block file written in place: created here, or not at all. */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;

/**
 * A file created in place whose write failed and that could not be removed: it holds part of a
 * block under the block's name, which only a replay of the commit log repairs.
 */
export class TornFileError extends Error {
  constructor(path: string, cause: unknown) {
    super(`${path}: write failed and the partial file could not be removed`, { cause });
    this.name = 'TornFileError';
  }
}

/**
 * Blocks up to this size are written in place with synchronous calls (createFileSync), bigger ones
 * through the thread pool (createFile). A small block's open, write and close are a few µs of
 * kernel work each; through the thread pool each is also a wake-up of a pool thread and of the
 * event loop, which on a busy machine costs more than the call. Measured, 4 KiB blocks on tmpfs:
 * 11 µs of CPU per file synchronously, 21 µs with callbacks, 98 µs with fs/promises and a rename;
 * 6 nodes on 2 cores (bench/.small-local): 7.6 against 8.6 ms of CPU per put, sync against
 * callbacks. The cost: the event loop waits for the file's creation, which on this machine's ext4
 * (where the containers keep their blocks) took 60 to 550 µs of kernel time per 4 KiB file,
 * varying from run to run, and which the thread pool would have spent beside it; node:sqlite
 * already does its I/O on the event loop the same way. Big
 * blocks (the 256 KiB leaves of bulk transfers) stay off the event loop.
 */
export const SYNC_WRITE_MAX_BYTES = 64 * 1024;

/**
 * Creates `path` (O_EXCL) and writes `bytes` into it, no fsync, synchronously: false, writing
 * nothing, when a file is already there. `afterCreate` runs once the (still empty) file exists; if
 * it throws, the file is left as it is (a simulated crash) and its error is rethrown. A failed
 * write removes the partial file and throws the write's error (TornFileError if the file could
 * not be removed either).
 */
export function createFileSync(path: string, bytes: Uint8Array, afterCreate?: () => void): boolean {
  let fd: number;
  try {
    fd = openSync(path, CREATE_NEW, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    afterCreate?.();
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  try {
    try {
      for (let done = 0; done < bytes.length; ) {
        const written = writeSync(fd, bytes, done, bytes.length - done);
        if (written <= 0) throw new Error(`write to ${path} wrote nothing`);
        done += written;
      }
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    try {
      unlinkSync(path);
    } catch (unlinkErr) {
      if (!isMissing(unlinkErr)) throw new TornFileError(path, err);
    }
    throw err;
  }
  return true;
}

/**
 * createFileSync through the thread pool, for big blocks: resolves false when a file is already
 * there, rejects as createFileSync throws. Callback `fs` calls, not `fs/promises`: the same three
 * thread-pool trips (open, write, close), but no FileHandle, no promise per step and no Error
 * built for an expected outcome.
 */
export function createFile(path: string, bytes: Uint8Array, afterCreate?: () => void): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    openFd(path, CREATE_NEW, 0o644, (openErr, fd) => {
      if (openErr !== null) {
        if (openErr.code === 'EEXIST') resolve(false);
        else reject(openErr);
        return;
      }
      const fail = (err: unknown): void => {
        unlinkFd(path, (unlinkErr) => reject(unlinkErr === null || unlinkErr.code === 'ENOENT' ? err : new TornFileError(path, err)));
      };
      try {
        afterCreate?.();
      } catch (err) {
        closeFd(fd, () => reject(err));
        return;
      }
      const writeFrom = (done: number): void => {
        if (done >= bytes.length) {
          closeFd(fd, (closeErr) => (closeErr === null ? resolve(true) : fail(closeErr)));
          return;
        }
        writeFd(fd, bytes, done, bytes.length - done, null, (err, written) => {
          if (err === null && written > 0) writeFrom(done + written);
          else closeFd(fd, () => fail(err ?? new Error(`write to ${path} wrote nothing`)));
        });
      };
      writeFrom(0);
    });
  });
}

/** open, fsync, close with callbacks; false if the path is not there. */
function syncByPath(path: string): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    openFd(path, 'r', (openErr, fd) => {
      if (openErr !== null) {
        if (isMissing(openErr)) resolve(false);
        else reject(openErr);
        return;
      }
      fsyncFd(fd, (syncErr) => {
        closeFd(fd, (closeErr) => {
          if (syncErr !== null) reject(syncErr);
          else if (closeErr !== null) reject(closeErr);
          else resolve(true);
        });
      });
    });
  });
}

/** Unlinks a file; false if it was already gone. */
export async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function ignoreMissing(err: unknown): void {
  if (!isMissing(err)) throw err;
}
