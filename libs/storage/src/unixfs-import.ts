import { createHash } from 'node:crypto';
import { InvalidArgumentError, PayloadTooLargeError, raceSignal, throwIfAborted } from '@peerweave/core';
import type { ImporterOptions } from 'ipfs-unixfs-importer';
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';
import type { BlockSink } from './block-io.ts';
import { RAW_CODE, SHA2_256_CODE } from './cid.ts';
import { lazyImport } from './lazy-import.ts';

/** Size of a leaf: Kubo's `--chunker=size-262144`, its default. */
export const CHUNK_SIZE = 262_144;

/** Links per inner node of the balanced layout: Kubo's default (what fits a 256 KiB block). */
export const MAX_CHILDREN_PER_NODE = 174;

/**
 * Leaves hashed and handed to the sink at the same time. The importer reads this many chunks
 * ahead, so it bounds memory (about this many chunks plus one) while letting a sink that writes
 * to several replicas work on a few blocks at once.
 */
export const IMPORT_BLOCK_CONCURRENCY = 4;

export interface ImportedBlock {
  cid: CID;
  /** Length of the block in bytes. */
  bytes: number;
}

export interface ImportedObject {
  /** Root CID: the object's id. */
  cid: CID;
  /** Size of the file in bytes. */
  size: number;
  /** Every block of the DAG once, in the order they reached the sink (the root last). */
  blocks: ImportedBlock[];
}

export interface ImportFileOptions {
  signal?: AbortSignal;
  /** Refuse (PayloadTooLargeError) a file longer than this many bytes. */
  maxBytes?: number;
}

/** ipfs-unixfs-importer, its chunker and layout: loaded by the first import (see lazyImport). */
const loadImporter = lazyImport(async () => {
  const [{ importer }, { fixedSize }, { balanced }] = await Promise.all([
    import('ipfs-unixfs-importer'),
    import('ipfs-unixfs-importer/chunker'),
    import('ipfs-unixfs-importer/layout'),
  ]);
  return { importer, fixedSize, balanced };
});

type ImporterModules = Awaited<ReturnType<typeof loadImporter>>;

/**
 * The importer options that give the ids of `ipfs add --cid-version=1 --raw-leaves
 * --chunker=size-262144` (Kubo): fixed 256 KiB chunks, balanced layout of at most 174 links, raw
 * leaves, CIDv1, a one-chunk file is its raw leaf. Spelled out instead of `profile`, whose
 * 'unixfs-v0-2015' preset would also mean CIDv0 and dag-pb leaves.
 */
function kuboOptions({ fixedSize, balanced }: ImporterModules): ImporterOptions {
  return {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
    layout: balanced({ maxChildrenPerNode: MAX_CHILDREN_PER_NODE }),
    wrapWithDirectory: false,
    fileImportConcurrency: 1,
    blockWriteConcurrency: IMPORT_BLOCK_CONCURRENCY,
  };
}

/**
 * Turns a byte stream into a UnixFS DAG, handing every block to `sink` as it is made (never the
 * whole file in memory). A chunk repeated in the file is one block: it reaches the sink and the
 * list once. On failure (abort, too large, sink error) the blocks already handed to the sink stay
 * wherever the sink put them; a caller that must clean up keeps track in its sink.
 *
 * A file of at most one chunk is its own raw leaf (`reduceSingleLeafToSelf`), so it is made here
 * from the bytes, one SHA-256, without the importer: the first chunk's bytes are read before the
 * importer is asked for, and only a longer file goes through it (those bytes first). Small objects
 * then neither load the importer's modules nor pay its generators per put (issue #11, small
 * objects; issue #12, memory after a store). The ids are the same: the reference table in the spec
 * runs both ways.
 */
export async function importFile(
  source: AsyncIterable<Uint8Array>,
  sink: BlockSink,
  options: ImportFileOptions = {},
): Promise<ImportedObject> {
  const { signal, maxBytes } = options;
  if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes >= 0)) {
    throw new InvalidArgumentError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
  }
  throwIfAborted(signal);

  let size = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const piece of source) {
      throwIfAborted(signal);
      if (!(piece instanceof Uint8Array)) throw new InvalidArgumentError('a file source must yield Uint8Array pieces');
      size += piece.length;
      if (maxBytes !== undefined && size > maxBytes) {
        throw new PayloadTooLargeError(`file is larger than the limit of ${maxBytes} bytes`, {
          details: { maxBytes },
        });
      }
      yield piece;
    }
  }

  const blocks: ImportedBlock[] = [];
  // One promise per distinct block: a repeated chunk waits for the first copy's sink call, so the
  // root never reaches the sink before every block it links to has.
  const written = new Map<string, Promise<void>>();
  const store = {
    put: async (cid: CID, bytes: unknown): Promise<CID> => {
      throwIfAborted(signal);
      if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('the importer gave a block that is not bytes');
      const key = cid.toString();
      let done = written.get(key);
      if (done === undefined) {
        blocks.push({ cid, bytes: bytes.length });
        done = sink(cid, bytes, signal === undefined ? {} : { signal });
        written.set(key, done);
      }
      await done;
      return cid;
    },
  };

  const run = async (): Promise<ImportedObject> => {
    const pieces = counted();
    const head: Uint8Array[] = [];
    while (size <= CHUNK_SIZE) {
      const next = await pieces.next();
      if (next.done === true) return oneLeaf(head, size, sink, signal);
      head.push(next.value);
    }
    const modules = await loadImporter();
    async function* content(): AsyncGenerator<Uint8Array> {
      yield* head;
      yield* pieces;
    }
    let root: CID | undefined;
    for await (const entry of modules.importer([{ content: content() }], store, kuboOptions(modules))) root = entry.cid;
    if (root === undefined) throw new InvalidArgumentError('nothing was imported');
    throwIfAborted(signal);
    return { cid: root, size, blocks };
  };
  return raceSignal(run(), signal);
}

/** A file of at most one chunk, read whole into `pieces`: its raw leaf, handed to `sink`. */
async function oneLeaf(pieces: Uint8Array[], size: number, sink: BlockSink, signal: AbortSignal | undefined): Promise<ImportedObject> {
  const bytes = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, size);
  const cid = CID.createV1(RAW_CODE, createDigest(SHA2_256_CODE, createHash('sha256').update(bytes).digest()));
  throwIfAborted(signal);
  await sink(cid, bytes, signal === undefined ? {} : { signal });
  return { cid, size, blocks: [{ cid, bytes: size }] };
}
