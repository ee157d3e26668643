import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BlockKind } from '@peerweave/storage';
import { isGarbage, liveRoots, tombstoneExpired } from './tombstone-rules.ts';

const deleted = (...roots: string[]) => (root: string) => roots.includes(root);

describe('tombstoneExpired', () => {
  const cases: [deletedMs: number, nowMs: number, ttlMs: number, expired: boolean][] = [
    [1_000, 1_000, 100, false],
    [1_000, 1_100, 100, false],
    [1_000, 1_101, 100, true],
    [0, 5, 0, true],
  ];
  for (const [deletedMs, nowMs, ttlMs, expired] of cases) {
    it(`deleted at ${deletedMs}, now ${nowMs}, ttl ${ttlMs}: ${expired ? 'expired' : 'live'}`, () =>
      assert.equal(tombstoneExpired(deletedMs, nowMs, ttlMs), expired));
  }
});

describe('isGarbage', () => {
  const cases: [what: string, kind: BlockKind, roots: string[], deletedRoots: string[], garbage: boolean][] = [
    ['a replica of a deleted object', 'replica', ['a'], ['a'], true],
    ['a hint of a deleted object', 'hint', ['a'], ['a'], true],
    ['a replica shared with a live object', 'replica', ['a', 'b'], ['a'], false],
    ['a replica of objects all deleted', 'replica', ['a', 'b'], ['a', 'b'], true],
    ['a staged block (no object)', 'replica', [], ['a'], false],
    ['a cache copy (evicted, not collected)', 'cache', ['a'], ['a'], false],
  ];
  for (const [what, kind, roots, deletedRoots, garbage] of cases) {
    it(`${what}: ${garbage}`, () => assert.equal(isGarbage({ kind, roots }, deleted(...deletedRoots)), garbage));
  }
});

describe('liveRoots', () => {
  const cases: [what: string, roots: string[], deletedRoots: string[], refused: boolean, live: string[]][] = [
    ['no object named', [], ['a'], false, []],
    ['all live', ['a', 'b'], [], false, ['a', 'b']],
    ['one deleted', ['a', 'b'], ['a'], false, ['b']],
    ['all deleted', ['a', 'b'], ['a', 'b'], true, []],
  ];
  for (const [what, roots, deletedRoots, refused, live] of cases) {
    it(`${what}`, () => assert.deepEqual(liveRoots(roots, deleted(...deletedRoots)), { refused, live }));
  }
});
