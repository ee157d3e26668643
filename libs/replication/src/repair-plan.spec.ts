import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PeerContact } from '@peerweave/protocol';
import type { BlockKind, VerifiedMark } from '@peerweave/storage';
import { planRepair, replicaSetHash, replicaSetKey, REVERIFY_EVERY_PASSES, settleRepair } from './repair-plan.ts';
import { contact } from './test-support.ts';

const self = contact(0x10);
const a = contact(0x20);
const b = contact(0x30);
const c = contact(0x40);

const row = (cid: string, kind: BlockKind, hintFor = '', roots = ['root'], verified?: VerifiedMark) => ({ cid, kind, roots, hintFor, ...(verified ? { verified } : {}) });
const setOf = (...peers: PeerContact[]) => replicaSetHash(replicaSetKey(peers));

function plan(rows: ReturnType<typeof row>[], sets: Record<string, PeerContact[]>, pass = 10) {
  return planRepair(rows, { selfId: self.id, replicasOf: (cid) => sets[cid]!, pass });
}

describe('planRepair', () => {
  it('asks every other replica about a replica copy, and skips cache and staged blocks', () => {
    const p = plan([row('x', 'replica'), row('cached', 'cache'), row('staged', 'replica', '', [])], { x: [self, a, b] });
    assert.equal(p.checked, 1);
    assert.deepEqual(p.toAsk, [[a, 'x'], [b, 'x']]);
    assert.deepEqual([...p.replicaSets], [['x', replicaSetKey([self, a, b])]]);
    assert.deepEqual(p.demote, []);
  });

  const skip: [what: string, verified: VerifiedMark | undefined, set: PeerContact[], asked: boolean][] = [
    ['never verified', undefined, [self, a, b], true],
    ['verified against the same set recently', { set: setOf(self, a, b), pass: 9 }, [self, a, b], false],
    ['verified against the same set in this pass', { set: setOf(self, a, b), pass: 10 }, [self, a, b], false],
    [`verified ${REVERIFY_EVERY_PASSES} passes ago`, { set: setOf(self, a, b), pass: 10 - REVERIFY_EVERY_PASSES }, [self, a, b], true],
    ['verified in a pass after this one (not this count)', { set: setOf(self, a, b), pass: 11 }, [self, a, b], true],
    ['verified against another set', { set: setOf(self, a, c), pass: 9 }, [self, a, b], true],
    ['verified, but this node left the set', { set: setOf(a, b, c), pass: 9 }, [a, b, c], true],
  ];
  for (const [what, verified, set, asked] of skip) {
    it(`a replica copy ${what}: ${asked ? 'asked' : 'not asked'}`, () => {
      const p = plan([row('x', 'replica', '', ['root'], verified)], { x: set });
      assert.equal(p.replicaSets.has('x'), asked);
      assert.equal(p.checked, 1);
    });
  }

  it('a replica copy this node is no longer responsible for is asked about and demoted', () => {
    const p = plan([row('x', 'replica')], { x: [a, b, c] });
    assert.deepEqual(p.toAsk.map(([peer]) => peer.id), [a.id, b.id, c.id]);
    assert.deepEqual(p.demote, ['x']);
  });

  it('hints go back, are promoted, or kept, and are never asked about', () => {
    const p = plan([row('back', 'hint', a.id), row('mine', 'hint', c.id), row('wait', 'hint', c.id)], {
      back: [a, b],
      mine: [self, a],
      wait: [a, b],
    });
    assert.deepEqual(p.handBack, [{ cid: 'back', target: a, keepAs: 'cache' }]);
    assert.deepEqual(p.promote, ['mine']);
    assert.deepEqual(p.toAsk, []);
    assert.equal(p.checked, 3);
  });
});

describe('settleRepair', () => {
  it('verifies the complete sets and demotes only copies the new replicas hold', () => {
    const replicaSets = new Map([
      ['done', 's1'],
      ['short', 's2'],
      ['moved', 's3'],
      ['stuck', 's4'],
    ]);
    const settled = settleRepair({ replicaSets, demote: ['moved', 'stuck'] }, new Set(['short', 'stuck']), 7);
    assert.deepEqual(settled.verified, [
      ['done', { set: replicaSetHash('s1'), pass: 7 }],
      ['moved', { set: replicaSetHash('s3'), pass: 7 }],
    ]);
    assert.deepEqual(settled.demote, ['moved']);
  });
});

describe('replicaSetHash', () => {
  it('is a 48-bit integer, the same for the same set and different for another', () => {
    const h = setOf(self, a, b);
    assert.ok(Number.isSafeInteger(h) && h >= 0 && h < 2 ** 48);
    assert.equal(setOf(self, a, b), h);
    assert.notEqual(setOf(self, a, c), h);
    assert.notEqual(setOf(a, self, b), h, 'order is part of the set key');
  });
});
