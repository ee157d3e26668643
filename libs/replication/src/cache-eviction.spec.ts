import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evictionVictims, widenBatch } from './cache-eviction.ts';

const rows = (...sizes: number[]) => sizes.map((bytes, i) => ({ cid: `c${i}`, bytes }));
const staged = (...cids: string[]) => (cid: string) => cids.includes(cid);

describe('evictionVictims', () => {
  const cases: [what: string, lru: { cid: string; bytes: number }[], stagedCids: string[], over: number, victims: string[]][] = [
    ['nothing over: no victim', rows(10, 10), [], 0, []],
    ['oldest first, stops once enough is freed', rows(10, 10, 10), [], 15, ['c0', 'c1']],
    ['exactly enough', rows(10, 10, 10), [], 10, ['c0']],
    ['staged blocks are skipped', rows(10, 10, 10), ['c0'], 15, ['c1', 'c2']],
    ['everything staged: none', rows(10, 10), ['c0', 'c1'], 5, []],
    ['not enough rows: all of them', rows(3, 4), [], 100, ['c0', 'c1']],
  ];
  for (const [what, lru, stagedCids, over, victims] of cases) {
    it(what, () => assert.deepEqual(evictionVictims(lru, staged(...stagedCids), over).map((v) => v.cid), victims));
  }
});

describe('widenBatch', () => {
  const cases: [batch: number, staged: number, next: number | undefined][] = [
    [32, 0, undefined],
    [32, 31, undefined],
    [32, 32, 64],
    [64, 100, 128],
  ];
  for (const [batch, stagedCount, next] of cases) {
    it(`batch ${batch} with ${stagedCount} staged: ${next ?? 'stop'}`, () => assert.equal(widenBatch(batch, stagedCount), next));
  }
});
