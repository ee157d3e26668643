import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolvedContactInfo } from './contact.ts';
import { DEFAULT_K, KBucket } from './k-bucket.ts';

function contact(n: number, incarnation = 1, address = `10.0.0.${n}:4001`): ResolvedContactInfo {
  const idBytes = new Uint8Array(32);
  idBytes[31] = n;
  return { id: Buffer.from(idBytes).toString('hex'), idBytes, address, role: 'peer', incarnation };
}

const ids = (cs: readonly { id: string }[]): number[] => cs.map((c) => parseInt(c.id.slice(62), 16));

describe('KBucket', () => {
  it('defaults to k = 20 and a cache of k', () => {
    const b = new KBucket();
    assert.equal(b.k, DEFAULT_K);
    assert.equal(b.replacementCacheSize, DEFAULT_K);
    assert.throws(() => new KBucket({ k: 0 }), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => new KBucket({ replacementCacheSize: -1 }), { code: 'INVALID_ARGUMENT' });
  });

  it('appends new contacts in order seen, least recently seen first', () => {
    const b = new KBucket({ k: 3 });
    assert.equal(b.observe(contact(1), 10), 'added');
    assert.equal(b.observe(contact(2), 11), 'added');
    assert.equal(b.observe(contact(3), 12), 'added');
    assert.deepEqual(ids(b.contacts()), [1, 2, 3]);
    assert.equal(b.size, 3);
    assert.equal(b.isFull, true);
    assert.equal(ids([b.head()!])[0], 1);
    assert.equal(b.get(contact(2).id)?.lastSeen, 11);
  });

  it('moves a re-observed contact to the tail and refreshes it', () => {
    const b = new KBucket({ k: 3 });
    for (const n of [1, 2, 3]) b.observe(contact(n), n);
    const before = b.get(contact(1).id)!;
    assert.equal(b.observe(contact(1, 2, 'moved:9'), 20), 'updated');
    assert.deepEqual(ids(b.contacts()), [2, 3, 1]);
    const after = b.get(contact(1).id)!;
    assert.deepEqual([after.address, after.incarnation, after.lastSeen], ['moved:9', 2, 20]);
    assert.equal(before.address, '10.0.0.1:4001', 'records handed out earlier do not change');
  });

  it('a lower incarnation refreshes recency but not the fields', () => {
    const b = new KBucket({ k: 3 });
    b.observe(contact(1, 5), 1);
    b.observe(contact(2), 2);
    assert.equal(b.observe(contact(1, 4, 'stale:1'), 30), 'updated');
    const c = b.get(contact(1).id)!;
    assert.deepEqual([c.address, c.incarnation, c.lastSeen], ['10.0.0.1:4001', 5, 30]);
    assert.deepEqual(ids(b.contacts()), [2, 1]);
  });

  it('sends newcomers to a full bucket into the bounded replacement cache, most recent first', () => {
    const b = new KBucket({ k: 2, replacementCacheSize: 2 });
    b.observe(contact(1), 1);
    b.observe(contact(2), 2);
    assert.equal(b.observe(contact(3), 3), 'cached');
    assert.equal(b.observe(contact(4), 4), 'cached');
    assert.deepEqual(ids(b.replacements()), [4, 3]);
    assert.equal(b.observe(contact(3, 2), 5), 'cached', 'seen again: to the front, refreshed');
    assert.deepEqual(ids(b.replacements()), [3, 4]);
    assert.equal(b.replacements()[0]!.incarnation, 2);
    assert.equal(b.observe(contact(5), 6), 'cached');
    assert.deepEqual(ids(b.replacements()), [5, 3], 'the oldest replacement fell out');
    assert.deepEqual(ids(b.contacts()), [1, 2], 'members untouched');
    assert.equal(b.has(contact(5).id), false);
  });

  it('remove promotes the most recently seen replacement', () => {
    const b = new KBucket({ k: 2 });
    for (const n of [1, 2, 3, 4]) b.observe(contact(n), n);
    const r = b.remove(contact(1).id);
    assert.equal(r.removed, true);
    assert.equal(ids([r.promoted!])[0], 4);
    assert.deepEqual(ids(b.contacts()), [2, 4]);
    assert.deepEqual(ids(b.replacements()), [3]);
    const r2 = b.remove(contact(2).id);
    assert.equal(ids([r2.promoted!])[0], 3);
    const r3 = b.remove(contact(3).id);
    assert.deepEqual(r3, { removed: true }, 'nothing left to promote');
    assert.deepEqual(ids(b.contacts()), [4]);
    assert.deepEqual(b.remove(contact(9).id), { removed: false });
  });

  it('remove of a waiting replacement drops it so it is never promoted', () => {
    const b = new KBucket({ k: 1 });
    b.observe(contact(1), 1);
    b.observe(contact(2), 2);
    assert.deepEqual(b.remove(contact(2).id), { removed: false });
    assert.deepEqual(b.replacements(), []);
    assert.deepEqual(b.remove(contact(1).id), { removed: true });
  });

  it('with a cache of size 0 a newcomer to a full bucket is dropped', () => {
    const b = new KBucket({ k: 1, replacementCacheSize: 0 });
    b.observe(contact(1), 1);
    assert.equal(b.observe(contact(2), 2), 'cached');
    assert.deepEqual(b.replacements(), []);
  });

  it('tracks when it was last touched, undefined until then', () => {
    const b = new KBucket();
    assert.equal(b.lastTouched, undefined);
    b.observe(contact(1), 5);
    assert.equal(b.lastTouched, undefined, 'observing is not a lookup');
    b.touch(100);
    assert.equal(b.lastTouched, 100);
  });
});
