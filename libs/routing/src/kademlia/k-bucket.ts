/**
 * One k-bucket (Kademlia §2.2 and §4.1): at most k contacts, least recently seen first, plus a
 * bounded replacement cache of the most recently seen contacts that did not fit.
 *
 * Unlike the paper, a full bucket does not ping its head here: liveness is SWIM's job (it probes
 * every contact and calls {@link KBucket.remove} for the dead), so a newcomer simply waits in the
 * replacement cache and takes the first free place.
 */
import { InvalidArgumentError } from '@peerweave/core';
import { refreshContact, toContact, type Contact, type ResolvedContactInfo } from './contact.ts';

/** Contacts per bucket (Kademlia's k): also the lookup width and the replication horizon. */
export const DEFAULT_K = 20;

/** What {@link KBucket.observe} did with a contact. */
export type BucketObservation =
  /** Was not in the bucket and there was room. */
  | 'added'
  /** Was in the bucket: moved to the tail (most recently seen), fields refreshed. */
  | 'updated'
  /**
   * Did not fit: put (or refreshed) at the front of the replacement cache. With a replacement
   * cache of size 0 the contact is dropped.
   */
  | 'cached';

export interface BucketRemoval {
  /** Whether the id was in the bucket (a replacement with the id is dropped either way). */
  readonly removed: boolean;
  /** The replacement that took the free place, if any. */
  readonly promoted?: Contact;
}

export interface KBucketInit {
  /** Capacity. Default {@link DEFAULT_K}. */
  k?: number;
  /** Capacity of the replacement cache. Default: k. */
  replacementCacheSize?: number;
}

function checkCount(value: number, min: number, what: string): number {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(`${what} must be an integer ≥ ${min}, got ${value}`);
  }
  return value;
}

export class KBucket {
  readonly k: number;
  readonly replacementCacheSize: number;
  /** Insertion order is recency: first = least recently seen. */
  readonly #contacts = new Map<string, Contact>();
  /** Insertion order is recency: last = most recently seen. */
  readonly #replacements = new Map<string, Contact>();

  /** The replacement `id`, if waiting in the cache. */
  replacement(id: string): Contact | undefined {
    return this.#replacements.get(id);
  }
  #lastTouched: number | undefined;

  constructor(init: KBucketInit = {}) {
    this.k = checkCount(init.k ?? DEFAULT_K, 1, 'k');
    this.replacementCacheSize = checkCount(init.replacementCacheSize ?? this.k, 0, 'replacementCacheSize');
  }

  get size(): number {
    return this.#contacts.size;
  }

  get isFull(): boolean {
    return this.#contacts.size >= this.k;
  }

  /**
   * Clock time of the last lookup in this bucket's range ({@link touch}), undefined if never.
   * A bucket not touched for the refresh interval gets a lookup of a random id in its range.
   */
  get lastTouched(): number | undefined {
    return this.#lastTouched;
  }

  touch(now: number): void {
    this.#lastTouched = now;
  }

  has(id: string): boolean {
    return this.#contacts.has(id);
  }

  get(id: string): Contact | undefined {
    return this.#contacts.get(id);
  }

  /** The least recently seen contact: the first to check when the bucket is full. */
  head(): Contact | undefined {
    for (const c of this.#contacts.values()) return c;
    return undefined;
  }

  /** Members, least recently seen first. */
  contacts(): Contact[] {
    return [...this.#contacts.values()];
  }

  /** Replacement cache, most recently seen first. */
  replacements(): Contact[] {
    return [...this.#replacements.values()].reverse();
  }

  /** Calls `fn` for each member without copying (for the table's hot paths). */
  forEach(fn: (contact: Contact) => void): void {
    for (const c of this.#contacts.values()) fn(c);
  }

  /** Records that `contact` was seen at `now`. The caller has checked it belongs in this bucket. */
  observe(contact: ResolvedContactInfo, now: number): BucketObservation {
    const existing = this.#contacts.get(contact.id);
    if (existing !== undefined) {
      this.#contacts.delete(contact.id);
      this.#contacts.set(contact.id, refreshContact(existing, contact, now));
      return 'updated';
    }
    const cached = this.#replacements.get(contact.id);
    const record = cached ? refreshContact(cached, contact, now) : toContact(contact, now, contact.idBytes);
    if (!this.isFull) {
      // Removal promotes from the cache, so a cache entry with room to spare should not exist;
      // if one does, it moves in rather than staying behind as a duplicate.
      this.#replacements.delete(contact.id);
      this.#contacts.set(contact.id, record);
      return 'added';
    }
    if (this.replacementCacheSize === 0) return 'cached';
    this.#replacements.delete(contact.id);
    this.#replacements.set(contact.id, record);
    if (this.#replacements.size > this.replacementCacheSize) {
      for (const oldest of this.#replacements.keys()) {
        this.#replacements.delete(oldest);
        break;
      }
    }
    return 'cached';
  }

  /**
   * Drops `id` (dead or left, as SWIM decided) and promotes the most recently seen replacement
   * into the free place. A replacement with that id is dropped too, so it is never promoted.
   */
  remove(id: string): BucketRemoval {
    this.#replacements.delete(id);
    if (!this.#contacts.delete(id)) return { removed: false };
    let promoted: Contact | undefined;
    for (const c of this.#replacements.values()) promoted = c; // last = most recent
    if (promoted === undefined) return { removed: true };
    this.#replacements.delete(promoted.id);
    this.#contacts.set(promoted.id, promoted);
    return { removed: true, promoted };
  }
}
