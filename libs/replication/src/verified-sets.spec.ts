import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_REMEMBERED_SETS, VerifiedSets } from './verified-sets.ts';

describe('VerifiedSets', () => {
  it('gives back the set and pass each block was verified against, and forgets a deleted block', () => {
    const v = new VerifiedSets();
    v.set('x', { set: 'a,b,c', pass: 7 });
    v.set('y', { set: 'a,b,d', pass: 0 });
    v.set('z', { set: 'a,b,c', pass: 2 ** 40 });
    assert.deepEqual(v.get('x'), { set: 'a,b,c', pass: 7 });
    assert.deepEqual(v.get('y'), { set: 'a,b,d', pass: 0 });
    assert.deepEqual(v.get('z'), { set: 'a,b,c', pass: 2 ** 40 }, 'a pass beyond a small integer stays exact');
    assert.equal(v.get('w'), undefined);
    v.delete('x');
    assert.equal(v.get('x'), undefined);
    assert.equal(v.size, 2);
  });

  it('a block verified again takes the new set and pass', () => {
    const v = new VerifiedSets();
    v.set('x', { set: 'a,b,c', pass: 1 });
    v.set('x', { set: 'a,b,d', pass: 3 });
    assert.deepEqual(v.get('x'), { set: 'a,b,d', pass: 3 });
    assert.equal(v.size, 1);
  });

  it('past the limit of distinct sets, forgets everything rather than confusing sets', () => {
    const v = new VerifiedSets();
    for (let i = 0; i < MAX_REMEMBERED_SETS; i++) v.set(`b${i}`, { set: `s${i}`, pass: 1 });
    assert.deepEqual(v.get(`b${MAX_REMEMBERED_SETS - 1}`), { set: `s${MAX_REMEMBERED_SETS - 1}`, pass: 1 });
    v.set('new', { set: 'another', pass: 2 });
    assert.equal(v.size, 1);
    assert.equal(v.get('b0'), undefined);
    assert.deepEqual(v.get('new'), { set: 'another', pass: 2 });
  });

  it('refuses a pass that is not a non-negative integer', () => {
    const v = new VerifiedSets();
    for (const pass of [-1, 1.5, Number.NaN]) assert.throws(() => v.set('x', { set: 'a', pass }), RangeError);
  });
});
