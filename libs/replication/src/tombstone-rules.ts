import type { BlockRow } from '@peerweave/storage';

/**
 * The rules of deletes, as pure functions: when a tombstone is too old to apply, which blocks a
 * delete makes garbage, and which of a pushed block's objects are still alive.
 */

/** True when a tombstone deleted at `deletedMs` has outlived `ttlMs` at `nowMs` (it is not applied any more). */
export function tombstoneExpired(deletedMs: number, nowMs: number, ttlMs: number): boolean {
  return deletedMs + ttlMs < nowMs;
}

/**
 * True when a held block is garbage: a replica or hint copy (cache is evicted, not collected)
 * claimed by objects that are all deleted. A block claimed by no object is a staged upload.
 */
export function isGarbage(row: Pick<BlockRow, 'kind' | 'roots'>, deleted: (root: string) => boolean): boolean {
  if (row.kind === 'cache') return false;
  return row.roots.length > 0 && row.roots.every(deleted);
}

/**
 * The objects a pushed block still belongs to: `refused` when it names objects and every one is
 * deleted (the push is refused, so repair never brings a deleted object back); otherwise the
 * live ones, which the stored copy is claimed by.
 */
export function liveRoots(roots: readonly string[], deleted: (root: string) => boolean): { refused: boolean; live: string[] } {
  const live = roots.filter((r) => !deleted(r));
  return { refused: roots.length > 0 && live.length === 0, live };
}
