import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelsInRanges, lackingEntries, sharedWith, sharesByPeer, tombstoneCid, tombstoneLabel, type IndexedEntry } from './anti-entropy-plan.ts';

const key = (first: number): Uint8Array => {
  const k = new Uint8Array(32);
  k[0] = first;
  return k;
};
const block = (label: string, range: number, replicas: string[]): IndexedEntry => ({ key: key(range), label, replicas: new Set(replicas) });
const tomb = (cid: string, range: number): IndexedEntry => ({ key: key(range), label: tombstoneLabel(cid) });

describe('tombstone labels', () => {
  const cases: [label: string, cid: string | undefined][] = [
    [tombstoneLabel('bafyx'), 'bafyx'],
    ['bafyx', undefined],
    ['t:', ''],
  ];
  for (const [label, cid] of cases) it(`${label} → ${cid}`, () => assert.equal(tombstoneCid(label), cid));
});

describe('sharedWith', () => {
  it('a neighbour shares the blocks it is a replica of, and every tombstone', () => {
    const index = [block('x', 1, ['me', 'n1']), block('y', 1, ['me', 'n2']), tomb('z', 2)];
    assert.deepEqual(sharedWith(index, 'n1').map((e) => e.label), ['x', 't:z']);
    assert.deepEqual(sharedWith(index, 'n3').map((e) => e.label), ['t:z']);
  });
});

describe('sharesByPeer', () => {
  const index = [block('x', 1, ['me', 'n1']), block('y', 1, ['me', 'n2', 'n1']), tomb('z', 2), block('v', 3, ['n2', 'me'])];
  it('groups the blocks by each replica but self, and keeps the tombstones apart for everyone', () => {
    const { byPeer, everyone } = sharesByPeer(index, 'me');
    assert.deepEqual([...byPeer].map(([id, es]) => [id, es.map((e) => e.label)]), [
      ['n1', ['x', 'y']],
      ['n2', ['y', 'v']],
    ]);
    assert.deepEqual(everyone.map((e) => e.label), ['t:z']);
  });
  it('holds what sharedWith gives each peer, for any peer', () => {
    const { byPeer, everyone } = sharesByPeer(index, 'me');
    for (const peer of ['n1', 'n2', 'n3']) {
      const labels = (es: IndexedEntry[]) => es.map((e) => e.label).sort();
      assert.deepEqual(labels([...(byPeer.get(peer) ?? []), ...everyone]), labels(sharedWith(index, peer)), peer);
    }
  });
});

describe('labelsInRanges', () => {
  it('lists block keys and tombstone CIDs of the ranges asked, apart', () => {
    const entries = [block('x', 1, []), block('y', 2, []), tomb('z', 1), tomb('w', 3)];
    assert.deepEqual(labelsInRanges(entries, [1, 3]), { keys: ['x'], tombstoneCids: ['z', 'w'] });
    assert.deepEqual(labelsInRanges(entries, []), { keys: [], tombstoneCids: [] });
  });
});

describe('lackingEntries', () => {
  const ours = [block('x', 1, []), block('y', 1, []), block('v', 2, []), tomb('z', 1), tomb('w', 1)];
  const cases: [what: string, differing: number[], keys: string[], tombstones: string[], lacking: string[]][] = [
    ['they have nothing in range 1', [1], [], [], ['x', 'y', 't:z', 't:w']],
    ['they have some keys and tombstones', [1], ['x'], ['z'], ['y', 't:w']],
    ['only differing ranges count', [2], [], [], ['v']],
    ['they have everything', [1], ['x', 'y', 'extra'], ['z', 'w'], []],
  ];
  for (const [what, differing, keys, tombstones, lacking] of cases) {
    it(what, () => assert.deepEqual(lackingEntries(ours, differing, keys, tombstones.map((cid) => ({ cid }))).map((e) => e.label), lacking));
  }
});
