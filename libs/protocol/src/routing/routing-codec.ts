/**
 * Domain ⇄ wire mapping of the routing protocol (`peerweave.routing.v1`), validating both ways; the
 * content and search codecs do the same for their services, and ../peer-codec.ts puts the three
 * tables together ({@link PEER_CODECS}) for the transports and the in-memory network.
 *
 * Decoding checks everything a peer sent before the domain sees it (id sizes, address lengths,
 * counts, enum values) and throws InvalidArgumentError, which the gRPC edge answers with
 * INVALID_ARGUMENT: a malformed message is refused, never a crash. Encoding checks our own messages
 * the same way, so a bug shows up at the caller with a clear message instead of as a refusal by
 * the peer, and only protocol fields go on the wire whatever else the objects carry (a routing
 * `Contact` passes as a `PeerContact`).
 *
 * Error messages name the field (`updates[3].contact.id`) but are built only on failure: this runs
 * for every message.
 */
import { checkAddress, checkBoolean, checkListLength, decodeId, describeLength, EMPTY_BYTES, encodeId, invalid } from '../codec-support.ts';
import type { FindNodeRequest as FindNodeRequestWire, FindNodeRequest__Output as FindNodeRequestWireOut } from '../generated/peerweave/routing/v1/FindNodeRequest.ts';
import type { FindNodeResponse as FindNodeResponseWire, FindNodeResponse__Output as FindNodeResponseWireOut } from '../generated/peerweave/routing/v1/FindNodeResponse.ts';
import type { LeaveRequest as LeaveRequestWire, LeaveRequest__Output as LeaveRequestWireOut } from '../generated/peerweave/routing/v1/LeaveRequest.ts';
import type { LeaveResponse as LeaveResponseWire, LeaveResponse__Output as LeaveResponseWireOut } from '../generated/peerweave/routing/v1/LeaveResponse.ts';
import type { MemberState as MemberStateWire } from '../generated/peerweave/routing/v1/MemberState.ts';
import type { MemberUpdate as MemberUpdateWire, MemberUpdate__Output as MemberUpdateWireOut } from '../generated/peerweave/routing/v1/MemberUpdate.ts';
import type { PeerContact as PeerContactWire, PeerContact__Output as PeerContactWireOut } from '../generated/peerweave/routing/v1/PeerContact.ts';
import type { PingReqRequest as PingReqRequestWire, PingReqRequest__Output as PingReqRequestWireOut } from '../generated/peerweave/routing/v1/PingReqRequest.ts';
import type { PingReqResponse as PingReqResponseWire, PingReqResponse__Output as PingReqResponseWireOut } from '../generated/peerweave/routing/v1/PingReqResponse.ts';
import type { PingRequest as PingRequestWire, PingRequest__Output as PingRequestWireOut } from '../generated/peerweave/routing/v1/PingRequest.ts';
import type { PingResponse as PingResponseWire, PingResponse__Output as PingResponseWireOut } from '../generated/peerweave/routing/v1/PingResponse.ts';
import {
  MEMBER_STATES,
  type Envelope,
  type FindNodeRequest,
  type FindNodeResponse,
  type LeaveRequest,
  type LeaveResponse,
  type MemberState,
  type MemberUpdate,
  type PeerContact,
  type PingReqRequest,
  type PingReqResponse,
  type PingRequest,
  type PingResponse,
  type RoutingMethod,
  type RoutingMethods,
} from './routing-messages.ts';
import { methodGuard, methodsOf, type MethodCodec } from '../method-codec.ts';

export { MAX_ADDRESS_LENGTH } from '../codec-support.ts';
/** Longest role name accepted (`peer`, `supernode`, and room for more). */
export const MAX_ROLE_LENGTH = 32;
/**
 * Most piggybacked membership updates in one message. SWIM sends λ·log(n) of them, about 15 at
 * 10 000 nodes with λ = 3; the bound leaves room and caps a message near 25 KiB.
 */
export const MAX_UPDATES_PER_MESSAGE = 64;
/** Most contacts in a FindNode answer; k is 20 in every preset. */
export const MAX_CONTACTS_PER_MESSAGE = 64;
/** Largest `count` a FindNode may ask for: no more than an answer may carry. */
export const MAX_FIND_NODE_COUNT = MAX_CONTACTS_PER_MESSAGE;
/** Longest an intermediary may be asked to wait in PingReq (far above any probe timeout). */
export const MAX_PING_REQ_TIMEOUT_MS = 60_000;

/** Largest incarnation that survives the trip: uint64 on the wire, a JS number in the domain. */
const MAX_INCARNATION = Number.MAX_SAFE_INTEGER;

// ----- the method table -------------------------------------------------------------------------

/** The wire types of each routing method: what is encoded (`…In`) and what the loader decodes (`…Out`). */
export interface RoutingWireMethods {
  ping: { requestIn: PingRequestWire; requestOut: PingRequestWireOut; responseIn: PingResponseWire; responseOut: PingResponseWireOut };
  pingReq: { requestIn: PingReqRequestWire; requestOut: PingReqRequestWireOut; responseIn: PingReqResponseWire; responseOut: PingReqResponseWireOut };
  findNode: { requestIn: FindNodeRequestWire; requestOut: FindNodeRequestWireOut; responseIn: FindNodeResponseWire; responseOut: FindNodeResponseWireOut };
  leave: { requestIn: LeaveRequestWire; requestOut: LeaveRequestWireOut; responseIn: LeaveResponseWire; responseOut: LeaveResponseWireOut };
}

/** Encoding and decoding of one routing method. */
export type RoutingMethodCodec<M extends RoutingMethod> = MethodCodec<RoutingMethods[M], RoutingWireMethods[M]>;

/** The gRPC method name (in PeerService) of each routing method. Only append. */
export const ROUTING_RPC_NAMES = {
  ping: 'Ping',
  pingReq: 'PingReq',
  findNode: 'FindNode',
  leave: 'Leave',
} as const satisfies Record<RoutingMethod, string>;

export const ROUTING_METHODS = methodsOf<RoutingMethod>(ROUTING_RPC_NAMES);

export const isRoutingMethod = methodGuard<RoutingMethod>(ROUTING_RPC_NAMES);

const ping: RoutingMethodCodec<'ping'> = {
  encodeRequest: (r: PingRequest) => ({
    sender: encodeContact(r.sender, 'sender', -1),
    updates: encodeUpdates(r.updates),
    target: r.target === '' ? EMPTY_BYTES : encodeId(r.target, 'target', -1, '', ''),
  }),
  decodeRequest: (m) => ({
    sender: decodeContact(m.sender, 'sender', -1),
    updates: decodeUpdates(m.updates),
    target: m.target.length === 0 ? '' : decodeId(m.target, 'target', -1, '', ''),
  }),
  encodeResponse: (r: PingResponse) => encodeEnvelope(r),
  decodeResponse: (m) => decodeEnvelope(m),
};

const pingReq: RoutingMethodCodec<'pingReq'> = {
  encodeRequest: (r: PingReqRequest) => ({
    sender: encodeContact(r.sender, 'sender', -1),
    updates: encodeUpdates(r.updates),
    target: encodeContact(r.target, 'target', -1),
    // Whole milliseconds on the wire; rounding up never shortens the wait the caller asked for.
    timeoutMs: checkTimeoutMs(Math.ceil(r.timeoutMs)),
  }),
  decodeRequest: (m) => ({
    sender: decodeContact(m.sender, 'sender', -1),
    updates: decodeUpdates(m.updates),
    target: decodeContact(m.target, 'target', -1),
    timeoutMs: checkTimeoutMs(m.timeoutMs),
  }),
  encodeResponse: (r: PingReqResponse) => ({
    sender: encodeContact(r.sender, 'sender', -1),
    updates: encodeUpdates(r.updates),
    acked: checkBoolean(r.acked, 'acked'),
  }),
  decodeResponse: (m) => ({
    sender: decodeContact(m.sender, 'sender', -1),
    updates: decodeUpdates(m.updates),
    acked: m.acked,
  }),
};

const findNode: RoutingMethodCodec<'findNode'> = {
  encodeRequest: (r: FindNodeRequest) => ({
    sender: encodeContact(r.sender, 'sender', -1),
    updates: encodeUpdates(r.updates),
    key: encodeId(r.key, 'key', -1, '', ''),
    count: checkCount(r.count),
  }),
  decodeRequest: (m) => ({
    sender: decodeContact(m.sender, 'sender', -1),
    updates: decodeUpdates(m.updates),
    key: decodeId(m.key, 'key', -1, '', ''),
    count: checkCount(m.count),
  }),
  encodeResponse: (r: FindNodeResponse) => ({
    sender: encodeContact(r.sender, 'sender', -1),
    updates: encodeUpdates(r.updates),
    closest: encodeContacts(r.closest),
  }),
  decodeResponse: (m) => ({
    sender: decodeContact(m.sender, 'sender', -1),
    updates: decodeUpdates(m.updates),
    closest: decodeContacts(m.closest),
  }),
};

const leave: RoutingMethodCodec<'leave'> = {
  encodeRequest: (r: LeaveRequest) => encodeEnvelope(r),
  decodeRequest: (m) => decodeEnvelope(m),
  encodeResponse: (r: LeaveResponse) => encodeEnvelope(r),
  decodeResponse: (m) => decodeEnvelope(m),
};

/** The codec of every routing method. */
export const ROUTING_CODECS: { readonly [M in RoutingMethod]: RoutingMethodCodec<M> } = { ping, pingReq, findNode, leave };

// ----- envelope, contacts, updates ----------------------------------------------------------------

function encodeEnvelope(e: Envelope): { sender: PeerContactWire; updates: MemberUpdateWire[] } {
  return { sender: encodeContact(e.sender, 'sender', -1), updates: encodeUpdates(e.updates) };
}

function decodeEnvelope(m: { sender: PeerContactWireOut | null; updates: MemberUpdateWireOut[] }): Envelope {
  return { sender: decodeContact(m.sender, 'sender', -1), updates: decodeUpdates(m.updates) };
}

/** `field[index]sub` names the contact in error messages (`updates[3].contact`). */
function encodeContact(c: PeerContact | null | undefined, field: string, index: number, sub = ''): PeerContactWire {
  if (c === null || typeof c !== 'object') invalid(field, index, sub, 'missing');
  return {
    id: encodeId(c.id, field, index, sub),
    address: checkAddress(c.address, field, index, sub),
    role: checkRole(c.role, field, index, sub),
    incarnation: checkIncarnation(c.incarnation, field, index, sub),
  };
}

function decodeContact(c: PeerContactWireOut | null | undefined, field: string, index: number, sub = ''): PeerContact {
  if (c === null || c === undefined) invalid(field, index, sub, 'missing');
  return {
    id: decodeId(c.id, field, index, sub),
    address: checkAddress(c.address, field, index, sub),
    role: checkRole(c.role, field, index, sub),
    incarnation: checkIncarnation(c.incarnation, field, index, sub),
  };
}

function encodeContacts(contacts: readonly PeerContact[]): PeerContactWire[] {
  checkListLength(contacts, MAX_CONTACTS_PER_MESSAGE, 'closest');
  const out = new Array<PeerContactWire>(contacts.length);
  for (let i = 0; i < contacts.length; i++) out[i] = encodeContact(contacts[i], 'closest', i);
  return out;
}

function decodeContacts(contacts: readonly PeerContactWireOut[]): PeerContact[] {
  checkListLength(contacts, MAX_CONTACTS_PER_MESSAGE, 'closest');
  const out = new Array<PeerContact>(contacts.length);
  for (let i = 0; i < contacts.length; i++) out[i] = decodeContact(contacts[i], 'closest', i);
  return out;
}

function encodeUpdates(updates: readonly MemberUpdate[]): MemberUpdateWire[] {
  checkListLength(updates, MAX_UPDATES_PER_MESSAGE, 'updates');
  const out = new Array<MemberUpdateWire>(updates.length);
  for (let i = 0; i < updates.length; i++) {
    const u = updates[i];
    if (u === null || typeof u !== 'object') invalid('updates', i, '', 'missing');
    out[i] = {
      state: encodeState(u.state, i),
      contact: encodeContact(u.contact, 'updates', i, '.contact'),
      from: encodeId(u.from, 'updates', i, '.from', ''),
    };
  }
  return out;
}

function decodeUpdates(updates: readonly MemberUpdateWireOut[]): MemberUpdate[] {
  checkListLength(updates, MAX_UPDATES_PER_MESSAGE, 'updates');
  const out = new Array<MemberUpdate>(updates.length);
  for (let i = 0; i < updates.length; i++) {
    const u = updates[i]!;
    out[i] = {
      state: decodeState(u.state, i),
      contact: decodeContact(u.contact, 'updates', i, '.contact'),
      from: decodeId(u.from, 'updates', i, '.from', ''),
    };
  }
  return out;
}

// ----- scalars --------------------------------------------------------------------------------------

const WIRE_STATE_BY_STATE: Readonly<Record<MemberState, MemberStateWire>> = {
  alive: 'MEMBER_STATE_ALIVE',
  suspect: 'MEMBER_STATE_SUSPECT',
  dead: 'MEMBER_STATE_DEAD',
  left: 'MEMBER_STATE_LEFT',
};
// Built from the table above so that a state appended to MEMBER_STATES without a wire value fails
// the type check there rather than here.
const STATE_BY_WIRE_STATE = new Map<unknown, MemberState>(MEMBER_STATES.map((s) => [WIRE_STATE_BY_STATE[s], s]));

function encodeState(state: MemberState, index: number): MemberStateWire {
  const wire = Object.hasOwn(WIRE_STATE_BY_STATE, state) ? WIRE_STATE_BY_STATE[state] : undefined;
  if (wire === undefined) invalid('updates', index, '.state', `unknown member state ${JSON.stringify(state)}`);
  return wire;
}

/** With `enums: String` the loader gives a name for known values and the number for unknown ones. */
function decodeState(wire: unknown, index: number): MemberState {
  const state = STATE_BY_WIRE_STATE.get(wire);
  if (state === undefined) invalid('updates', index, '.state', `unknown member state ${String(wire)}`);
  return state;
}

function checkRole(role: string, field: string, index: number, sub: string): string {
  if (typeof role !== 'string' || role.length === 0 || role.length > MAX_ROLE_LENGTH) {
    invalid(field, index, `${sub}.role`, `must be 1 to ${MAX_ROLE_LENGTH} characters, got ${describeLength(role)}`);
  }
  return role;
}

function checkIncarnation(incarnation: number, field: string, index: number, sub: string): number {
  if (!(Number.isSafeInteger(incarnation) && incarnation >= 0 && incarnation <= MAX_INCARNATION)) {
    invalid(field, index, `${sub}.incarnation`, `must be an integer from 0 to 2^53-1, got ${String(incarnation)}`);
  }
  return incarnation;
}

function checkCount(count: number): number {
  if (!(Number.isInteger(count) && count >= 1 && count <= MAX_FIND_NODE_COUNT)) {
    invalid('count', -1, '', `must be an integer from 1 to ${MAX_FIND_NODE_COUNT}, got ${String(count)}`);
  }
  return count;
}

function checkTimeoutMs(timeoutMs: number): number {
  if (!(Number.isInteger(timeoutMs) && timeoutMs >= 1 && timeoutMs <= MAX_PING_REQ_TIMEOUT_MS)) {
    invalid('timeoutMs', -1, '', `must be 1 to ${MAX_PING_REQ_TIMEOUT_MS} ms, got ${String(timeoutMs)}`);
  }
  return timeoutMs;
}
