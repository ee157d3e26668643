import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hash32, RecentReads } from './cache-admission.ts';

describe('RecentReads', () => {
  it('is true from the second sighting of a key on', () => {
    const r = new RecentReads(4);
    assert.equal(r.seenBefore('a'), false);
    assert.equal(r.seenBefore('b'), false);
    assert.equal(r.seenBefore('a'), true);
    assert.equal(r.seenBefore('a'), true);
  });

  it('forgets a key once `capacity` later sightings pushed it out', () => {
    const r = new RecentReads(3);
    r.seenBefore('a');
    r.seenBefore('b');
    r.seenBefore('c');
    assert.equal(r.seenBefore('d'), false, 'a is pushed out by d');
    assert.equal(r.seenBefore('a'), false, 'a was forgotten');
    assert.equal(r.size, 3);
  });

  it('keeps a key seen twice until both sightings are out of the window', () => {
    const r = new RecentReads(2);
    r.seenBefore('a');
    r.seenBefore('a');
    assert.equal(r.seenBefore('b'), false);
    assert.equal(r.seenBefore('a'), true, 'one sighting of a left');
    r.seenBefore('b');
    r.seenBefore('b');
    assert.equal(r.seenBefore('a'), false);
  });

  it('holds at most `capacity` keys over many', () => {
    const r = new RecentReads(100);
    for (let i = 0; i < 10_000; i++) r.seenBefore(`k${i}`);
    assert.equal(r.size, 100);
    assert.equal(r.seenBefore('k9999'), true);
    assert.equal(r.seenBefore('k0'), false);
  });

  it('refuses a capacity that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new RecentReads(bad), RangeError);
  });

  it('hashes to stable 32-bit integers', () => {
    assert.equal(hash32(''), 0x811c9dc5 | 0);
    assert.equal(hash32('a'), hash32('a'));
    assert.notEqual(hash32('bafkreia'), hash32('bafkreib'));
    assert.ok(Number.isInteger(hash32('x'.repeat(100))));
  });
});
