// Sample peer-protocol messages for this lib's specs only; not part of the public API.
import type { FindNodeRequest, FindNodeResponse, LeaveRequest, LeaveResponse, MemberUpdate, PeerContact, RoutingHandler, RoutingMethods, PingReqRequest, PingReqResponse, PingRequest, PingResponse } from './routing-messages.ts';

export function contact(n: number, address = `10.0.0.${n}:7400`): PeerContact {
  return { id: n.toString(16).padStart(2, '0').repeat(32), address, role: n % 2 === 0 ? 'peer' : 'supernode', incarnation: n };
}

export const ALICE = contact(1);
export const BOB = contact(2);
export const CAROL = contact(3);

export const UPDATES: readonly MemberUpdate[] = [
  { state: 'alive', contact: BOB, from: BOB.id },
  { state: 'suspect', contact: CAROL, from: ALICE.id },
  { state: 'dead', contact: contact(4), from: BOB.id },
  { state: 'left', contact: { ...contact(5), incarnation: Number.MAX_SAFE_INTEGER }, from: contact(5).id },
];

export const PING: PingRequest = { sender: ALICE, updates: UPDATES, target: BOB.id };
export const PING_SEED: PingRequest = { sender: ALICE, updates: [], target: '' };
export const PING_RESPONSE: PingResponse = { sender: BOB, updates: UPDATES.slice(0, 2) };
export const PING_REQ: PingReqRequest = { sender: ALICE, updates: [], target: CAROL, timeoutMs: 500 };
export const PING_REQ_RESPONSE: PingReqResponse = { sender: BOB, updates: UPDATES.slice(1), acked: true };
export const FIND_NODE: FindNodeRequest = { sender: ALICE, updates: UPDATES.slice(3), key: 'ef'.repeat(32), count: 20 };
export const FIND_NODE_RESPONSE: FindNodeResponse = {
  sender: BOB,
  updates: [],
  closest: [CAROL, contact(6), contact(7, 'peer-7.example.org:7400')],
};
export const LEAVE: LeaveRequest = { sender: ALICE, updates: [{ state: 'left', contact: ALICE, from: ALICE.id }] };
export const LEAVE_RESPONSE: LeaveResponse = { sender: BOB, updates: [] };

/** One valid request and response of every routing method. */
export const SAMPLES: { [M in keyof RoutingMethods]: RoutingMethods[M] } = {
  ping: { request: PING, response: PING_RESPONSE },
  pingReq: { request: PING_REQ, response: PING_REQ_RESPONSE },
  findNode: { request: FIND_NODE, response: FIND_NODE_RESPONSE },
  leave: { request: LEAVE, response: LEAVE_RESPONSE },
};

/** A handler answering every routing method with its sample response and recording what it was sent. */
export function sampleHandler(): RoutingHandler & { received: { method: string; request: unknown }[] } {
  const received: { method: string; request: unknown }[] = [];
  return {
    received,
    ping: async (request) => {
      received.push({ method: 'ping', request });
      return PING_RESPONSE;
    },
    pingReq: async (request) => {
      received.push({ method: 'pingReq', request });
      return PING_REQ_RESPONSE;
    },
    findNode: async (request) => {
      received.push({ method: 'findNode', request });
      return FIND_NODE_RESPONSE;
    },
    leave: async (request) => {
      received.push({ method: 'leave', request });
      return LEAVE_RESPONSE;
    },
  };
}
