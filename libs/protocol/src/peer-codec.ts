/**
 * The codec table of the peer union: the routing, content and search tables together, for the
 * transports and the in-memory network (which checks messages as the wire would).
 */
import { CONTENT_CODECS, CONTENT_METHODS, isContentMethod, type ContentWireMethods } from './content/content-codec.ts';
import type { MethodCodec } from './method-codec.ts';
import type { PeerMethod, PeerMethods, PeerRequest, PeerResponse } from './peer-messages.ts';
import { isRoutingMethod, ROUTING_CODECS, ROUTING_METHODS, type RoutingWireMethods } from './routing/routing-codec.ts';
import { isSearchMethod, SEARCH_CODECS, SEARCH_METHODS, type SearchWireMethods } from './search/search-codec.ts';

/** The wire types of every peer method: routing, content and search. */
export interface PeerWireMethods extends RoutingWireMethods, ContentWireMethods, SearchWireMethods {}

/** Encoding and decoding of one peer method. Every function throws InvalidArgumentError. */
export type PeerMethodCodec<M extends PeerMethod> = MethodCodec<PeerMethods[M], PeerWireMethods[M]>;

/** Every peer method: the routing methods, then the content methods, then the search methods. */
export const PEER_METHODS: readonly PeerMethod[] = [...ROUTING_METHODS, ...CONTENT_METHODS, ...SEARCH_METHODS];

export function isPeerMethod(value: unknown): value is PeerMethod {
  return isRoutingMethod(value) || isContentMethod(value) || isSearchMethod(value);
}

/** The codec of every peer method: routing, content and search. */
export const PEER_CODECS: { readonly [M in PeerMethod]: PeerMethodCodec<M> } = { ...ROUTING_CODECS, ...CONTENT_CODECS, ...SEARCH_CODECS };

/**
 * Throws InvalidArgumentError unless `request` is a valid `method` request: what a peer would
 * refuse. For in-memory transports that pass messages by reference and want the wire's checks.
 */
export function assertValidPeerRequest<M extends PeerMethod>(method: M, request: PeerRequest<M>): void {
  PEER_CODECS[method].encodeRequest(request);
}

/** Throws InvalidArgumentError unless `response` is a valid `method` response. */
export function assertValidPeerResponse<M extends PeerMethod>(method: M, response: PeerResponse<M>): void {
  PEER_CODECS[method].encodeResponse(response);
}
