/**
 * The shape checks SWIM applies to an envelope's sender and updates before it applies them
 * (Swim.receive and the handlers): a contact or update that is not well formed is ignored or
 * refused, never applied to the membership.
 */
import { MEMBER_STATES, type MemberUpdate, type PeerContact } from '@peerweave/protocol';

/** A contact with an id, an address, a role and a safe non-negative incarnation. */
export function isContact(value: unknown): value is PeerContact {
  const c = value as PeerContact | undefined;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.id === 'string' &&
    c.id !== '' &&
    typeof c.address === 'string' &&
    typeof c.role === 'string' &&
    Number.isSafeInteger(c.incarnation) &&
    c.incarnation >= 0
  );
}

/** An update with a known state, a claimant and a valid contact. */
export function isUpdate(value: unknown): value is MemberUpdate {
  const u = value as MemberUpdate | undefined;
  return (
    typeof u === 'object' &&
    u !== null &&
    (MEMBER_STATES as readonly string[]).includes(u.state) &&
    typeof u.from === 'string' &&
    isContact(u.contact)
  );
}
