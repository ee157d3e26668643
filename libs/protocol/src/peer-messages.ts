/**
 * The peer protocol as the domain sees it: plain, immutable message objects. Three services share
 * one connection between peers: routing (`peerweave.routing.v1`, the messages below), content
 * (`peerweave.content.v1`, content-messages.ts) and search (`peerweave.search.v1`,
 * search-messages.ts). The gRPC transport maps the messages to wire messages; the in-memory network
 * passes them as they are (so receivers must never mutate a message they were given).
 *
 * Every routing message carries its sender's contact and a few piggybacked membership updates:
 * that is how contacts are learnt from every message received and how SWIM disseminates.
 */
import type { BlockStreamHandler, BlockStreamTransport } from './block-streams/block-stream-messages.ts';
import type { ContentMethods } from './content/content-messages.ts';
import type { SearchMethods } from './search/search-messages.ts';

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

/** Every method a peer may call on another: routing, content and search. */
export interface PeerMethods extends RoutingMethods, ContentMethods, SearchMethods {}
export type PeerMethod = keyof PeerMethods;
export type PeerRequest<M extends PeerMethod> = PeerMethods[M]['request'];
export type PeerResponse<M extends PeerMethod> = PeerMethods[M]['response'];

export interface PeerCallContext {
  /**
   * Aborts when the caller cancels or its deadline passes. Read it as `context.signal` and pass it
   * on; do not spread the context: the in-memory network makes the signal lazily, in a getter.
   */
  readonly signal: AbortSignal;
  /**
   * Who called: the remote `host:port` over gRPC (call.getPeer()), the caller's address on the
   * in-memory network; for per-peer limits. Over gRPC it is the connection's source address and
   * port, not the caller's advertised peer address (an outgoing connection has an ephemeral port).
   */
  readonly peer: string;
}

/** How a node serves one method. */
export type PeerMethodHandler<M extends PeerMethod> = (
  request: PeerRequest<M>,
  context: PeerCallContext,
) => Promise<PeerResponse<M>>;

/** The serving side of routing: what a routing node does when a peer calls it. */
export type RoutingHandler = { [M in RoutingMethod]: PeerMethodHandler<M> };

/**
 * The serving side of content: what a storage node does when a peer calls it, the content methods
 * and the block streams (`readBlock`, `writeBlocks`).
 */
export type ContentHandler = { [M in keyof ContentMethods]: PeerMethodHandler<M> } & BlockStreamHandler;

/** The serving side of search: what a node does when a peer queries it, sends it hits, or attaches to it. */
export type SearchHandler = { [M in keyof SearchMethods]: PeerMethodHandler<M> };

/** The serving side of a whole node: every method of the three services. */
export type PeerHandler = RoutingHandler & ContentHandler & SearchHandler;

export interface PeerCallOptions {
  signal?: AbortSignal;
  /** Deadline of this call; the transport's default applies when absent. */
  deadlineMs?: number;
}

/**
 * The calling side, for every method of the three services and the block streams
 * (`openBlockReader`, `openBlockWriter`: block-stream-messages.ts). Implemented over gRPC
 * (`GrpcPeerTransport`) and over the in-memory network (`MemoryNetwork`), so routing, content and
 * search code run unchanged in containers and in the simulator. Failures reject with a PeerweaveError: UNAVAILABLE
 * (unreachable), DEADLINE_EXCEEDED, ABORTED (caller's signal), INVALID_ARGUMENT /
 * RESOURCE_EXHAUSTED (the peer refused the message), METHOD_NOT_ALLOWED (the peer does not serve
 * the method, e.g. a routing-only node asked for a block), or the handler's own code
 * (CORRUPT_BLOCK, NOT_FOUND...).
 */
export interface PeerTransport extends BlockStreamTransport {
  request<M extends PeerMethod>(
    address: string,
    method: M,
    request: PeerRequest<M>,
    options?: PeerCallOptions,
  ): Promise<PeerResponse<M>>;
  /** Closes cached connections and open block streams; later calls fail. */
  close(): Promise<void>;
}
