import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEndGame, nextBlocksToSchedule, type BlockView } from './next-blocks.ts';

const pending: BlockView = { done: false, inFlight: 0, active: 0, notBeforeMs: 0 };
const done: BlockView = { done: true, inFlight: 0, active: 0, notBeforeMs: 0 };
const asked: BlockView = { done: false, inFlight: 1, active: 1, notBeforeMs: 0 };
const stalled: BlockView = { done: false, inFlight: 1, active: 0, notBeforeMs: 0 };
const raced: BlockView = { done: false, inFlight: 2, active: 2, notBeforeMs: 0 };
const backingOff: BlockView = { done: false, inFlight: 0, active: 0, notBeforeMs: 500 };

describe('nextBlocksToSchedule', () => {
  const base = { released: 0, maxBufferedBlocks: 32, endGame: false, nowMs: 100 };
  const cases: [string, BlockView[], Partial<typeof base>, number[]][] = [
    ['earliest needed first', [pending, pending, pending], {}, [0, 1, 2]],
    ['skips done and asked blocks', [done, asked, pending, done, pending], {}, [2, 4]],
    ['a stalled block is asked again elsewhere', [asked, stalled, pending], {}, [1, 2]],
    ['a block backing off waits', [backingOff, pending], {}, [1]],
    ['a block whose back-off is over is asked again', [backingOff, pending], { nowMs: 500 }, [0, 1]],
    ['nothing beyond the buffer bound', [pending, pending, pending, pending, pending], { maxBufferedBlocks: 3 }, [0, 1, 2]],
    ['the bound moves with what the reader released', [done, done, pending, pending, pending, pending], { released: 2, maxBufferedBlocks: 2 }, [2, 3]],
    ['done blocks inside the bound still count against it', [done, done, pending, pending], { maxBufferedBlocks: 2 }, []],
    ['end game: blocks with one request get a second', [done, asked, raced, pending], { endGame: true }, [1, 3]],
    ['end game: a stalled block wants a second request too', [stalled], { endGame: true }, [0]],
    ['empty list', [], {}, []],
  ];
  for (const [name, blocks, opts, expected] of cases) {
    it(name, () => assert.deepEqual(nextBlocksToSchedule(blocks, { ...base, ...opts }), expected));
  }
});

describe('isEndGame', () => {
  const cases: [number, number, boolean][] = [
    [10, 4, false],
    [4, 4, true],
    [1, 4, true],
    [0, 4, false],
    [1, 0, false],
  ];
  for (const [remaining, threshold, expected] of cases) {
    it(`${remaining} remaining, threshold ${threshold}: ${expected}`, () => assert.equal(isEndGame(remaining, threshold), expected));
  }
});
