/**
 * The search protocol (`peerweave.search.v1.SearchService`) as the domain sees it: plain,
 * immutable message objects, like routing-messages.ts and content-messages.ts.
 *
 * Two ways to search, both built on these messages:
 * - **Flooding** (Gnutella style). The asking node sends `query` with a fresh id to its overlay
 *   neighbours; every node answers from its own index with `hits` straight to the origin, lowers
 *   the TTL and forwards to its own overlay neighbours while the TTL stays above zero. A node drops
 *   a query id it has seen before, and cuts a TTL above MAX_SEARCH_TTL to it.
 * - **Supernodes** (Gnutella 0.6 ultrapeers). A regular node (a leaf) `attach`es to one or two
 *   supernodes, `publish`es its index to them (whole on attach, then changes), and sends its
 *   queries to them with `mode: 'supernode'`; a supernode answers from the index of all its leaves
 *   and forwards among the supernodes it knows (again with a TTL and the seen-cache).
 */
import type { ServiceHandler } from '../service-types.ts';

/** How a query travels. Only append: it is a wire enum. */
export const SEARCH_MODES = ['flood', 'supernode'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

/** Who asked: hits go straight back to this node. */
export interface SearchOrigin {
  /** Node id, 64 hex. */
  readonly id: string;
  /** `host:port` of its peer protocol. */
  readonly address: string;
}

export interface QueryRequest {
  /** Unique id of this search (32 hex digits, 128 random bits): the seen-cache key. */
  readonly queryId: string;
  /** The user's query text, at most MAX_QUERY_LENGTH characters, not empty. */
  readonly text: string;
  /** Hops left after this one; the receiver cuts it to MAX_SEARCH_TTL. 0: answer, do not forward. */
  readonly ttl: number;
  /** Hops already travelled (0 at the first receiver). */
  readonly hops: number;
  /** Most hits the asker wants, 1..MAX_SEARCH_LIMIT; also the most a node sends back. */
  readonly limit: number;
  readonly mode: SearchMode;
  readonly origin: SearchOrigin;
  /** Id of the node that sent this copy (64 hex): it is not sent the query back. */
  readonly from: string;
}
export interface QueryResponse {
  /** False when the receiver dropped the query: a duplicate, or rate-limited. */
  readonly accepted: boolean;
  /**
   * Supernode mode: ids (64 hex) of the other supernodes the callee forwards the query to, at most
   * MAX_SUPERNODES_PER_MESSAGE. Each answers the origin with Hits (empty when it has no match), so
   * the asker knows when all have answered. Absent or empty in flood mode.
   */
  readonly forwardedTo?: readonly string[];
}

/** One match. */
export interface SearchHit {
  /** Root CID of the object. */
  readonly cid: string;
  readonly name: string;
  readonly size: number;
  readonly contentType: string;
  readonly keywords: readonly string[];
  /** Relevance, higher is better (negated bm25, so comparable between nodes only roughly). */
  readonly score: number;
  /** Id (64 hex) of a node that holds the object's record. */
  readonly holder: string;
}

export interface HitsRequest {
  readonly queryId: string;
  /** Id of the node that answered (64 hex): a supernode answers for its leaves. */
  readonly responder: string;
  /** At most MAX_SEARCH_LIMIT hits. */
  readonly hits: readonly SearchHit[];
}
export interface HitsResponse {
  /** False when the asker no longer waits for that query (done, or unknown). */
  readonly wanted: boolean;
}

/** One entry of a leaf's index as it publishes it to a supernode. */
export interface IndexEntry {
  readonly cid: string;
  readonly name: string;
  readonly size: number;
  readonly contentType: string;
  readonly keywords: readonly string[];
}

export interface AttachRequest {
  /** The leaf (id and address). */
  readonly leaf: SearchOrigin;
}
export interface AttachResponse {
  /** False when the callee is not a supernode or is full. */
  readonly accepted: boolean;
  /** Leaves attached to the callee now (its load), after this one. */
  readonly leaves: number;
}

export interface PublishRequest {
  /** Id of the leaf (64 hex). */
  readonly leaf: string;
  /** True: `upserts` is the leaf's whole index and replaces what the supernode held for it. */
  readonly full: boolean;
  /** Entries added or changed, at most MAX_INDEX_ENTRIES_PER_MESSAGE. */
  readonly upserts: readonly IndexEntry[];
  /** CIDs the leaf no longer holds, at most MAX_INDEX_ENTRIES_PER_MESSAGE. */
  readonly removed: readonly string[];
}
export interface PublishResponse {
  /** False when the leaf is not attached to the callee (any more): it must attach again. */
  readonly accepted: boolean;
}

export interface SearchLoadRequest {
  /** Id of the caller (64 hex). */
  readonly from: string;
  /** The caller itself when it runs in the supernode role (its id is `from`): the callee's mesh learns it. */
  readonly supernode?: SearchOrigin;
}
export interface SearchLoadResponse {
  /** True when the callee runs in the supernode role. */
  readonly supernode: boolean;
  /** Leaves attached to it. */
  readonly leaves: number;
  /** Entries in its index of leaves. */
  readonly entries: number;
  /** Other supernodes it knows, at most MAX_SUPERNODES_PER_MESSAGE. */
  readonly supernodes: readonly SearchOrigin[];
}

/** Request and response of each search method. Only append methods. */
export interface SearchMethods {
  query: { request: QueryRequest; response: QueryResponse };
  hits: { request: HitsRequest; response: HitsResponse };
  attach: { request: AttachRequest; response: AttachResponse };
  publish: { request: PublishRequest; response: PublishResponse };
  searchLoad: { request: SearchLoadRequest; response: SearchLoadResponse };
}
export type SearchMethod = keyof SearchMethods;

/** The serving side of search: what a node does when a peer queries it, sends it hits, or attaches to it. */
export type SearchHandler = ServiceHandler<SearchMethods>;

/** TTL of a query when the user gives none (Gnutella's 7 was found to flood too much; 4 reaches far in a small-world overlay). */
export const DEFAULT_SEARCH_TTL = 4;
/** Hard cap on a query's TTL: every node cuts a larger one to it, whoever sent it. */
export const MAX_SEARCH_TTL = 7;
/** Longest query text accepted, in characters. */
export const MAX_QUERY_LENGTH = 256;
/** Most hits asked for and sent in one message. */
export const MAX_SEARCH_LIMIT = 200;
/** Most index entries (or removed CIDs) in one Publish. */
export const MAX_INDEX_ENTRIES_PER_MESSAGE = 1000;
/** Most supernodes listed in one SearchLoad answer. */
export const MAX_SUPERNODES_PER_MESSAGE = 64;
