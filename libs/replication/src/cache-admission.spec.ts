import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestKey, RecentReads } from './cache-admission.ts';

const [A, B, C, D] = [11, 22, 33, 44];

describe('RecentReads', () => {
  it('is true from the second sighting of a key on', () => {
    const r = new RecentReads(4);
    assert.equal(r.seenBefore(A), false);
    assert.equal(r.seenBefore(B), false);
    assert.equal(r.seenBefore(A), true);
    assert.equal(r.seenBefore(A), true);
  });

  it('forgets a key once `capacity` later sightings pushed it out', () => {
    const r = new RecentReads(3);
    r.seenBefore(A);
    r.seenBefore(B);
    r.seenBefore(C);
    assert.equal(r.seenBefore(D), false, 'a is pushed out by d');
    assert.equal(r.seenBefore(A), false, 'a was forgotten');
    assert.equal(r.size, 3);
  });

  it('keeps a key seen twice until both sightings are out of the window', () => {
    const r = new RecentReads(2);
    r.seenBefore(A);
    r.seenBefore(A);
    assert.equal(r.seenBefore(B), false);
    assert.equal(r.seenBefore(A), true, 'one sighting of a left');
    r.seenBefore(B);
    r.seenBefore(B);
    assert.equal(r.seenBefore(A), false);
  });

  it('holds at most `capacity` keys over many', () => {
    const r = new RecentReads(100);
    for (let i = 0; i < 10_000; i++) r.seenBefore(i);
    assert.equal(r.size, 100);
    assert.equal(r.seenBefore(9_999), true);
    assert.equal(r.seenBefore(0), false);
  });

  it('refuses a capacity that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new RecentReads(bad), RangeError);
  });

  it('keys a digest by its first four bytes', () => {
    assert.equal(digestKey(Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a])), 0x12345678);
    assert.equal(digestKey(Uint8Array.from([0xff, 0xff, 0xff, 0xff])), -1, 'a signed 32-bit integer');
    assert.equal(digestKey(Uint8Array.from([1])), 0x01000000, 'missing bytes count as 0');
  });
});
