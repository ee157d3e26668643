/** What the scheduler needs to know about one block of the list. */
export interface BlockView {
  /** Verified and buffered (or already handed to the reader). */
  readonly done: boolean;
  /** Requests in flight for it, stalled ones included. */
  readonly inFlight: number;
  /** Requests in flight that have not yet exceeded the request timeout. */
  readonly active: number;
  /** Clock time before which it must not be asked again (retry back-off); 0 when none. */
  readonly notBeforeMs: number;
}

export interface ScheduleWindow {
  /** Index of the first block the reader has not released (it may be holding it). */
  readonly released: number;
  /** Blocks fetched but not consumed may never exceed this: only [released, released + max) is fetched. */
  readonly maxBufferedBlocks: number;
  /** End game: every unfinished block may have a second request in flight. */
  readonly endGame: boolean;
  readonly nowMs: number;
}

/**
 * Indices of the blocks that want a request now, earliest needed first (the reader streams in
 * order, so the lowest index is the one it will block on soonest). A block wants a request when it
 * is not done, not backing off, and has no request still within its timeout; in the end game, also
 * when it has only one request in flight. Nothing beyond the buffer bound is ever scheduled.
 */
export function nextBlocksToSchedule(blocks: readonly BlockView[], w: ScheduleWindow): number[] {
  const out: number[] = [];
  const end = Math.min(blocks.length, w.released + Math.max(1, w.maxBufferedBlocks));
  for (let i = Math.max(0, w.released); i < end; i++) {
    const b = blocks[i]!;
    if (b.done || b.notBeforeMs > w.nowMs) continue;
    if (b.active === 0 || (w.endGame && b.inFlight < 2)) out.push(i);
  }
  return out;
}

/** End game begins when this few blocks remain unfinished (BitTorrent's rule, by block count). */
export function isEndGame(remaining: number, endGameThreshold: number): boolean {
  return remaining > 0 && remaining <= endGameThreshold;
}
