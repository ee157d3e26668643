/**
 * A node's partial view of the network: 256 k-buckets by XOR distance from its own id
 * (Kademlia §2.2). With N ≤ k + 1 nodes it simply holds everyone; at N = 10 000 it holds about
 * k·log2(N/k) contacts, dense near its own id and sparse far away.
 *
 * The public API speaks hex ids (as the wire does); each contact's id is decoded once and cached
 * on its record.
 */
import { ID_BYTES, InvalidArgumentError, NodeId } from '@peerweave/core';
import { idFromHex, idToHex, sharedIdBytes, type Contact, type ContactInfo } from './contact.ts';
import { bucketIndex, bucketIndexOfHex, closestN, ID_BITS } from './distance.ts';
import { KBucket, type BucketRemoval } from './k-bucket.ts';

export interface RoutingTableInit {
  /** Own id (32 bytes). Never stored in the table. */
  self: Uint8Array;
  /** Contacts per bucket. Default DEFAULT_K (20). */
  k?: number;
  /** Replacement cache per bucket: newcomers waiting for a place. Default: k. */
  replacementCacheSize?: number;
}

/** What {@link RoutingTable.observe} did: the bucket's answer, or `self` for our own id. */
export type TableObservation = 'added' | 'updated' | 'cached' | 'self';

export type TableRemoval = BucketRemoval;

/** An id as the table accepts it: 64 hex digits or 32 bytes. */
export type IdLike = string | Uint8Array;

const getIdBytes = (c: Contact): Uint8Array => c.idBytes;

export class RoutingTable {
  readonly k: number;
  readonly replacementCacheSize: number;
  /** Own id, 32 bytes. */
  readonly self: Uint8Array;
  /** Own id, hex. */
  readonly selfId: string;
  /** Lazily allocated: at N = 10 000 only the top ~10 buckets ever hold anyone. */
  readonly #buckets: (KBucket | undefined)[] = new Array<KBucket | undefined>(ID_BITS).fill(undefined);
  /** Member id → its bucket, so get/has/remove and re-observation never decode hex. */
  readonly #bucketOf = new Map<string, number>();

  constructor(init: RoutingTableInit) {
    if (!(init.self instanceof Uint8Array) || init.self.length !== ID_BYTES) {
      throw new InvalidArgumentError(`self must be a ${ID_BYTES}-byte id`);
    }
    this.self = Uint8Array.from(init.self);
    this.selfId = idToHex(this.self);
    // Let a bucket validate k and the cache size once, with the same messages.
    const probe = new KBucket(init);
    this.k = probe.k;
    this.replacementCacheSize = probe.replacementCacheSize;
  }

  /** Number of contacts in buckets (replacements not counted). */
  get size(): number {
    return this.#bucketOf.size;
  }

  /**
   * Records a message from (or news about) `contact` at `now`. Throws INVALID_ARGUMENT for an id
   * that is not 64 lower-case hex digits; our own id is ignored (`'self'`).
   */
  observe(contact: ContactInfo, now: number): TableObservation {
    if (contact.id === this.selfId) return 'self';
    const known = this.#bucketOf.get(contact.id);
    if (known !== undefined) {
      const bucket = this.#buckets[known]!;
      return bucket.observe({ ...contact, idBytes: bucket.get(contact.id)!.idBytes }, now);
    }
    const idBytes = sharedIdBytes(contact.id);
    const index = bucketIndex(this.self, idBytes);
    const outcome = this.#bucket(index).observe({ ...contact, idBytes }, now);
    if (outcome === 'added') this.#bucketOf.set(contact.id, index);
    return outcome;
  }

  /**
   * Drops a dead or departed contact; the most recently seen replacement of its bucket takes its
   * place. Unknown ids (and our own) are a no-op.
   */
  remove(id: string): TableRemoval {
    let index = this.#bucketOf.get(id);
    if (index === undefined) {
      // Not a member, but it may wait in a replacement cache: drop it there so it is never promoted.
      if (!NodeId.isHex(id) || id === this.selfId) return { removed: false };
      index = bucketIndex(this.self, idFromHex(id));
      return this.#buckets[index]?.remove(id) ?? { removed: false };
    }
    const result = this.#buckets[index]!.remove(id);
    this.#bucketOf.delete(id);
    if (result.promoted) this.#bucketOf.set(result.promoted.id, index);
    return result;
  }

  get(id: string): Contact | undefined {
    const index = this.#bucketOf.get(id);
    return index === undefined ? undefined : this.#buckets[index]!.get(id);
  }

  has(id: string): boolean {
    return this.#bucketOf.has(id);
  }

  /**
   * In a bucket or waiting in its bucket's replacement cache. SWIM asks it of every member it
   * holds at each sweep: the bucket comes from the hex digits (one cache looked in, not each
   * allocated bucket's: ~13 at 10 000 simulated nodes, for every member not in the table).
   */
  knows(id: string): boolean {
    return this.known(id) !== undefined;
  }

  /** The contact `id` in a bucket or, failing that, in its bucket's replacement cache. */
  known(id: string): Contact | undefined {
    const index = this.#bucketOf.get(id);
    if (index !== undefined) return this.#buckets[index]!.get(id);
    const at = bucketIndexOfHex(this.selfId, id);
    return at >= 0 ? this.#buckets[at]?.replacement(id) : undefined;
  }

  /** The bucket `id` falls into: 0..255, or −1 for our own id. */
  bucketIndexOf(id: IdLike): number {
    return bucketIndex(this.self, toBytes(id));
  }

  /**
   * The `n` contacts closest to `key`, closest first (our own id never included).
   *
   * Walks buckets outward instead of sorting the table. With d = the key's bucket, XOR distance
   * orders whole buckets: members of bucket d are closer than 2^d to the key; members of every
   * bucket below d lie in [2^d, 2^(d+1)); a member of bucket i > d lies in [2^i, 2^(i+1)). So the
   * answer is bucket d, then the buckets below d (mixed), then d+1, d+2, … until n are found, and
   * only those groups are sorted.
   */
  closest(key: IdLike, n: number = this.k): Contact[] {
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`n must be a non-negative integer, got ${n}`);
    const keyBytes = toBytes(key);
    const d = bucketIndex(this.self, keyBytes);
    const out: Contact[] = [];
    const take = (group: Contact[]): void => {
      if (group.length === 0) return;
      const room = n - out.length;
      for (const c of closestN(group, keyBytes, room, getIdBytes)) out.push(c);
    };
    if (n === 0) return out;
    if (d >= 0) {
      take(this.#buckets[d]?.contacts() ?? []);
      if (out.length >= n) return out;
      const below: Contact[] = [];
      for (let i = 0; i < d; i++) this.#buckets[i]?.forEach((c) => below.push(c));
      take(below);
    }
    for (let i = d + 1; i < ID_BITS && out.length < n; i++) take(this.#buckets[i]?.contacts() ?? []);
    return out;
  }

  /**
   * Whether {@link closest}(key, n) is exact for what this table could know: every bucket the walk
   * takes contacts from has room left (fewer than k members and nobody waiting in its replacement
   * cache), so no node of that region was ever turned away for space. A table that is complete for
   * a key needs no lookup to place the key's replicas (with N ≤ k + 1 every key is); one that is
   * not (a full bucket far from us) does. Kademlia §2.4: the buckets near a node's own id are the
   * ones it knows completely.
   */
  isCompleteFor(key: IdLike, n: number): boolean {
    const keyBytes = toBytes(key);
    const d = bucketIndex(this.self, keyBytes);
    let seen = 0;
    const full = (i: number): boolean => {
      const b = this.#buckets[i];
      return b !== undefined && (b.isFull || b.replacements().length > 0);
    };
    if (d >= 0) {
      if (full(d)) return false;
      seen += this.#buckets[d]?.size ?? 0;
      if (seen >= n) return true;
      for (let i = 0; i < d; i++) {
        if (full(i)) return false;
        seen += this.#buckets[i]?.size ?? 0;
      }
      if (seen >= n) return true;
    }
    for (let i = d + 1; i < ID_BITS && seen < n; i++) {
      if (full(i)) return false;
      seen += this.#buckets[i]?.size ?? 0;
    }
    return true;
  }

  /** Every contact in a bucket (not the replacements), nearest bucket first. */
  contacts(): Contact[] {
    const out: Contact[] = [];
    for (const b of this.#buckets) b?.forEach((c) => out.push(c));
    return out;
  }

  /** Members of bucket `index`, least recently seen first. */
  bucketContacts(index: number): Contact[] {
    return this.#buckets[checkIndex(index)]?.contacts() ?? [];
  }

  /** Every contact waiting in a replacement cache, nearest bucket first, most recent first within. */
  replacements(): Contact[] {
    const out: Contact[] = [];
    for (const b of this.#buckets) if (b) out.push(...b.replacements());
    return out;
  }

  /**
   * Buckets due for a refresh lookup (a random id in their range): those from the nearest
   * non-empty bucket out to bucket 255 that were never touched or not for `intervalMs`. Buckets
   * nearer than the nearest known contact are not listed: a lookup of our own id covers all of
   * them at once (Kademlia §2.3, joining), so the refresher should also look up its own id.
   * Empty when the table is empty (there is nobody to ask). Ascending order.
   */
  bucketsToRefresh(now: number, intervalMs: number): number[] {
    let nearest = -1;
    for (let i = 0; i < ID_BITS; i++) {
      if ((this.#buckets[i]?.size ?? 0) > 0) {
        nearest = i;
        break;
      }
    }
    if (nearest < 0) return [];
    const due: number[] = [];
    for (let i = nearest; i < ID_BITS; i++) {
      const last = this.#buckets[i]?.lastTouched;
      if (last === undefined || now - last >= intervalMs) due.push(i);
    }
    return due;
  }

  /**
   * Records a lookup in bucket `index`'s range at `now`, postponing its refresh. Index −1 (the
   * key was our own id, see {@link bucketIndexOf}) is accepted and ignored.
   */
  touchBucket(index: number, now: number): void {
    if (index === -1) return;
    this.#bucket(checkIndex(index)).touch(now);
  }

  #bucket(index: number): KBucket {
    let b = this.#buckets[index];
    if (b === undefined) {
      b = new KBucket({ k: this.k, replacementCacheSize: this.replacementCacheSize });
      this.#buckets[index] = b;
    }
    return b;
  }
}

function toBytes(id: IdLike): Uint8Array {
  if (typeof id === 'string') return idFromHex(id);
  if (id.length !== ID_BYTES) throw new InvalidArgumentError(`an id has ${ID_BYTES} bytes, got ${id.length}`);
  return id;
}

function checkIndex(index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= ID_BITS) {
    throw new InvalidArgumentError(`bucket index must be an integer in 0..${ID_BITS - 1}, got ${index}`);
  }
  return index;
}
