import { CorruptBlockError, throwIfAborted } from '@peerweave/core';
import * as dagPb from '@ipld/dag-pb';
import type { CID } from 'multiformats/cid';
import type { BlockGetter } from './block-io.ts';
import { assertSupportedCid, DAG_PB_CODE, RAW_CODE } from './cid.ts';

/**
 * The children of one block: the links of a dag-pb node in order, none for a raw leaf. A dag-pb
 * block that does not decode is CORRUPT_BLOCK; a link to a CID we do not store (another codec or
 * hash) is INVALID_CID, so a walk never wanders off into blocks it could not check.
 */
export function blockLinks(cid: CID, bytes: Uint8Array): CID[] {
  if (cid.code === RAW_CODE) return [];
  if (cid.code !== DAG_PB_CODE) assertSupportedCid(cid);
  let node: dagPb.PBNode;
  try {
    node = dagPb.decode(bytes);
  } catch (err) {
    throw new CorruptBlockError(`${cid.toString()} is not a valid dag-pb block: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return node.Links.map((link) => {
    assertSupportedCid(link.Hash);
    return link.Hash;
  });
}

/**
 * Every block of the DAG under `cid`: the root first, then depth-first in link order, each block
 * once (a repeated chunk is one block). Holds only the links still to visit, never the blocks.
 */
export async function* dagBlocks(
  cid: CID,
  get: BlockGetter,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<{ cid: CID; bytes: Uint8Array }, void, undefined> {
  const { signal } = options;
  const getOptions = signal === undefined ? {} : { signal };
  const seen = new Set<string>();
  const stack: CID[] = [cid];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    throwIfAborted(signal);
    const key = next.toString();
    if (seen.has(key)) continue;
    seen.add(key);
    const bytes = await get(next, getOptions);
    yield { cid: next, bytes };
    const links = blockLinks(next, bytes);
    for (let i = links.length - 1; i >= 0; i--) {
      const link = links[i];
      if (link !== undefined && !seen.has(link.toString())) stack.push(link);
    }
  }
}
