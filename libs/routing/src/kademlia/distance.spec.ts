import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from '@peerweave/core';
import {
  bucketIndex,
  bucketIndexOfHex,
  closestN,
  commonPrefixLength,
  compareDistance,
  randomIdInBucket,
  sortByDistance,
  xorDistance,
} from './distance.ts';

/** A 32-byte id with the given leading bytes, the rest zero. */
function id(...head: number[]): Uint8Array {
  const out = new Uint8Array(32);
  out.set(head);
  return out;
}

/** A 32-byte id that is zero but for `value` in its last byte. */
function tail(value: number): Uint8Array {
  const out = new Uint8Array(32);
  out[31] = value;
  return out;
}

const ZERO = id();
const ONES = new Uint8Array(32).fill(0xff);

describe('xorDistance', () => {
  const cases: [string, Uint8Array, Uint8Array, Uint8Array][] = [
    ['equal ids', id(0xab, 0xcd), id(0xab, 0xcd), ZERO],
    ['first bit differs', id(0x80), ZERO, id(0x80)],
    ['last bit differs', tail(1), ZERO, tail(1)],
    ['complement', ZERO, ONES, ONES],
    ['mixed bytes', id(0b1010_1010, 0x0f), id(0b0110_0110, 0xff), id(0b1100_1100, 0xf0)],
  ];
  for (const [name, a, b, want] of cases) {
    it(name, () => {
      assert.deepEqual(xorDistance(a, b), want);
      assert.deepEqual(xorDistance(b, a), want, 'symmetric');
    });
  }

  it('rejects ids of the wrong length', () => {
    assert.throws(() => xorDistance(new Uint8Array(31), ZERO), { code: 'INVALID_ARGUMENT' });
  });
});

describe('commonPrefixLength and bucketIndex', () => {
  const cases: [string, Uint8Array, Uint8Array, number][] = [
    ['equal ids', id(0x12, 0x34), id(0x12, 0x34), 256],
    ['first bit differs', id(0x80), ZERO, 0],
    ['second bit differs', id(0x40), ZERO, 1],
    ['eighth bit differs', id(0x01), ZERO, 7],
    ['ninth bit differs', id(0x00, 0x80), ZERO, 8],
    ['first byte equal, then 0x10 vs 0x1f', id(0xaa, 0x10), id(0xaa, 0x1f), 12],
    ['last bit differs', tail(1), ZERO, 255],
    ['0x…02 vs 0x…03: only the last bit differs', tail(2), tail(3), 255],
    ['bit 254 differs', tail(2), ZERO, 254],
  ];
  for (const [name, a, b, cpl] of cases) {
    it(name, () => {
      assert.equal(commonPrefixLength(a, b), cpl);
      assert.equal(commonPrefixLength(b, a), cpl);
      assert.equal(bucketIndex(a, b), 255 - cpl);
    });
  }

  it('puts self in no bucket (−1), the far half in 255, the nearest id in 0', () => {
    assert.equal(bucketIndex(ZERO, ZERO), -1);
    assert.equal(bucketIndex(ZERO, id(0x80)), 255);
    assert.equal(bucketIndex(ZERO, tail(1)), 0);
  });
});

describe('bucketIndexOfHex', () => {
  const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

  it('agrees with bucketIndex on the table cases and on random ids, either way round', () => {
    const random = new SeededRandom(7);
    const pairs: [Uint8Array, Uint8Array][] = [
      [id(0x80), ZERO],
      [id(0x01), ZERO],
      [id(0x00, 0x80), ZERO],
      [id(0xaa, 0x10), id(0xaa, 0x1f)],
      [tail(2), tail(3)],
      [tail(2), ZERO],
    ];
    for (let i = 0; i < 500; i++) {
      const a = random.bytes(32);
      const b = Uint8Array.from(a);
      // Share a random prefix, then differ somewhere after it.
      const at = random.int(32);
      for (let j = at; j < 32; j++) b[j] = random.int(256);
      pairs.push([a, b]);
    }
    for (const [a, b] of pairs) {
      assert.equal(bucketIndexOfHex(hex(a), hex(b)), bucketIndex(a, b));
      assert.equal(bucketIndexOfHex(hex(b), hex(a)), bucketIndex(b, a));
    }
  });

  it('gives −1 for the same id and for a string of another length', () => {
    assert.equal(bucketIndexOfHex(hex(tail(5)), hex(tail(5))), -1);
    assert.equal(bucketIndexOfHex(hex(ZERO), 'ab'), -1);
  });
});

describe('compareDistance', () => {
  const key = id(0xf0);
  const cases: [string, Uint8Array, Uint8Array, Uint8Array, -1 | 0 | 1][] = [
    ['a equal to the key wins', key, id(0xf1), key, -1],
    ['same id: tie', id(0x33), id(0x33), key, 0],
    ['first-bit difference dominates', id(0xff, 0xff), id(0x7f), key, -1],
    ['decided in the last byte', tail(3), tail(1), ZERO, 1],
    // |0x10 − 0x0f| = 1 < |0x10 − 0x17| = 7, but 0x10 ^ 0x0f = 0x1f > 0x10 ^ 0x17 = 0x07.
    ['XOR, not subtraction: 0x17 is nearer 0x10 than 0x0f is', id(0x0f), id(0x17), id(0x10), 1],
    ['key 0xff: 0x80 is farther than 0xfe', id(0x80), id(0xfe), id(0xff), 1],
  ];
  for (const [name, a, b, k, want] of cases) {
    it(name, () => {
      assert.equal(compareDistance(a, b, k), want);
      assert.equal(compareDistance(b, a, k), -want || 0);
    });
  }
});

describe('randomIdInBucket', () => {
  it('returns an id in the asked bucket, keeping the prefix and flipping the next bit', () => {
    const random = new SeededRandom(7);
    for (let trial = 0; trial < 20; trial++) {
      const self = random.bytes(32);
      for (let index = 0; index < 256; index++) {
        const got = randomIdInBucket(self, index, random);
        assert.equal(bucketIndex(self, got), index, `index ${index}`);
      }
    }
  });

  it('hand-checked: self 0, bucket 255 sets the first bit; bucket 0 differs only in the last bit', () => {
    const random = new SeededRandom(1);
    assert.equal(randomIdInBucket(ZERO, 255, random)[0]! & 0x80, 0x80);
    assert.deepEqual(randomIdInBucket(ZERO, 0, random), tail(1));
    assert.deepEqual(randomIdInBucket(ONES, 0, random), Uint8Array.from(ONES.map((b, i) => (i === 31 ? 0xfe : b))));
  });

  it('rejects indices outside 0..255', () => {
    const random = new SeededRandom(1);
    for (const bad of [-1, 256, 1.5]) {
      assert.throws(() => randomIdInBucket(ZERO, bad, random), { code: 'INVALID_ARGUMENT' });
    }
  });
});

describe('sortByDistance and closestN', () => {
  const getId = (x: { id: Uint8Array }): Uint8Array => x.id;

  it('sorts by XOR distance to the key (hand-computed order)', () => {
    const items = [0x10, 0x01, 0x0f, 0x80, 0x03].map((v, i) => ({ name: `n${i}`, id: id(v) }));
    // Distances to key 0x02: 0x12, 0x03, 0x0d, 0x82, 0x01.
    const got = sortByDistance(items, id(0x02), getId).map((x) => x.id[0]);
    assert.deepEqual(got, [0x03, 0x01, 0x0f, 0x10, 0x80]);
    assert.deepEqual(
      items.map((x) => x.id[0]),
      [0x10, 0x01, 0x0f, 0x80, 0x03],
      'input untouched',
    );
  });

  it('closestN equals the first n of a full sort, for many sizes and keys', () => {
    const random = new SeededRandom(42);
    const items = Array.from({ length: 500 }, (_, i) => ({ i, id: random.bytes(32) }));
    for (const n of [0, 1, 3, 20, 499, 500, 800]) {
      for (let t = 0; t < 10; t++) {
        const key = random.bytes(32);
        const want = sortByDistance(items, key, getId).slice(0, n);
        assert.deepEqual(closestN(items, key, n, getId), want, `n = ${n}`);
      }
    }
  });

  it('closestN takes any iterable and rejects a negative n', () => {
    const set = new Set([{ id: id(1) }, { id: id(2) }]);
    assert.equal(closestN(set, ZERO, 1, getId)[0]!.id[0], 1);
    assert.throws(() => closestN(set, ZERO, -1, getId), { code: 'INVALID_ARGUMENT' });
  });
});
