import { CorruptBlockError, NotFoundError, throwIfAborted } from '@peerweave/core';
import type { CID } from 'multiformats/cid';
import type { BlockGetter, BlockSink } from '../block-io.ts';
import { blockMatches, cidToString } from '../cid.ts';

/**
 * Blocks in a Map, for tests: `sink` checks and stores like a BlockStore would, `get` returns
 * the bytes or NotFoundError, and `gets` counts reads (to check what a range fetches).
 */
export class MemoryBlocks {
  readonly blocks = new Map<string, Uint8Array>();
  gets = 0;

  readonly sink: BlockSink = async (cid, bytes, options) => {
    throwIfAborted(options.signal);
    if (!blockMatches(cid, bytes)) throw new CorruptBlockError(`bytes do not match ${cidToString(cid)}`);
    this.blocks.set(cidToString(cid), bytes);
  };

  readonly get: BlockGetter = async (cid, options) => {
    throwIfAborted(options.signal);
    this.gets += 1;
    const bytes = this.blocks.get(cidToString(cid));
    if (bytes === undefined) throw new NotFoundError(`block ${cidToString(cid)} not found`);
    return bytes;
  };

  has(cid: CID): boolean {
    return this.blocks.has(cidToString(cid));
  }
}
