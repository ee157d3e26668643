/**
 * XOR metric over 256-bit ids (Kademlia §2.1). Pure functions on 32-byte `Uint8Array`s, no
 * allocation on the hot paths (`compareDistance`, `commonPrefixLength`): the simulator calls them
 * millions of times.
 */
import { ID_BYTES, InvalidArgumentError, type Random } from '@peerweave/core';

/** Number of bits in an id, and so the number of k-buckets. */
export const ID_BITS = ID_BYTES * 8;

function assertId(id: Uint8Array, what: string): void {
  if (id.length !== ID_BYTES) {
    throw new InvalidArgumentError(`${what} must have ${ID_BYTES} bytes, got ${id.length}`);
  }
}

/** `a XOR b`, a new 32-byte array (the distance as a big-endian number). */
export function xorDistance(a: Uint8Array, b: Uint8Array): Uint8Array {
  assertId(a, 'a');
  assertId(b, 'b');
  const out = new Uint8Array(ID_BYTES);
  for (let i = 0; i < ID_BYTES; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/**
 * Which of `a` and `b` is closer to `key`: −1 when `a` is, 1 when `b` is, 0 when they are equal
 * (XOR is a bijection, so only equal ids are equally distant). Usable directly as a sort comparator.
 */
export function compareDistance(a: Uint8Array, b: Uint8Array, key: Uint8Array): -1 | 0 | 1 {
  if (a.length !== ID_BYTES || b.length !== ID_BYTES || key.length !== ID_BYTES) {
    throw new InvalidArgumentError(`ids must have ${ID_BYTES} bytes`);
  }
  for (let i = 0; i < ID_BYTES; i++) {
    const k = key[i]!;
    const da = a[i]! ^ k;
    const db = b[i]! ^ k;
    if (da !== db) return da < db ? -1 : 1;
  }
  return 0;
}

/** Number of leading bits `a` and `b` share: 0..256 (256 when they are equal). */
export function commonPrefixLength(a: Uint8Array, b: Uint8Array): number {
  assertId(a, 'a');
  assertId(b, 'b');
  for (let i = 0; i < ID_BYTES; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return ID_BITS;
}

/**
 * {@link bucketIndex} of two ids in 64-digit lower-case hex, read from the digits without decoding
 * either: the first digit that differs gives it. −1 for the same id and for `other` of another
 * length; a string that is no id gets some index, where no such id is ever found. The routing
 * table asks it of every member SWIM sweeps (see RoutingTable.knows).
 */
export function bucketIndexOfHex(self: string, other: string): number {
  if (other.length !== self.length) return -1;
  for (let i = 0; i < self.length; i++) {
    const a = self.charCodeAt(i);
    const b = other.charCodeAt(i);
    if (a !== b) return ID_BITS - 1 - (i * 4 + Math.clz32(hexDigit(a) ^ hexDigit(b)) - 28);
  }
  return -1;
}

/** The value of a lower-case hex digit's char code (garbage for any other char). */
function hexDigit(code: number): number {
  return (code <= 57 ? code - 48 : code - 87) & 15;
}

/**
 * The k-bucket `other` falls into in the table of `self`: 255 − commonPrefixLength, so bucket `i`
 * holds the ids at XOR distance [2^i, 2^(i+1)) and bucket 255 is the far half of the keyspace.
 * Returns −1 for `other` equal to `self` (a node is in no bucket of its own table).
 */
export function bucketIndex(self: Uint8Array, other: Uint8Array): number {
  return ID_BITS - 1 - commonPrefixLength(self, other);
}

/**
 * A uniformly random id in bucket `index` of `self`'s table: the first 255 − index bits copied from
 * `self`, the next one flipped, the rest random. Bucket refresh looks such an id up.
 */
export function randomIdInBucket(self: Uint8Array, index: number, random: Random): Uint8Array {
  assertId(self, 'self');
  if (!Number.isInteger(index) || index < 0 || index >= ID_BITS) {
    throw new InvalidArgumentError(`bucket index must be an integer in 0..${ID_BITS - 1}, got ${index}`);
  }
  const prefix = ID_BITS - 1 - index; // bits shared with self
  const out = random.bytes(ID_BYTES);
  const byte = prefix >> 3;
  for (let i = 0; i < byte; i++) out[i] = self[i]!;
  const bit = 0x80 >> (prefix & 7); // the first differing bit
  const keep = ~((bit << 1) - 1) & 0xff; // bits of self above it in the same byte
  out[byte] = (self[byte]! & keep) | (~self[byte]! & bit) | (out[byte]! & (bit - 1));
  return out;
}

/** `items` sorted closest to `key` first (a new array; the input is left alone). */
export function sortByDistance<T>(items: Iterable<T>, key: Uint8Array, getId: (item: T) => Uint8Array): T[] {
  const keyed = Array.from(items, (item) => ({ item, id: getId(item) }));
  keyed.sort((x, y) => compareDistance(x.id, y.id, key));
  return keyed.map((e) => e.item);
}

interface Keyed<T> {
  readonly item: T;
  readonly id: Uint8Array;
}

/**
 * The `n` items closest to `key`, closest first. A bounded max-heap of the best `n` seen so far,
 * so O(m log n) for m items rather than a full sort: most items are rejected by one comparison
 * against the heap's farthest.
 */
export function closestN<T>(items: Iterable<T>, key: Uint8Array, n: number, getId: (item: T) => Uint8Array): T[] {
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`n must be a non-negative integer, got ${n}`);
  if (n === 0) return [];
  // Max-heap by distance: heap[0] is the farthest of the n kept.
  const heap: Keyed<T>[] = [];
  const farther = (i: number, j: number): boolean => compareDistance(heap[i]!.id, heap[j]!.id, key) > 0;
  const swap = (i: number, j: number): void => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  for (const item of items) {
    const id = getId(item);
    if (heap.length < n) {
      heap.push({ item, id });
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!farther(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    } else if (compareDistance(id, heap[0]!.id, key) < 0) {
      heap[0] = { item, id };
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let top = i;
        if (l < heap.length && farther(l, top)) top = l;
        if (r < heap.length && farther(r, top)) top = r;
        if (top === i) break;
        swap(i, top);
        i = top;
      }
    }
  }
  heap.sort((x, y) => compareDistance(x.id, y.id, key));
  return heap.map((e) => e.item);
}
