/**
 * "Peer" is the union of the services one peer calls on another over one connection: routing
 * (`peerweave.routing.v1`, routing/routing-messages.ts), content (`peerweave.content.v1`,
 * content/content-messages.ts) and search (`peerweave.search.v1`, search/search-messages.ts). Here:
 * the union's method table, the whole node's handler, the transport that calls every method, and the
 * narrow clients each lib receives instead of the whole transport.
 */
import type { BlockStreamTransport } from './block-streams/block-stream-messages.ts';
import type { ContentHandler, ContentMethod, ContentMethods } from './content/content-messages.ts';
import type { RoutingHandler, RoutingMethod, RoutingMethods } from './routing/routing-messages.ts';
import type { SearchHandler, SearchMethod, SearchMethods } from './search/search-messages.ts';
import type { PeerCallOptions } from './service-types.ts';

/** Every method a peer may call on another: routing, content and search. */
export interface PeerMethods extends RoutingMethods, ContentMethods, SearchMethods {}
export type PeerMethod = keyof PeerMethods;
export type PeerRequest<M extends PeerMethod> = PeerMethods[M]['request'];
export type PeerResponse<M extends PeerMethod> = PeerMethods[M]['response'];

/** The serving side of a whole node: every method of the three services. */
export type PeerHandler = RoutingHandler & ContentHandler & SearchHandler;

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
export interface PeerTransport extends BlockStreamTransport, MethodClient<PeerMethod>, ConnectionEvents, ConnectionControl {
  /** Closes cached connections and open block streams; later calls fail. */
  close(): Promise<void>;
}

/**
 * News of lost connections, where a transport has connections (gRPC's channels; the in-memory
 * network models them). A hint, not a verdict: the peer may have crashed (its kernel closed the
 * socket), restarted, or closed an idle connection; SWIM probes it at once rather than in its turn.
 */
export interface ConnectionEvents {
  /**
   * Calls `listener` with the peer's address each time a connection to it that was up is lost
   * (closed by the peer, or found dead by keepalive), never for one this side closed. Returns
   * the function that removes the listener.
   */
  onConnectionLost?(listener: (address: string) => void): () => void;
}

/**
 * Dropping a cached connection, where a transport caches them (gRPC's channels). A connection that
 * went silent — a partition's dropped packets leave TCP retransmitting in exponential back-off, a
 * connect's SYNs go unanswered and are retried 1, 3, 7, 15 s later — can stay stuck for tens of
 * seconds after the network heals, while a new one connects at once. Routing drops the connection
 * to a member it holds dead.
 */
export interface ConnectionControl {
  /** Closes the cached connection to `address`, if any (its calls in flight reject); the next call opens a new one. */
  disconnect?(address: string): void;
  /** Whether the cached connection to `address` is up now (gRPC: its channel READY). */
  connected?(address: string): boolean;
  /**
   * Closes the cached connection to `address` when nothing is in flight on it (no call, no block
   * stream), so the next call opens a new one; true if it was closed. SWIM calls it when its direct
   * probe of a member failed while the member acked through a helper: the member is up and
   * reachable, so the connection (not the member) is what failed. That check replaces frequent
   * transport keepalive pings on every idle connection; a connection under calls is left to them.
   */
  resetIfIdle?(address: string): boolean;
}

/**
 * The calling side of some methods only. A lib receives the client of the methods it calls (a
 * `PeerTransport` is one of each), so its constructor says what it needs and a test fake implements
 * only that.
 */
export interface MethodClient<M extends PeerMethod> {
  request<K extends M>(address: string, method: K, request: PeerRequest<K>, options?: PeerCallOptions): Promise<PeerResponse<K>>;
}

/** What routing calls: Ping, PingReq, FindNode, Leave. */
export type RoutingClient = MethodClient<RoutingMethod>;
/** What replication and transfer call: the content methods and the block streams. */
export type ContentClient = MethodClient<ContentMethod> & BlockStreamTransport;
/** What search calls: Query, Hits, Attach, Publish, SearchLoad. */
export type SearchClient = MethodClient<SearchMethod>;
