import type { BlockRow } from '@peerweave/storage';

/** Least recently used cache rows read per eviction step; doubled while every row read is leased. */
export const EVICTION_BATCH = 32;

/**
 * The cache blocks to drop, oldest first, to free `overBytes`: rows are in LRU order, leased
 * blocks (uploads in progress) are never victims. Stops as soon as enough is freed; empty when
 * nothing needs freeing or every row is leased.
 */
export function evictionVictims<R extends Pick<BlockRow, 'cid' | 'bytes'>>(lru: readonly R[], leased: (cid: string) => boolean, overBytes: number): R[] {
  const victims: R[] = [];
  let over = overBytes;
  for (const row of lru) {
    if (over <= 0) break;
    if (leased(row.cid)) continue;
    victims.push(row);
    over -= row.bytes;
  }
  return victims;
}

/**
 * The next batch to read when a batch of `batch` rows held no victim: twice as many, or
 * undefined (stop) when the batch was already larger than everything leased, so what is left
 * is leased (or nothing is cached).
 */
export function widenBatch(batch: number, leasedCount: number): number | undefined {
  return batch > leasedCount ? undefined : batch * 2;
}
