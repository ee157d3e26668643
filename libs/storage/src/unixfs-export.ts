import {
  InvalidArgumentError,
  isPeerweaveError,
  RangeNotSatisfiableError,
  throwIfAborted,
  toAbortError,
} from '@peerweave/core';
import type { UnixFSEntry } from 'ipfs-unixfs-exporter';
import type { CID } from 'multiformats/cid';
import type { BlockGetter } from './block-io.ts';
import { DAG_PB_CODE, RAW_CODE } from './cid.ts';
import { lazyImport } from './lazy-import.ts';
import { CHUNK_SIZE } from './unixfs-import.ts';

/**
 * ipfs-unixfs-exporter, loaded by the first stat or export (see lazyImport): with its resolvers of
 * dag-cbor, dag-json and sharded directories it is the largest of the IPFS libraries.
 */
const loadExporter = lazyImport(async () => (await import('ipfs-unixfs-exporter')).exporter);

/**
 * Bytes asked of the exporter at a time. ipfs-unixfs-exporter reads every block of the range it is
 * given as fast as the getter answers, whether or not the bytes are consumed (measured: two chunks
 * into a 50 MiB file it had fetched all 200 leaves). Asking window by window keeps a slow reader
 * (an HTTP client on a bad link) from pulling a whole object into memory.
 */
export const EXPORT_WINDOW_BYTES = 4 * CHUNK_SIZE;

/** Blocks fetched at the same time within a window. */
const BLOCK_READ_CONCURRENCY = 4;

/** Inner dag-pb nodes kept between windows, so each is fetched once per export, not once per window. */
const INNER_NODE_CACHE_ENTRIES = 64;
/** A dag-pb block larger than this holds data (a non-raw leaf), not links: not worth caching. */
const INNER_NODE_CACHE_MAX_BYTES = 64 * 1024;
/** Leaves kept: the one fetched past a window's end, which the next window starts with. */
const LEAF_CACHE_ENTRIES = 2;

export interface ExportFileOptions {
  /** First byte to return; at most the file's size. */
  offset?: number;
  /** Bytes to return from `offset`; clipped at the end of the file. */
  length?: number;
  signal?: AbortSignal;
}

export interface ObjectStat {
  /** Size of the file in bytes. */
  size: number;
  /**
   * Number of distinct blocks of the DAG, when the root alone tells: a raw leaf, or a root whose
   * links are all raw leaves. Undefined for deeper trees.
   */
  blocks?: number;
}

/**
 * The size of the file `cid` from its root block alone: a raw block is its own content, a dag-pb
 * UnixFS file says its size. Anything else (a directory, a symlink, a dag-pb node that is not
 * UnixFS) is InvalidArgumentError "not a file".
 */
export async function statObject(
  cid: CID,
  get: BlockGetter,
  options: { signal?: AbortSignal } = {},
): Promise<ObjectStat> {
  const entry = await resolveFile(cid, get, options.signal);
  const size = Number(entry.size);
  if (entry.type === 'raw') return { size, blocks: 1 };
  if (entry.type === 'file' && entry.node.Links.every((link) => link.Hash.code === RAW_CODE)) {
    // Distinct leaves: a repeated chunk is one block (as importFile counts them).
    return { size, blocks: 1 + new Set(entry.node.Links.map((link) => link.Hash.toString())).size };
  }
  return { size };
}

/**
 * Streams the bytes of the file `cid` (or of `[offset, offset + length)`), fetching only the
 * blocks that range needs, a window at a time.
 */
export async function* exportFile(
  cid: CID,
  get: BlockGetter,
  options: ExportFileOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const { signal } = options;
  const offset = options.offset ?? 0;
  if (!(Number.isSafeInteger(offset) && offset >= 0)) {
    throw new InvalidArgumentError(`offset must be a non-negative integer, got ${offset}`);
  }
  if (options.length !== undefined && !(Number.isSafeInteger(options.length) && options.length >= 0)) {
    throw new InvalidArgumentError(`length must be a non-negative integer, got ${options.length}`);
  }
  if (cid.code === RAW_CODE) {
    // A raw block is its own content: no exporter, no resolution (a one-block object's read).
    throwIfAborted(signal);
    let bytes: Uint8Array;
    try {
      bytes = await get(cid, signal === undefined ? {} : { signal });
    } catch (err) {
      throw translateExporterError(err, cid, signal);
    }
    if (offset > bytes.length) {
      throw new RangeNotSatisfiableError(`offset ${offset} is beyond the end of the ${bytes.length}-byte file`, {
        details: { size: bytes.length },
      });
    }
    const end = options.length === undefined ? bytes.length : Math.min(bytes.length, offset + options.length);
    if (end > offset) yield offset === 0 && end === bytes.length ? bytes : bytes.subarray(offset, end);
    return;
  }
  const cached = cachingGetter(get);
  const entry = await resolveFile(cid, cached, signal);
  const size = Number(entry.size);
  if (offset > size) {
    throw new RangeNotSatisfiableError(`offset ${offset} is beyond the end of the ${size}-byte file`, {
      details: { size },
    });
  }
  const end = options.length === undefined ? size : Math.min(size, offset + options.length);

  let position = offset;
  while (position < end) {
    throwIfAborted(signal);
    // Windows end on multiples of the window size, so a 256 KiB leaf never straddles two.
    const windowEnd = Math.min(end, (Math.floor(position / EXPORT_WINDOW_BYTES) + 1) * EXPORT_WINDOW_BYTES);
    try {
      for await (const bytes of entry.content({
        offset: position,
        length: windowEnd - position,
        blockReadConcurrency: BLOCK_READ_CONCURRENCY,
        ...(signal === undefined ? {} : { signal }),
      })) {
        if (bytes.length > 0) yield bytes;
      }
    } catch (err) {
      throw translateExporterError(err, cid, signal);
    }
    position = windowEnd;
  }
}

type FileEntry = Extract<UnixFSEntry, { type: 'file' | 'raw' }>;

async function resolveFile(cid: CID, get: BlockGetter, signal: AbortSignal | undefined): Promise<FileEntry> {
  throwIfAborted(signal);
  if (cid.code !== RAW_CODE && cid.code !== DAG_PB_CODE) {
    throw new InvalidArgumentError(`not a file: ${cid.toString()} is neither raw nor dag-pb`);
  }
  let entry: UnixFSEntry;
  try {
    const exporter = await loadExporter();
    entry = await exporter(cid, readableStorage(get), signal === undefined ? {} : { signal });
  } catch (err) {
    throw translateExporterError(err, cid, signal);
  }
  if (entry.type === 'raw') return entry;
  if (entry.type === 'file' && (entry.unixfs.type === 'file' || entry.unixfs.type === 'raw')) return entry;
  const what = entry.type === 'file' ? entry.unixfs.type : entry.type;
  throw new InvalidArgumentError(`not a file: ${cid.toString()} is a UnixFS ${what}`);
}

/** The exporter's view of a getter: interface-blockstore 7 streams a block's bytes. */
function readableStorage(get: BlockGetter) {
  return {
    async *get(cid: CID, options: { signal?: AbortSignal } = {}): AsyncGenerator<Uint8Array> {
      yield await get(cid, options.signal === undefined ? {} : { signal: options.signal });
    },
  };
}

/**
 * Keeps blocks for the length of one export: small dag-pb blocks (inner nodes, wanted by every
 * window under them) and the last leaves asked for. The exporter's end-of-range test is inclusive,
 * so a window ending on a leaf boundary also fetches the leaf after it; that leaf starts the next
 * window and is served from here instead of being fetched again.
 */
function cachingGetter(get: BlockGetter): BlockGetter {
  const inner = new LruMap<Promise<Uint8Array>>(INNER_NODE_CACHE_ENTRIES);
  const leaves = new LruMap<Promise<Uint8Array>>(LEAF_CACHE_ENTRIES);
  return (cid, options) => {
    const key = cid.toString();
    const hit = inner.get(key) ?? leaves.get(key);
    if (hit !== undefined) return hit;
    const isInner = cid.code === DAG_PB_CODE;
    const cache = isInner ? inner : leaves;
    const pending = get(cid, options);
    cache.set(key, pending);
    pending.then(
      (bytes) => {
        // A big dag-pb block carries data (a leaf of a DAG without raw leaves), not links.
        if (isInner && bytes.length > INNER_NODE_CACHE_MAX_BYTES) cache.delete(key);
      },
      () => cache.delete(key),
    );
    return pending;
  };
}

/** A Map that forgets its least recently used entry beyond `capacity`. */
class LruMap<V> {
  readonly #entries = new Map<string, V>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      // Map iteration follows insertion order: re-inserting makes it the newest.
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}

/** Our typed errors pass through; the exporter's own become INVALID_ARGUMENT (the DAG is not a readable file). */
function translateExporterError(err: unknown, cid: CID, signal: AbortSignal | undefined): unknown {
  if (isPeerweaveError(err)) return err;
  if (signal?.aborted) return toAbortError(signal);
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  if (['NotUnixFSError', 'OverReadError', 'UnderReadError', 'NoResolverError', 'InvalidParametersError'].includes(name)) {
    return new InvalidArgumentError(`not a readable UnixFS file: ${cid.toString()} (${message})`, { cause: err });
  }
  return err;
}
