import { InvalidArgumentError, throwIfAborted } from '@peerweave/core';
import * as dagPb from '@ipld/dag-pb';
import type { CID } from 'multiformats/cid';
import type { BlockGetter } from './block-io.ts';
import { DAG_PB_CODE, RAW_CODE } from './cid.ts';
import { lazyImport } from './lazy-import.ts';

/** ipfs-unixfs (and protons-runtime under it), loaded by the first read of a file (see lazyImport). */
const loadUnixFs = lazyImport(async () => (await import('ipfs-unixfs')).UnixFS);

/** One leaf of a file: its block and the bytes of the file it carries. */
export interface FileLeaf {
  readonly cid: CID;
  /** Offset of the leaf's first byte in the file. */
  readonly offset: number;
  /** Bytes of the file in the leaf. */
  readonly size: number;
}

/**
 * The leaves of a UnixFS file in file order with their offsets, from the inner (dag-pb) nodes
 * alone: raw leaves are named, never fetched, so a downloader can fetch them from many peers at
 * once. Only the leaves that overlap `[offset, offset + length)` are yielded (all by default).
 * Inner nodes are fetched as the walk reaches them, so a reader that pulls leaves as it needs
 * them holds one path from the root (a few nodes of up to 174 links), not a list as long as the
 * file. A node whose leaves are not raw blocks (UnixFS data inside dag-pb leaves) is
 * INVALID_ARGUMENT when the walk reaches it: callers fall back to the exporter from there.
 */
export async function* walkFileLeaves(
  root: CID,
  get: BlockGetter,
  options: { offset?: number; length?: number; signal?: AbortSignal } = {},
): AsyncGenerator<FileLeaf> {
  const start = options.offset ?? 0;
  const end = options.length === undefined ? Number.POSITIVE_INFINITY : start + options.length;
  const getOptions = options.signal === undefined ? {} : { signal: options.signal };
  const UnixFS = await loadUnixFs();
  async function* visit(cid: CID, offset: number, size: number | undefined): AsyncGenerator<FileLeaf> {
    throwIfAborted(options.signal);
    if (cid.code === RAW_CODE) {
      if (size === undefined) size = (await get(cid, getOptions)).length;
      if (offset < end && offset + size > start) yield { cid, offset, size };
      return;
    }
    if (cid.code !== DAG_PB_CODE) throw new InvalidArgumentError(`${cid.toString()} is not a UnixFS block`);
    const node = dagPb.decode(await get(cid, getOptions));
    if (node.Data === undefined) throw new InvalidArgumentError(`${cid.toString()} has no UnixFS data`);
    const unixfs = UnixFS.unmarshal(node.Data);
    if (unixfs.type !== 'file' && unixfs.type !== 'raw') throw new InvalidArgumentError(`${cid.toString()} is not a file`);
    if (node.Links.length === 0) throw new InvalidArgumentError(`${cid.toString()} keeps its bytes inline; read it with the exporter`);
    let at = offset;
    for (let i = 0; i < node.Links.length; i++) {
      const childSize = Number(unixfs.blockSizes[i] ?? 0n);
      // Subtrees wholly outside the range are skipped without fetching them.
      if (at < end && at + childSize > start) yield* visit(node.Links[i]!.Hash, at, childSize);
      at += childSize;
    }
  }
  yield* visit(root, 0, undefined);
}

/** Every leaf of {@link walkFileLeaves} in one list (for small files and tests). */
export async function fileLeaves(
  root: CID,
  get: BlockGetter,
  options: { offset?: number; length?: number; signal?: AbortSignal } = {},
): Promise<FileLeaf[]> {
  const leaves: FileLeaf[] = [];
  for await (const leaf of walkFileLeaves(root, get, options)) leaves.push(leaf);
  return leaves;
}
