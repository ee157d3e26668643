import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { idToHex, type ContactInfo } from './contact.ts';
import { bucketIndex, randomIdInBucket, sortByDistance } from './distance.ts';
import { RoutingTable } from './routing-table.ts';

function idFromHexForTest(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function info(idBytes: Uint8Array, incarnation = 1): ContactInfo {
  return { id: idToHex(idBytes), address: `${idToHex(idBytes).slice(0, 8)}:4001`, role: 'peer', incarnation };
}

interface Filled {
  table: RoutingTable;
  random: SeededRandom;
  observed: ContactInfo[];
}

function filledTable(seed: number, count: number, k = 20): Filled {
  const random = new SeededRandom(seed);
  const table = new RoutingTable({ self: random.bytes(32), k });
  const observed: ContactInfo[] = [];
  for (let i = 0; i < count; i++) {
    const c = info(random.bytes(32));
    observed.push(c);
    table.observe(c, i);
  }
  return { table, random, observed };
}

describe('RoutingTable', () => {
  it('validates its init', () => {
    assert.throws(() => new RoutingTable({ self: new Uint8Array(31) }), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => new RoutingTable({ self: new Uint8Array(32), k: 0 }), { code: 'INVALID_ARGUMENT' });
    const t = new RoutingTable({ self: new Uint8Array(32) });
    assert.equal(t.k, 20);
    assert.equal(t.replacementCacheSize, 20);
    assert.equal(t.selfId, '0'.repeat(64));
  });

  it('ignores its own id and rejects malformed ids', () => {
    const self = new SeededRandom(1).bytes(32);
    const t = new RoutingTable({ self });
    assert.equal(t.observe(info(self), 0), 'self');
    assert.equal(t.size, 0);
    assert.throws(() => t.observe({ id: 'nope', address: 'x:1', role: 'peer', incarnation: 0 }, 0), {
      code: 'INVALID_ARGUMENT',
    });
    assert.throws(() => t.observe({ ...info(self), id: idToHex(self).toUpperCase() }, 0), { code: 'INVALID_ARGUMENT' });
    assert.deepEqual(t.remove(t.selfId), { removed: false });
    assert.deepEqual(t.remove('garbage'), { removed: false });
  });

  it('adds, updates, caches; get/has/size follow', () => {
    const self = new Uint8Array(32);
    const t = new RoutingTable({ self, k: 2 });
    // Three ids in bucket 255 (first bit set) and one in bucket 0.
    const far = [0x80, 0x81, 0x82].map((b) => {
      const x = new Uint8Array(32);
      x[0] = b;
      return x;
    });
    const near = new Uint8Array(32);
    near[31] = 1;
    assert.equal(t.observe(info(far[0]!), 1), 'added');
    assert.equal(t.observe(info(far[1]!), 2), 'added');
    assert.equal(t.observe(info(far[2]!), 3), 'cached');
    assert.equal(t.observe(info(near), 4), 'added');
    assert.equal(t.observe(info(far[0]!, 7), 5), 'updated');
    assert.equal(t.size, 3);
    assert.equal(t.get(idToHex(far[0]!))?.incarnation, 7);
    assert.deepEqual(t.get(idToHex(far[0]!))?.idBytes, far[0]);
    assert.equal(t.has(idToHex(far[2]!)), false);
    assert.deepEqual(
      t.replacements().map((c) => c.id),
      [idToHex(far[2]!)],
    );
    assert.equal(t.bucketIndexOf(idToHex(near)), 0);
    assert.equal(t.bucketIndexOf(far[0]!), 255);
    assert.equal(t.bucketIndexOf(self), -1);
    assert.deepEqual(
      t.bucketContacts(255).map((c) => c.id),
      [idToHex(far[1]!), idToHex(far[0]!)],
      'least recently seen first',
    );
  });

  it('knows members and waiting replacements, in any bucket, and no one else', () => {
    const { table, observed } = filledTable(5, 600);
    const members = observed.filter((c) => table.has(c.id));
    const waiting = observed.filter((c) => !table.has(c.id) && table.replacements().some((r) => r.id === c.id));
    const gone = observed.filter((c) => !table.has(c.id) && !waiting.includes(c));
    assert.ok(members.length > 0 && waiting.length > 0 && gone.length > 0);
    for (const c of [...members, ...waiting]) assert.equal(table.knows(c.id), true, c.id);
    for (const c of gone) assert.equal(table.knows(c.id), false, c.id);
    assert.equal(table.knows(table.selfId), false);
    assert.equal(table.knows('not an id'), false);
    // known(): the contact itself, from its bucket or its bucket's replacement cache.
    for (const c of [...members, ...waiting]) assert.equal(table.known(c.id)?.address, c.address, c.id);
    for (const c of gone) assert.equal(table.known(c.id), undefined, c.id);
    assert.equal(table.known(table.selfId), undefined);
    assert.equal(table.known('not an id'), undefined);
  });

  it('remove promotes a replacement, which is then a member', () => {
    const self = new Uint8Array(32);
    const t = new RoutingTable({ self, k: 1 });
    const a = new Uint8Array(32);
    a[0] = 0x80;
    const b = new Uint8Array(32);
    b[0] = 0x81;
    t.observe(info(a), 1);
    t.observe(info(b), 2);
    const r = t.remove(idToHex(a));
    assert.equal(r.removed, true);
    assert.equal(r.promoted?.id, idToHex(b));
    assert.equal(t.has(idToHex(b)), true);
    assert.equal(t.has(idToHex(a)), false);
    assert.equal(t.size, 1);
    assert.equal(t.observe(info(b), 3), 'updated');
    assert.deepEqual(t.remove(idToHex(a)), { removed: false });
  });

  it('1000 random ids: closest(key, n) equals a brute-force sort of the table, buckets ≤ k, size right', () => {
    const { table, random, observed } = filledTable(2024, 1000);
    const all = table.contacts();
    assert.equal(table.size, all.length);
    assert.equal(new Set(all.map((c) => c.id)).size, all.length, 'no duplicates');
    for (let i = 0; i < 256; i++) assert.ok(table.bucketContacts(i).length <= table.k, `bucket ${i}`);
    for (const c of all) assert.equal(table.bucketIndexOf(c.id), bucketIndex(table.self, c.idBytes));
    // Everything observed is either a member or was turned away by a full bucket.
    for (const c of observed) {
      if (!table.has(c.id)) assert.equal(table.bucketContacts(table.bucketIndexOf(c.id)).length, table.k);
    }
    const keys: Uint8Array[] = [table.self, ...all.slice(0, 20).map((c) => c.idBytes)];
    for (let i = 0; i < 200; i++) keys.push(random.bytes(32));
    // Keys in every bucket range, including the near empty ones.
    for (let i = 0; i < 256; i += 5) keys.push(randomIdInBucket(table.self, i, random));
    for (const key of keys) {
      const want = sortByDistance(all, key, (c) => c.idBytes);
      for (const n of [1, 3, 20, 50]) {
        assert.deepEqual(
          table.closest(key, n).map((c) => c.id),
          want.slice(0, n).map((c) => c.id),
        );
      }
    }
    assert.equal(table.closest(table.self, all.length + 10).length, all.length);
    assert.deepEqual(table.closest(table.self, 0), []);
    assert.equal(table.closest(idToHex(table.self)).length, 20, 'hex key, n defaults to k');
  });

  it('isCompleteFor: when it says so, closest(key, n) is the n closest of everyone ever observed', () => {
    for (const [seed, count] of [
      [7, 21],
      [8, 60],
      [9, 1000],
    ] as const) {
      const { table, random, observed } = filledTable(seed, count);
      let complete = 0;
      let incomplete = 0;
      for (let i = 0; i < 300; i++) {
        const key = i % 2 === 0 ? random.bytes(32) : randomIdInBucket(table.self, 255 - (i % 12), random);
        for (const n of [3, 6]) {
          if (!table.isCompleteFor(key, n)) {
            incomplete++;
            continue;
          }
          complete++;
          const want = sortByDistance(observed, key, (c) => idFromHexForTest(c.id)).slice(0, n);
          assert.deepEqual(
            table.closest(key, n).map((c) => c.id),
            want.map((c) => c.id),
            `seed ${seed}, key ${i}, n ${n}`,
          );
        }
      }
      if (count <= 21) assert.equal(incomplete, 0, 'with N ≤ k + 1 every key is complete');
      else assert.ok(complete > 0 && incomplete > 0, `seed ${seed}: some keys complete (${complete}), some not (${incomplete})`);
    }
  });

  it('holds everyone when N ≤ k + 1', () => {
    const { table, observed } = filledTable(9, 20);
    assert.equal(table.size, 20);
    assert.deepEqual(new Set(table.contacts().map((c) => c.id)), new Set(observed.map((c) => c.id)));
  });

  it('stays O(k log N) with many contacts', () => {
    const { table } = filledTable(3, 10_000);
    // ≈ k·log2(N/k) + k ≈ 200; generous bound.
    assert.ok(table.size < 400, `size ${table.size}`);
    assert.ok(table.size >= 150, `size ${table.size}`);
  });

  it('bucketsToRefresh: untouched buckets from the nearest non-empty one outwards, driven by a ManualClock', async () => {
    const clock = new ManualClock();
    const random = new SeededRandom(5);
    const self = random.bytes(32);
    const t = new RoutingTable({ self });
    assert.deepEqual(t.bucketsToRefresh(clock.now(), 1000), [], 'empty table: nobody to ask');
    t.observe(info(randomIdInBucket(self, 250, random)), clock.now());
    t.observe(info(randomIdInBucket(self, 255, random)), clock.now());
    const all = Array.from({ length: 6 }, (_, i) => 250 + i);
    assert.deepEqual(t.bucketsToRefresh(clock.now(), 1000), all, 'never touched: all due, empty ones included');
    for (const i of all) t.touchBucket(i, clock.now());
    assert.deepEqual(t.bucketsToRefresh(clock.now(), 1000), []);
    await clock.advance(600);
    t.touchBucket(252, clock.now());
    await clock.advance(400);
    assert.deepEqual(t.bucketsToRefresh(clock.now(), 1000), [250, 251, 253, 254, 255]);
    await clock.advance(599);
    assert.deepEqual(t.bucketsToRefresh(clock.now(), 1000), [250, 251, 253, 254, 255]);
    await clock.advance(1);
    assert.deepEqual(t.bucketsToRefresh(clock.now(), 1000), all);
    // A nearer contact widens the range.
    t.observe(info(randomIdInBucket(self, 240, random)), clock.now());
    assert.equal(t.bucketsToRefresh(clock.now(), 1000)[0], 240);
    t.touchBucket(-1, clock.now()); // a lookup of our own id: ignored
    assert.throws(() => t.touchBucket(256, 0), { code: 'INVALID_ARGUMENT' });
  });
});
