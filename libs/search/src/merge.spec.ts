import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_SEARCH_LIMIT, type SearchHit } from '@peerweave/protocol';
import { HitCollector } from './merge.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);
const S = '5'.repeat(64);

function hit(cid: string, score: number, holder: string, name = cid): SearchHit {
  return { cid, name, size: 1, contentType: 'text/plain', keywords: [], score, holder };
}

describe('HitCollector', () => {
  it('merges by CID: best score, every holder and responder', () => {
    const c = new HitCollector({ limit: 10 });
    c.add(A, [hit('x', 1, A, 'from a'), hit('y', 5, A)]);
    c.add(S, [hit('x', 3, B, 'from b'), hit('x', 2, C)]);
    c.add(B, [hit('x', 3, B, 'from b again')]);
    const [first, second] = c.results();
    assert.deepEqual(first, { ...hit('y', 5, A), holders: [A], responders: [A] });
    assert.deepEqual(second, {
      ...hit('x', 3, B, 'from b'),
      holders: [A, B, C],
      responders: [A, S, B],
    });
    assert.equal(c.results().length, 2);
  });

  it('sorts by score descending, then CID', () => {
    const c = new HitCollector({ limit: 10 });
    c.add(A, [hit('b', 1, A), hit('c', 2, A), hit('a', 1, A), hit('d', 0.5, A)]);
    assert.deepEqual(
      c.results().map((h) => h.cid),
      ['c', 'a', 'b', 'd'],
    );
  });

  it('keeps at most limit CIDs: a better hit pushes out the worst', () => {
    const c = new HitCollector({ limit: 2 });
    c.add(A, [hit('p', 1, A), hit('q', 2, A)]);
    assert.equal(c.full, true);
    c.add(B, [hit('r', 0.5, B)]);
    assert.deepEqual(
      c.results().map((h) => h.cid),
      ['q', 'p'],
      'a worse new CID is not taken',
    );
    c.add(B, [hit('s', 3, B)]);
    assert.deepEqual(
      c.results().map((h) => h.cid),
      ['s', 'q'],
    );
    c.add(C, [hit('q', 4, C)]);
    assert.deepEqual(
      c.results().map((h) => [h.cid, h.score, h.holders]),
      [
        ['q', 4, [A, C]],
        ['s', 3, [B]],
      ],
      'a known CID still merges when full',
    );
  });

  it('is full once limit distinct CIDs are in, not before', () => {
    const c = new HitCollector({ limit: 3 });
    c.add(A, [hit('x', 1, A)]);
    c.add(B, [hit('x', 1, B), hit('y', 1, B)]);
    assert.equal(c.full, false);
    c.add(C, [hit('z', 1, C)]);
    assert.equal(c.full, true);
  });

  it('counts distinct responders, empty answers included', () => {
    const c = new HitCollector({ limit: 3 });
    assert.equal(c.responders, 0);
    c.add(A, []);
    c.add(B, [hit('x', 1, B)]);
    c.add(A, [hit('y', 1, A)]);
    assert.equal(c.responders, 2);
  });

  it('holds the limit to 1..MAX_SEARCH_LIMIT', () => {
    const zero = new HitCollector({ limit: 0 });
    zero.add(A, [hit('x', 1, A), hit('y', 2, A)]);
    assert.deepEqual(
      zero.results().map((h) => h.cid),
      ['y'],
    );
    const huge = new HitCollector({ limit: 1_000_000 });
    huge.add(A, Array.from({ length: MAX_SEARCH_LIMIT + 50 }, (_, i) => hit(`c${i}`, i, A)));
    assert.equal(huge.results().length, MAX_SEARCH_LIMIT);
    assert.equal(huge.results()[0]!.score, MAX_SEARCH_LIMIT + 49);
  });

  it('ranks a NaN or infinite score last instead of breaking the order', () => {
    const c = new HitCollector({ limit: 10 });
    c.add(A, [hit('nan', Number.NaN, A), hit('inf', Infinity, A), hit('ok', 1, A), hit('neg', -1, A)]);
    assert.deepEqual(
      c.results().map((h) => h.cid),
      ['ok', 'neg', 'inf', 'nan'],
    );
  });
});
