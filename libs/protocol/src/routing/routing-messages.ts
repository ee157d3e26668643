/**
 * The routing protocol (`peerweave.routing.v1.PeerService`: Ping, PingReq, FindNode, Leave and the
 * PingStream) as the domain sees it: plain, immutable message objects. The gRPC transport maps them
 * to wire messages (routing-codec.ts); the in-memory network passes them as they are (so receivers
 * must never mutate a message they were given).
 *
 * Every routing message carries its sender's contact and a few piggybacked membership updates:
 * that is how contacts are learnt from every message received and how SWIM disseminates.
 */
import type { ServiceHandler } from '../service-types.ts';

/** Only append to this list: it is a wire enum. */
export const MEMBER_STATES = ['alive', 'suspect', 'dead', 'left'] as const;
export type MemberState = (typeof MEMBER_STATES)[number];

/** How to reach a node and how fresh that knowledge is. */
export interface PeerContact {
  /** Node id, 64 lower-case hex digits. */
  readonly id: string;
  /** `host:port` of its peer protocol. */
  readonly address: string;
  /** `peer` or `supernode`. */
  readonly role: string;
  /** Raised by the node itself to refute a suspicion; a restart starts above any earlier value. */
  readonly incarnation: number;
}

/** A membership fact about `contact`, as SWIM gossips it. */
export interface MemberUpdate {
  readonly state: MemberState;
  readonly contact: PeerContact;
  /** Id of the node that made the claim (the suspecter, or the node itself for alive/left). */
  readonly from: string;
}

export interface Envelope {
  readonly sender: PeerContact;
  readonly updates: readonly MemberUpdate[];
}

export interface PingRequest extends Envelope {
  /** The id the caller expects at the address; empty when it does not know it (a seed). */
  readonly target: string;
}
export type PingResponse = Envelope;

export interface PingReqRequest extends Envelope {
  /** The node to probe on the caller's behalf. */
  readonly target: PeerContact;
  /** How long the intermediary may wait for the target's ack. */
  readonly timeoutMs: number;
}
export interface PingReqResponse extends Envelope {
  readonly acked: boolean;
}

export interface FindNodeRequest extends Envelope {
  /** Key to find the closest nodes to, 64 hex digits. */
  readonly key: string;
  /** How many contacts the caller wants (k). */
  readonly count: number;
}
export interface FindNodeResponse extends Envelope {
  readonly closest: readonly PeerContact[];
}

export type LeaveRequest = Envelope;
export type LeaveResponse = Envelope;

/** Request and response of each routing method. Only append methods. */
export interface RoutingMethods {
  ping: { request: PingRequest; response: PingResponse };
  pingReq: { request: PingReqRequest; response: PingReqResponse };
  findNode: { request: FindNodeRequest; response: FindNodeResponse };
  leave: { request: LeaveRequest; response: LeaveResponse };
}
export type RoutingMethod = keyof RoutingMethods;

/** The serving side of routing: what a routing node does when a peer calls it. */
export type RoutingHandler = ServiceHandler<RoutingMethods>;
