/**
 * Checks shared by the codecs of the peer protocol (routing-codec.ts, content-codec.ts,
 * search-codec.ts). Each throws InvalidArgumentError naming the field as `field[index]sub`
 * (`updates[3].contact.id`, `tombstones[0].by`); the name is built only on failure, since these run
 * for every message.
 */
import { ID_BYTES, InvalidArgumentError, MAX_ADDRESS_LENGTH, NodeId } from '@peerweave/core';

/** The empty `bytes` value (shared, never written to). */
export const EMPTY_BYTES = Buffer.alloc(0);

/** Longest `host:port` accepted in a contact: core's limit, shared with the node's configuration. */
export { MAX_ADDRESS_LENGTH };

/** An id field: in a contact `name` is `.id` after the contact's `sub`; on its own both are ''. */
export function encodeId(hex: string, field: string, index: number, sub: string, name = '.id'): Buffer {
  // An id already checked and converted (nearly every one: a node sends the same few hundred ids
  // over and over); the bytes are shared between messages and never written to.
  const known = ENCODED_IDS.get(hex);
  if (known !== undefined) return known;
  if (typeof hex !== 'string' || !NodeId.isHex(hex)) {
    invalid(field, index, sub + name, `not a 64-digit lower-case hex id: ${JSON.stringify(String(hex).slice(0, 80))}`);
  }
  const bytes = Buffer.from(hex, 'hex');
  if (ENCODED_IDS.size >= MAX_INTERNED_IDS) {
    ENCODED_IDS.clear();
    ENCODED_BYTES.clear();
  }
  ENCODED_IDS.set(hex, bytes);
  ENCODED_BYTES.set(bytes, intern(hex));
  return bytes;
}

/** Ids encoded lately and their bytes (bounded like INTERNED_IDS). */
const ENCODED_IDS = new Map<string, Buffer>();
/**
 * The same the other way: each of those byte arrays (the object itself) and its id, interned. Where
 * a message is decoded from the very object encodeId returned (the in-memory network's codec round
 * trip, which passes the wire object on without serialising it), decodeId takes the id from here
 * instead of converting 32 bytes to a new 64-digit string and hashing it to find the interned one:
 * one string of garbage per id per message, a quarter of the codecs' CPU at 1 000 simulated nodes.
 * The bytes are never written to (see encodeId), so the id is the one they hold.
 */
const ENCODED_BYTES = new Map<Uint8Array, string>();

/**
 * Ids decoded lately, each kept as one string (bounded: cleared when full). A node meets the same
 * few hundred ids in every message; one string per id instead of one per message makes the maps
 * keyed by id compare by reference (a Map lookup with a fresh 64-digit string hashes and compares
 * it whole) and keeps one copy in memory: at 1 000 simulated nodes there were 485 000 copies.
 */
const INTERNED_IDS = new Map<string, string>();
const MAX_INTERNED_IDS = 65_536;

export function decodeId(bytes: Uint8Array, field: string, index: number, sub: string, name = '.id'): string {
  const encoded = ENCODED_BYTES.get(bytes);
  if (encoded !== undefined) return encoded;
  if (bytes.length !== ID_BYTES) invalid(field, index, sub + name, `an id has ${ID_BYTES} bytes, got ${bytes.length}`);
  // Buffer.prototype.toString works on any Uint8Array view without copying it.
  return intern(Buffer.prototype.toString.call(bytes, 'hex') as string);
}

function intern(hex: string): string {
  const known = INTERNED_IDS.get(hex);
  if (known !== undefined) return known;
  if (INTERNED_IDS.size >= MAX_INTERNED_IDS) INTERNED_IDS.clear();
  INTERNED_IDS.set(hex, hex);
  return hex;
}

/**
 * A peer-protocol address (`host:port`), 1 to MAX_ADDRESS_LENGTH characters. In a contact `name`
 * is `.address` after the contact's `sub`; on its own both are ''.
 */
export function checkAddress(address: string, field: string, index: number, sub: string, name = '.address'): string {
  if (typeof address !== 'string' || address.length === 0 || address.length > MAX_ADDRESS_LENGTH) {
    invalid(field, index, sub + name, `must be 1 to ${MAX_ADDRESS_LENGTH} characters, got ${describeLength(address)}`);
  }
  return address;
}

export function checkBoolean(value: boolean, field: string): boolean {
  if (typeof value !== 'boolean') invalid(field, -1, '', `must be a boolean, got ${typeof value}`);
  return value;
}

export function checkListLength(list: readonly unknown[], max: number, field: string): void {
  if (!Array.isArray(list)) invalid(field, -1, '', 'must be a list');
  if (list.length > max) invalid(field, -1, '', `at most ${max} per message, got ${list.length}`);
}

export function describeLength(value: unknown): string {
  return typeof value === 'string' ? `${value.length}` : typeof value;
}

export function invalid(field: string, index: number, sub: string, problem: string): never {
  const where = index < 0 ? field : `${field}[${index}]`;
  throw new InvalidArgumentError(`${where}${sub}: ${problem}`, { details: { field: `${where}${sub}` } });
}
