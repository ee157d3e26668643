/**
 * Contacts as the routing table keeps them. The wire speaks 64-digit hex ids; the table keeps the
 * 32-byte form beside the hex one, decoded once when the contact is first seen, because every
 * distance computation needs bytes.
 */
import { ID_BYTES, InvalidArgumentError, NodeId } from '@peerweave/core';

/**
 * What the wire says about a node. Structurally the protocol's `PeerContact`, so either can be
 * passed where the other is expected.
 */
export interface ContactInfo {
  /** Node id, 64 lower-case hex digits. */
  readonly id: string;
  /** `host:port` of its peer protocol. */
  readonly address: string;
  /** `peer` or `supernode`. */
  readonly role: string;
  /** Raised by the node itself to refute a suspicion; higher wins. */
  readonly incarnation: number;
}

/**
 * A contact in the routing table. Records are immutable: an update replaces the record, so a
 * contact handed out earlier never changes under its holder. Never mutate `idBytes`.
 */
export interface Contact extends ContactInfo {
  /** `id` decoded, cached so distance math never parses hex. */
  readonly idBytes: Uint8Array;
  /** Clock time of the last message heard from (or about) this contact. */
  readonly lastSeen: number;
}

/** A contact whose id has been decoded, as the bucket takes it. */
export type ResolvedContactInfo = ContactInfo & { readonly idBytes: Uint8Array };

/** Decodes a 64-digit lower-case hex id; throws INVALID_ARGUMENT for anything else. */
export function idFromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || !NodeId.isHex(hex)) {
    throw new InvalidArgumentError(`not a 64-digit lower-case hex id: ${JSON.stringify(String(hex).slice(0, 80))}`);
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

const SHARED_ID_BYTES = new Map<string, Uint8Array>();
/** Ids whose bytes {@link sharedIdBytes} keeps (cleared when full): more than a simulation of 10 000 nodes meets. */
const MAX_SHARED_ID_BYTES = 65_536;

/**
 * {@link idFromHex}, but one array per id for the whole process, shared by every table record and
 * lookup candidate of that id: never mutate it (see Contact.idBytes). At 10 000 simulated nodes a
 * fresh array per record cost about 200 bytes for each of several million records.
 */
export function sharedIdBytes(hex: string): Uint8Array {
  let bytes = SHARED_ID_BYTES.get(hex);
  if (bytes === undefined) {
    bytes = idFromHex(hex);
    if (SHARED_ID_BYTES.size >= MAX_SHARED_ID_BYTES) SHARED_ID_BYTES.clear();
    SHARED_ID_BYTES.set(hex, bytes);
  }
  return bytes;
}

/** The 64-digit lower-case hex form of a 32-byte id. */
export function idToHex(id: Uint8Array): string {
  if (id.length !== ID_BYTES) throw new InvalidArgumentError(`an id has ${ID_BYTES} bytes, got ${id.length}`);
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
}

/** `info` decoded into a table record seen at `now`. */
export function toContact(info: ContactInfo, now: number, idBytes: Uint8Array = idFromHex(info.id)): Contact {
  return {
    id: info.id,
    idBytes,
    address: info.address,
    role: info.role,
    incarnation: info.incarnation,
    lastSeen: now,
  };
}

/** Only the wire fields of a contact: what to put in a message. */
export function toContactInfo(contact: ContactInfo): ContactInfo {
  return { id: contact.id, address: contact.address, role: contact.role, incarnation: contact.incarnation };
}

/**
 * `existing` seen again at `now` through `update`. Address, role and incarnation are taken from
 * the update unless its incarnation is lower: a stale gossip must not undo a refutation or a
 * move to a new address.
 */
export function refreshContact(existing: Contact, update: ContactInfo, now: number): Contact {
  const lastSeen = Math.max(existing.lastSeen, now);
  if (update.incarnation < existing.incarnation) return { ...existing, lastSeen };
  return {
    id: existing.id,
    idBytes: existing.idBytes,
    address: update.address,
    role: update.role,
    incarnation: update.incarnation,
    lastSeen,
  };
}
