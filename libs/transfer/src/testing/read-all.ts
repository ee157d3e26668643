import type { Clock } from '@peerweave/core';
import type { SwarmBlock } from '../block-source.ts';
import type { DeliveryTracker } from './delivery-tracker.ts';

export interface ReadAllOptions {
  /** Told each block as the reader takes it. */
  tracker?: DeliveryTracker;
  /** A slow reader: clock time spent on each block before asking for the next. */
  clock?: Clock;
  readDelayMs?: number;
  /** Keep the bytes and return them joined (default true; false for huge objects). */
  keep?: boolean;
  onBlock?: (block: SwarmBlock, index: number) => void;
}

export interface ReadAllResult {
  cids: string[];
  bytes: number;
  data: Uint8Array | undefined;
}

/** Reads a swarm's blocks to the end, as a streaming reader would. */
export async function readAll(blocks: AsyncIterable<SwarmBlock>, options: ReadAllOptions = {}): Promise<ReadAllResult> {
  const keep = options.keep ?? true;
  const cids: string[] = [];
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const block of blocks) {
    options.tracker?.consumed(block.cid);
    options.onBlock?.(block, cids.length);
    cids.push(block.cid);
    bytes += block.bytes.length;
    if (keep) chunks.push(block.bytes);
    if (options.clock && options.readDelayMs) await options.clock.sleep(options.readDelayMs);
  }
  return { cids, bytes, data: keep ? Buffer.concat(chunks) : undefined };
}
