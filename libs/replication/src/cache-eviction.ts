import type { BlockRow } from '@peerweave/storage';

/** Least recently used cache rows read per eviction step; doubled while every row read is staged. */
export const EVICTION_BATCH = 32;

/**
 * The cache blocks to drop, oldest first, to free `overBytes`: rows are in LRU order, staged
 * blocks (uploads in progress) are never victims. Stops as soon as enough is freed; empty when
 * nothing needs freeing or every row is staged.
 */
export function evictionVictims<R extends Pick<BlockRow, 'cid' | 'bytes'>>(lru: readonly R[], staged: (cid: string) => boolean, overBytes: number): R[] {
  const victims: R[] = [];
  let over = overBytes;
  for (const row of lru) {
    if (over <= 0) break;
    if (staged(row.cid)) continue;
    victims.push(row);
    over -= row.bytes;
  }
  return victims;
}

/**
 * The next batch to read when a batch of `batch` rows held no victim: twice as many, or
 * undefined (stop) when the batch was already larger than everything staged, so what is left
 * is staged (or nothing is cached).
 */
export function widenBatch(batch: number, stagedCount: number): number | undefined {
  return batch > stagedCount ? undefined : batch * 2;
}
