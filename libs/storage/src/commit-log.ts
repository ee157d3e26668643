import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { MAX_CID_LENGTH, UnavailableError } from '@peerweave/core';

/** Name of the write-ahead log in the block store's directory. */
export const COMMIT_LOG_FILE = 'commit.log';

/**
 * Log size (bytes) past which the block store checkpoints: fsyncs the block files the log covers,
 * then empties it. Bigger means fewer checkpoints (each fsyncs everything written since the last,
 * so the cost per block barely changes) but a longer replay after a crash and up to this much disk
 * held twice; 256 MiB is about a thousand 256 KiB blocks, replayed in a second or two.
 */
export const DEFAULT_COMMIT_LOG_CHECKPOINT_BYTES = 256 * 1024 * 1024;

/**
 * Blocks with a put record in the log past which the block store checkpoints too, whatever the
 * log's size. The store remembers each such block until the next checkpoint (its name, and its
 * file's path to fsync: ~0.3 KiB of heap per block, measured with 4 KiB blocks). Small objects
 * reach the byte bound only after ~60 000 blocks, so without this a node that took 10 000 small
 * puts kept ~3 MiB of names in its heap while idle; with it, at most ~1.3 MiB, and a checkpoint
 * fsyncs at most this many files (the same fsyncs per block, in smaller groups).
 */
export const DEFAULT_COMMIT_LOG_CHECKPOINT_BLOCKS = 4096;

/** What an fsync makes durable: a block file, a directory entry, or the commit log. */
export type SyncTarget = 'block' | 'directory' | 'log';

/**
 * Performs one fsync. The default is `handle.sync()` (fsync), and `handle.datasync()` (fdatasync)
 * for the log, whose appends change only data and size. Injectable so specs can count syncs or
 * hold one back.
 */
export type Fsync = (handle: FileHandle, target: SyncTarget) => Promise<void>;

export const defaultFsync: Fsync = (handle, target) => (target === 'log' ? handle.datasync() : handle.sync());

/** A block written, or one deleted (so that replay does not bring it back). */
export type CommitLogRecord =
  | { kind: 'put'; name: string; bytes: Uint8Array }
  | { kind: 'delete'; name: string };

/** A record read back: for a put, where its bytes are (read them with {@link readLogBytes}). */
export interface LoggedRecord {
  kind: 'put' | 'delete';
  /** Canonical CID string (CIDv1 base32) of the block. */
  name: string;
  /** Offset of the block's bytes in the log. */
  dataOffset: number;
  dataLength: number;
}

/*
 * Record layout, little-endian. Only append to the kinds.
 *   0  u32  magic "PWL1"
 *   4  u8   kind: 1 put, 2 delete
 *   5  u8   name length n (a CID string, at most MAX_CID_LENGTH)
 *   6  u32  data length d (0 for a delete)
 *  10  u32  CRC-32 of bytes 4..10 and the name
 *  14  n    name (ASCII)
 *  14+n d   the block's bytes: not in the CRC, replay checks them against the CID instead
 * A crash mid-append leaves a short or zero-filled tail: a bad magic or CRC, or a length running past
 * the end of the file, ends the log there.
 */
const MAGIC = 0x314c5750; // "PWL1" read as a little-endian u32
const HEADER_BYTES = 14;
const KIND_CODES = { put: 1, delete: 2 } as const;

/** The two buffers of a record: header and name, then the block's bytes (written with writev, not copied). */
export function encodeLogRecord(record: CommitLogRecord): Uint8Array[] {
  const name = Buffer.from(record.name, 'latin1');
  if (name.length === 0 || name.length > MAX_CID_LENGTH) throw new RangeError(`bad block name ${record.name}`);
  const dataLength = record.kind === 'put' ? record.bytes.length : 0;
  const head = Buffer.allocUnsafe(HEADER_BYTES + name.length);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt8(KIND_CODES[record.kind], 4);
  head.writeUInt8(name.length, 5);
  head.writeUInt32LE(dataLength, 6);
  name.copy(head, HEADER_BYTES);
  head.writeUInt32LE(headerCrc(head, name.length), 10);
  return record.kind === 'put' ? [head, record.bytes] : [head];
}

function headerCrc(head: Buffer, nameLength: number): number {
  return crc32(head.subarray(HEADER_BYTES, HEADER_BYTES + nameLength), crc32(head.subarray(4, 10)));
}

/**
 * The records of a log, in order, up to the first that is incomplete or damaged (a crash
 * mid-append): everything after it is ignored. Bytes are not read here; a put's bytes may still
 * not match its CID, which the caller checks.
 */
export async function* readCommitLog(handle: FileHandle): AsyncGenerator<LoggedRecord, void, undefined> {
  const size = (await handle.stat()).size;
  const head = Buffer.alloc(HEADER_BYTES + MAX_CID_LENGTH);
  let offset = 0;
  while (offset + HEADER_BYTES <= size) {
    const { bytesRead } = await handle.read(head, 0, Math.min(head.length, size - offset), offset);
    if (bytesRead < HEADER_BYTES || head.readUInt32LE(0) !== MAGIC) return;
    const code = head.readUInt8(4);
    const nameLength = head.readUInt8(5);
    const dataLength = head.readUInt32LE(6);
    const kind = code === KIND_CODES.put ? 'put' : code === KIND_CODES.delete ? 'delete' : undefined;
    if (kind === undefined || nameLength === 0 || nameLength > MAX_CID_LENGTH) return;
    if (bytesRead < HEADER_BYTES + nameLength || headerCrc(head, nameLength) !== head.readUInt32LE(10)) return;
    const dataOffset = offset + HEADER_BYTES + nameLength;
    if (dataOffset + dataLength > size) return;
    yield { kind, name: head.toString('latin1', HEADER_BYTES, HEADER_BYTES + nameLength), dataOffset, dataLength };
    offset = dataOffset + dataLength;
  }
}

/** A put record's bytes. */
export async function readLogBytes(handle: FileHandle, record: LoggedRecord): Promise<Uint8Array> {
  const bytes = new Uint8Array(record.dataLength);
  let done = 0;
  while (done < bytes.length) {
    const { bytesRead } = await handle.read(bytes, done, bytes.length - done, record.dataOffset + done);
    if (bytesRead === 0) throw new Error(`commit log ended inside a record at ${record.dataOffset + done}`);
    done += bytesRead;
  }
  return bytes;
}

export interface CommitLogInit {
  /** Path of the log file (created on the first append). */
  path: string;
  fsync?: Fsync;
}

interface PendingAppend {
  buffers: Uint8Array[];
  onLogged: () => void;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * An append-only write-ahead log with group commit. Every append waits for an fdatasync of the
 * log; appends that arrive while one sync runs share the next one, so N concurrent callers pay
 * about two syncs, not N. Each append's records are written contiguously, never interleaved with
 * another's. Operations run one at a time in arrival order; {@link exclusive} runs work between
 * them (a checkpoint truncating the log).
 *
 * A failed write is cut off again; a failed sync leaves the log in an unknown state (the kernel
 * may have dropped the dirty pages and will not say so twice), so the log refuses every later
 * append with UNAVAILABLE, and is not truncated: the next open replays it.
 */
export class CommitLog {
  readonly #path: string;
  readonly #fsync: Fsync;
  #handle: FileHandle | undefined;
  #size = 0;
  #queue: PendingAppend[] = [];
  #flushQueued = false;
  /** The end of the chain of operations; each starts when the one before has settled. */
  #tail: Promise<void> = Promise.resolve();
  #failure: Error | undefined;

  constructor(init: CommitLogInit) {
    this.#path = init.path;
    this.#fsync = init.fsync ?? defaultFsync;
  }

  /** Bytes in the log (as far as this process wrote it; opened lazily). */
  get size(): number {
    return this.#size;
  }

  /** Why the log refuses appends, if it does. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Appends `records` and resolves once they are on disk. `onLogged` runs right after the sync,
   * before any later operation of the log starts: what it registers is seen by a checkpoint.
   */
  append(records: readonly CommitLogRecord[], onLogged: () => void = noop): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const buffers = records.flatMap(encodeLogRecord);
    const promise = new Promise<void>((resolve, reject) => {
      this.#queue.push({ buffers, onLogged, resolve, reject });
    });
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      void this.#enqueue(() => this.#flush());
    }
    return promise;
  }

  /** Runs `work` after every append already made has been written and synced, holding later ones back. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.#enqueue(work);
  }

  /** Empties the log, durably. Call inside {@link exclusive}. */
  async truncate(): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    const handle = await this.#open();
    try {
      await handle.truncate(0);
      await this.#fsync(handle, 'log');
    } catch (err) {
      this.fail(err);
      throw this.#failure;
    }
    this.#size = 0;
  }

  /** Refuses every later append (a checkpoint could not make the files durable). */
  fail(err: unknown): void {
    this.#failure ??= new UnavailableError(`commit log ${this.#path} failed: ${(err as Error).message}`, { cause: err });
  }

  /** Waits for the operations in progress, then closes the file (it reopens on the next append). */
  async close(): Promise<void> {
    await this.#enqueue(async () => {
      const handle = this.#handle;
      this.#handle = undefined;
      await handle?.close();
    });
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(work);
    this.#tail = run.then(noop, noop);
    return run;
  }

  async #flush(): Promise<void> {
    this.#flushQueued = false;
    const group = this.#queue.splice(0);
    try {
      if (this.#failure !== undefined) throw this.#failure;
      const handle = await this.#open();
      const start = this.#size;
      try {
        await writeAllAt(handle, group.flatMap((a) => a.buffers), start);
      } catch (err) {
        // Cut the partial records off so the next append does not land behind them.
        await handle.truncate(start).catch((cutErr: unknown) => this.fail(cutErr));
        throw err;
      }
      try {
        await this.#fsync(handle, 'log');
      } catch (err) {
        this.fail(err);
        throw err;
      }
      this.#size = start + group.reduce((n, a) => n + a.buffers.reduce((m, b) => m + b.length, 0), 0);
    } catch (err) {
      for (const a of group) a.reject(err);
      return;
    }
    for (const a of group) {
      try {
        a.onLogged();
        a.resolve();
      } catch (err) {
        a.reject(err);
      }
    }
  }

  async #open(): Promise<FileHandle> {
    if (this.#handle !== undefined) return this.#handle;
    const handle = await open(this.#path, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      this.#size = (await handle.stat()).size;
      // A file just created exists durably only once its directory is synced.
      const dir = await open(dirname(this.#path), 'r');
      try {
        await this.#fsync(dir, 'directory');
      } finally {
        await dir.close();
      }
    } catch (err) {
      await handle.close();
      throw err;
    }
    this.#handle = handle;
    return handle;
  }
}

/** Writes every buffer at `position` on, however many calls it takes. */
async function writeAllAt(handle: FileHandle, buffers: Uint8Array[], position: number): Promise<void> {
  let pending = buffers.filter((b) => b.length > 0);
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending, position);
    if (bytesWritten <= 0) throw new Error('writev wrote nothing');
    position += bytesWritten;
    let skip = bytesWritten;
    let i = 0;
    for (; i < pending.length && skip >= (pending[i]?.length ?? 0); i++) skip -= pending[i]?.length ?? 0;
    pending = pending.slice(i);
    const first = pending[0];
    if (first !== undefined && skip > 0) pending[0] = first.subarray(skip);
  }
}

function noop(): void {}
