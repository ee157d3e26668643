import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contact } from './test-support.ts';
import { pinPlan, quorumShortfall, type CopyOutcome } from './write-plan.ts';

const [a, b, c] = [contact(2), contact(3), contact(4)];
const copy = (cid: string, peer: typeof a, result: CopyOutcome['result'], hintFor = ''): CopyOutcome => ({ cid, peer, hintFor, result });

describe('pinPlan', () => {
  it('groups the stored copies by node, hints with the node they stand in for; failed and refused copies are not pinned', () => {
    const plan = pinPlan([copy('x', a, 'stored'), copy('y', a, 'stored'), copy('x', b, 'failed'), copy('x', c, 'stored', b.id), copy('y', b, 'refused')]);
    assert.deepEqual(
      [...plan.values()].map((p) => [p.peer.id, p.blocks]),
      [
        [a.id, [{ cid: 'x', hintFor: '' }, { cid: 'y', hintFor: '' }]],
        [c.id, [{ cid: 'x', hintFor: b.id }]],
      ],
    );
  });
});

describe('quorumShortfall', () => {
  const table: { name: string; copies: CopyOutcome[]; cids: string[]; w: number; want: ReturnType<typeof quorumShortfall> }[] = [
    {
      name: 'every block on w replicas',
      copies: [copy('x', a, 'stored'), copy('x', b, 'stored'), copy('y', a, 'stored'), copy('y', b, 'stored'), copy('y', c, 'stored')],
      cids: ['x', 'y'],
      w: 2,
      want: { cid: undefined, acks: 0, fewest: 2, refused: false },
    },
    {
      name: 'a hinted copy counts towards w (sloppy quorum): the write reaches w while w nodes take it',
      copies: [copy('x', a, 'stored'), copy('x', b, 'failed'), copy('x', c, 'stored', b.id)],
      cids: ['x'],
      w: 2,
      want: { cid: undefined, acks: 0, fewest: 2, refused: false },
    },
    {
      name: 'copies count per node: the same node twice is one copy',
      copies: [copy('x', a, 'stored'), copy('x', a, 'stored', b.id), copy('x', b, 'failed')],
      cids: ['x'],
      w: 2,
      want: { cid: 'x', acks: 1, fewest: 1, refused: false },
    },
    {
      name: 'the first block short of w is named, in list order',
      copies: [copy('x', a, 'stored'), copy('y', a, 'failed'), copy('z', a, 'stored'), copy('z', b, 'stored')],
      cids: ['z', 'y', 'x'],
      w: 2,
      want: { cid: 'y', acks: 0, fewest: 0, refused: false },
    },
    {
      name: 'a refusal is reported even when w was reached',
      copies: [copy('x', a, 'stored'), copy('x', b, 'stored'), copy('x', c, 'refused')],
      cids: ['x'],
      w: 2,
      want: { cid: undefined, acks: 0, fewest: 2, refused: true },
    },
    { name: 'no blocks', copies: [], cids: [], w: 2, want: { cid: undefined, acks: 0, fewest: 0, refused: false } },
  ];
  for (const t of table) it(t.name, () => assert.deepEqual(quorumShortfall(t.copies, t.cids, t.w), t.want));
});
