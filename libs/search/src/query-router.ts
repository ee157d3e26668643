import { silentLogger, type Clock, type Logger, type Startable } from '@peerweave/core';
import {
  MAX_SEARCH_HOPS,
  MAX_SEARCH_LIMIT,
  MAX_SUPERNODES_PER_MESSAGE,
  type IndexEntry,
  type SearchClient,
  type QueryRequest,
  type QueryResponse,
  type SearchHit,
  type SearchOrigin,
} from '@peerweave/protocol';
import { clampLimit, cutRemoteTtl, parseQuery } from './query.ts';
import { TokenBuckets } from './rate-limit.ts';
import type { SearchMetrics } from './search-metrics.ts';
import { isUnreachable } from './search-options.ts';
import { SeenCache } from './seen-cache.ts';

/** The node's own records, searchable (SearchIndex satisfies it). */
export interface LocalIndex {
  search(text: string, options: { limit: number; selfId: string; everyHolder?: boolean }): SearchHit[];
}

/**
 * A supernode's index of its leaves' records, keyed by (owner = leaf id, cid). SearchIndex
 * satisfies it; hits carry the leaf as `holder`.
 */
export interface LeafIndex extends LocalIndex {
  upsert(owner: string, entry: IndexEntry): void;
  remove(owner: string, cid: string): boolean;
  replaceOwner(owner: string, entries: readonly IndexEntry[]): void;
  /** One Publish of leaf `owner` (full: replaces its rows; then upserts, then removals), atomically. */
  applyPublish(owner: string, change: { full: boolean; upserts: readonly IndexEntry[]; removed: readonly string[] }): void;
  removeOwner(owner: string): number;
  owners(): string[];
  count(owner?: string): number;
}

export type SearchRole = 'peer' | 'supernode';

/**
 * Whose token bucket a query takes from: a flood is limited per neighbour; a supernode-mode query
 * per asking leaf, since a supernode relays the queries of all its leaves to the other supernodes.
 */
export function rateKey(request: QueryRequest): string {
  return request.mode === 'supernode' ? `s:${request.origin.id}` : request.from;
}

/**
 * The TTL this node may still spend on a query it received: the remote value cut to the hard
 * maximum, and to `supernodeTtl` among supernodes. 0 when it must not go further, as when the
 * next hop would pass MAX_SEARCH_HOPS.
 */
export function forwardTtl(request: QueryRequest, supernodeTtl: number): number {
  if (request.hops + 1 > MAX_SEARCH_HOPS) return 0;
  const cut = cutRemoteTtl(request.ttl);
  return request.mode === 'supernode' ? Math.min(cut, supernodeTtl) : cut;
}

/** The overlay neighbours a flood goes on to: never this node, the sender or the origin. */
export function floodTargets(overlay: readonly SearchOrigin[], selfId: string, exclude: readonly string[] = []): SearchOrigin[] {
  return overlay.filter((n) => n.id !== selfId && !exclude.includes(n.id));
}

/** The supernodes a supernode-mode query goes on to (none when `ttl` is spent): not back to the sender or the origin. */
export function supernodeTargets(known: readonly SearchOrigin[], request: Pick<QueryRequest, 'from' | 'origin'>, ttl: number): SearchOrigin[] {
  if (ttl <= 0) return [];
  return known.filter((sn) => sn.id !== request.from && sn.id !== request.origin.id).slice(0, MAX_SUPERNODES_PER_MESSAGE);
}

/** The own hits and the leaves', best first, at most MAX_SEARCH_LIMIT. */
export function mergeAnswers(own: readonly SearchHit[], leaves: readonly SearchHit[]): SearchHit[] {
  if (own.length === 0) return [...leaves];
  return [...own, ...leaves].sort((a, b) => b.score - a.score).slice(0, MAX_SEARCH_LIMIT);
}

export interface QueryRouterInit {
  self: SearchOrigin;
  role: SearchRole;
  transport: SearchClient;
  clock: Clock;
  logger?: Logger;
  metrics: SearchMetrics;
  index: LocalIndex;
  leafIndex?: LeafIndex;
  overlay(): readonly SearchOrigin[];
  /** The supernodes known (to forward supernode-mode queries to) and forgetting one unreachable. */
  directory: { known(): SearchOrigin[]; forget(id: string): void };
  seenTtlMs: number;
  seenMax: number;
  queryRatePerSecond: number;
  queryBurst: number;
  /** Leaves a supernode accepts (the rate limiter keeps a bucket for each). */
  maxLeaves: number;
  supernodeTtl: number;
  callDeadlineMs: number;
}

/**
 * Serves the Query RPC: rate limit, seen-cache, an ack at once, then the answer (Hits straight to
 * the origin) and the forwarding with one TTL less, after the ack so no call is held open along a
 * flood path. The asker sends through it too (`flood`, `forwardToSupernodes`).
 */
export class QueryRouter implements Startable {
  readonly #init: QueryRouterInit;
  readonly #log: Logger;
  readonly #seen: SeenCache;
  readonly #buckets: TokenBuckets;

  constructor(init: QueryRouterInit) {
    this.#init = init;
    this.#log = init.logger ?? silentLogger;
    this.#seen = new SeenCache({ clock: init.clock, ttlMs: init.seenTtlMs, max: Math.max(1, init.seenMax) });
    this.#buckets = new TokenBuckets({
      clock: init.clock,
      ratePerSecond: init.queryRatePerSecond,
      burst: Math.max(1, init.queryBurst),
      maxKeys: Math.max(1024, 4 * init.maxLeaves),
    });
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** Marks the id of a query this node starts as seen, so it is not served when it comes back. */
  markSeen(queryId: string): void {
    this.#seen.firstSeen(queryId);
  }

  query(request: QueryRequest): QueryResponse {
    const m = this.#init.metrics;
    if (!this.#buckets.take(rateKey(request))) {
      m.rateLimited.inc();
      return { accepted: false };
    }
    if (!this.#seen.firstSeen(request.queryId) || request.origin.id === this.#init.self.id) {
      m.duplicates.inc();
      return { accepted: false };
    }
    if (request.mode === 'supernode' && this.#init.role !== 'supernode') return { accepted: false };
    let text: string;
    try {
      text = parseQuery(request.text).text;
    } catch {
      return { accepted: false };
    }
    // Supernode mode: the ack names the supernodes that will answer besides this one.
    const supernodeMode = request.mode === 'supernode';
    const targets = supernodeMode ? this.supernodeTargets(request, forwardTtl(request, this.#init.supernodeTtl)) : [];
    // Answer and forward after the ack: the caller's call is not held open.
    queueMicrotask(() => this.#serve(request, text, targets));
    return supernodeMode ? { accepted: true, forwardedTo: targets.map((t) => t.id) } : { accepted: true };
  }

  /** The supernodes a supernode-mode query goes on to from here (none when `ttl` is spent). */
  supernodeTargets(request: Pick<QueryRequest, 'from' | 'origin'>, ttl: number): SearchOrigin[] {
    return supernodeTargets(this.#init.directory.known(), request, ttl);
  }

  /** Hits of this node for `text`: its own records, and those of its leaves in supernode mode. */
  answer(text: string, limit: number, withLeaves: boolean): SearchHit[] {
    const { index, leafIndex, self } = this.#init;
    const own = index.search(text, { limit, selfId: self.id });
    if (!withLeaves || this.#init.role !== 'supernode' || leafIndex === undefined || (leafIndex as unknown) === (index as unknown)) return own;
    // Every leaf holding a match is named (a file lives on r nodes): one hit per holder.
    return mergeAnswers(own, leafIndex.search(text, { limit, selfId: self.id, everyHolder: true }));
  }

  /** Sends `query` to the overlay neighbours but `exclude`; returns the messages sent. */
  flood(query: QueryRequest, exclude: readonly string[] = []): number {
    const targets = floodTargets(this.#init.overlay(), this.#init.self.id, exclude);
    for (const n of targets) this.#init.transport.request(n.address, 'query', query, { deadlineMs: this.#init.callDeadlineMs }).catch(() => {});
    return targets.length;
  }

  /**
   * Sends a supernode-mode query on to `targets` with one TTL less (`ttl` is what this node may
   * still spend); the asker sends hops 0. Returns the messages sent.
   */
  forwardToSupernodes(request: QueryRequest, targets: readonly SearchOrigin[], ttl: number, asker: boolean): number {
    if (ttl <= 0) return 0;
    const forward: QueryRequest = { ...request, ttl: ttl - 1, hops: asker ? 0 : request.hops + 1, from: this.#init.self.id };
    for (const sn of targets) {
      this.#init.transport.request(sn.address, 'query', forward, { deadlineMs: this.#init.callDeadlineMs }).catch((err: unknown) => {
        if (isUnreachable(err)) this.#init.directory.forget(sn.id);
      });
    }
    return targets.length;
  }

  #serve(request: QueryRequest, text: string, targets: readonly SearchOrigin[]): void {
    const { self, metrics } = this.#init;
    const supernodeMode = request.mode === 'supernode';
    let hits: SearchHit[] = [];
    try {
      hits = this.answer(text, clampLimit(request.limit), supernodeMode);
    } catch (err) {
      this.#log.debug({ err: (err as Error).message }, 'query not answered');
    }
    // A supernode always answers a supernode-mode query (empty when nothing matches): the asker
    // counts the answers to know when the search is complete.
    if (hits.length > 0 || supernodeMode) {
      metrics.hitsSent.inc();
      this.#init.transport
        .request(request.origin.address, 'hits', { queryId: request.queryId, responder: self.id, hits }, { deadlineMs: this.#init.callDeadlineMs })
        .catch(() => {});
    }
    const ttl = forwardTtl(request, this.#init.supernodeTtl);
    const sent = supernodeMode
      ? this.forwardToSupernodes(request, targets, ttl, false)
      : ttl > 0
        ? this.flood({ ...request, ttl: ttl - 1, hops: request.hops + 1, from: self.id }, [request.from, request.origin.id])
        : 0;
    if (sent > 0) metrics.forwarded.inc({}, sent);
  }
}
