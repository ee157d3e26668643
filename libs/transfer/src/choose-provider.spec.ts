import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseProvider, type ProviderView } from './choose-provider.ts';

const p = (id: string, throughput: number | undefined, inFlight = 0, window = 2, issued = 0): ProviderView => ({ id, throughput, inFlight, window, issued });

describe('chooseProvider', () => {
  const cases: [string, ProviderView[], string | undefined][] = [
    ['the fastest measured peer', [p('a', 10), p('b', 30), p('c', 20)], 'b'],
    ['skips peers whose window is full', [p('a', 10), p('b', 30, 2, 2), p('c', 20, 1, 2)], 'c'],
    ['nobody when every window is full', [p('a', 10, 2, 2), p('b', 30, 4, 4)], undefined],
    ['nobody among no candidates', [], undefined],
    ['an unmeasured peer before any measured one (try everyone)', [p('a', 1000), p('b', undefined)], 'b'],
    ['on equal speed, the peer with fewer requests in flight', [p('a', 10, 1, 4), p('b', 10, 0, 4), p('c', 10, 2, 4)], 'b'],
    ['then the peer asked less often', [p('a', 10, 1, 4, 9), p('b', 10, 1, 4, 3), p('c', 10, 1, 4, 5)], 'b'],
    ['then the lower id', [p('b', undefined), p('a', undefined)], 'a'],
    ['a peer whose window shrank below its in-flight count is full', [p('a', 50, 3, 1), p('b', 1)], 'b'],
  ];
  for (const [name, candidates, expected] of cases) {
    it(name, () => assert.equal(chooseProvider(candidates), expected));
  }

  it('spreads equal peers: repeated choices with the chosen one charged go round', () => {
    const peers = ['a', 'b', 'c'].map((id) => p(id, 5, 0, 2));
    const picked: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = chooseProvider(peers)!;
      picked.push(id);
      const k = peers.findIndex((x) => x.id === id);
      peers[k] = { ...peers[k]!, inFlight: peers[k]!.inFlight + 1, issued: peers[k]!.issued + 1 };
    }
    assert.deepEqual(picked, ['a', 'b', 'c', 'a', 'b', 'c']);
  });
});
