/**
 * The search engine of one node: flooded search with a TTL (Gnutella 0.4) and the optional
 * supernode role (Gnutella 0.6 ultrapeers), both the serving side (`handler`) and the asking side
 * (`search`). Everything it needs is injected (transport, clock, random, indexes, the routing
 * layer's view of neighbours and supernodes), so it runs unchanged over gRPC and, by the
 * thousand, over the in-memory network on a manual clock.
 *
 * TTL semantics. `QueryRequest.ttl` is the number of hops left *after* the one that delivered it.
 * A user TTL of t (clampTtl: default DEFAULT_SEARCH_TTL, at most MAX_SEARCH_TTL) means the query
 * travels at most t hops: the asker sends ttl t − 1 to its overlay neighbours; every receiver cuts
 * what it got to MAX_SEARCH_TTL (cutRemoteTtl), answers, and forwards with one less while the cut
 * value is above 0. So a peer that sends ttl 50 gets it forwarded with at most 6, and ttl 0 is
 * answered but goes no further.
 *
 * The Query RPC only acknowledges (accepted, or dropped as a duplicate / rate-limited / not for
 * this node): answering (Hits straight to the origin) and forwarding happen after the ack, so no
 * call is held open along a flood path.
 */
import {
  InvalidArgumentError,
  PeerweaveError,
  UnavailableError,
  noopMetrics,
  silentLogger,
  toAbortError,
  type Clock,
  type Counter,
  type Logger,
  type Metrics,
  type Random,
  type Startable,
  type TimerHandle,
} from '@peerweave/core';
import {
  MAX_INDEX_ENTRIES_PER_MESSAGE,
  MAX_SEARCH_LIMIT,
  MAX_SEARCH_HOPS,
  MAX_SUPERNODES_PER_MESSAGE,
  type IndexEntry,
  type PeerTransport,
  type QueryRequest,
  type QueryResponse,
  type SearchHandler,
  type SearchHit,
  type SearchMode,
  type SearchOrigin,
} from '@peerweave/protocol';
import { HitCollector, type CollectedHit } from './merge.ts';
import { clampLimit, clampTtl, cutRemoteTtl, parseQuery } from './query.ts';
import { TokenBuckets } from './rate-limit.ts';
import { SeenCache } from './seen-cache.ts';

/** How long a query id is remembered: far longer than any flood lasts. */
export const DEFAULT_SEEN_TTL_MS = 60_000;
/** Query ids remembered at most (a few thousand queries a minute). */
export const DEFAULT_SEEN_MAX = 20_000;
/** Queries a neighbour may send us per second, sustained... */
export const DEFAULT_QUERY_RATE_PER_SECOND = 20;
/** ...and at once after being idle. */
export const DEFAULT_QUERY_BURST = 40;
/** Supernodes a leaf attaches to. */
export const DEFAULT_ATTACH_COUNT = 2;
/** Leaves a supernode accepts. */
export const DEFAULT_MAX_LEAVES = 2_000;
/**
 * Periodic: how often a leaf heartbeats its supernodes (an empty Publish) and a node runs its
 * maintenance. A heartbeat is one call per attached supernode (about 1.5 ms of CPU for both ends
 * on the bench VM), so a supernode with L leaves pays L × 1.5 ms per period: at 5 s and 20 leaves
 * that was 0.6 % of a core doing nothing. Its purpose is only to let a supernode forget leaves that
 * vanished and a restarted supernode learn who is attached (membership changes bring maintenance
 * forward at once), so 15 s.
 */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** A supernode drops a leaf (and its entries) not heard from for this long: three heartbeats. */
export const DEFAULT_LEAF_EXPIRY_MS = 3 * DEFAULT_HEARTBEAT_MS;
/** Hops a supernode-mode query travels among supernodes (after the leaf → supernode hop). */
export const DEFAULT_SUPERNODE_TTL = 2;
/**
 * A search is complete when no Hits arrived for this long. A hop on a LAN takes a few
 * milliseconds, so 300 ms of silence after the last answer (or after the queries went out) means
 * the flood has run its course; the deadline still bounds a search whose answers keep coming.
 */
export const DEFAULT_QUIET_MS = 300;
/** Shortest wait for late supernode answers once every supernode named in the ack has answered. */
const STRAGGLER_MIN_MS = 5;
/** A search returns what it has (partial) after this long. */
export const DEFAULT_SEARCH_DEADLINE_MS = 5_000;
/** Deadline of one call to a peer (query, hits, attach, publish, searchLoad). */
export const DEFAULT_CALL_DEADLINE_MS = 2_000;
/** Closest supernode candidates asked for their load per attach attempt. */
export const DEFAULT_PROBE_COUNT = 3;
/** Supernodes remembered from SearchLoad answers, at most. */
const MAX_LEARNT_SUPERNODES = 256;
/** Overlay neighbours asked for the supernodes they know when this node knows none. */
const DISCOVERY_FANOUT = 3;
/** Known supernodes a supernode asks for theirs each maintenance round. */
const MESH_GOSSIP_FANOUT = 2;
/** Longest pause, in maintenance rounds, between two discovery attempts that found nothing. */
const MAX_DISCOVERY_BACKOFF_ROUNDS = 16;

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
  removeOwner(owner: string): number;
  owners(): string[];
  count(owner?: string): number;
}

export type SearchRole = 'peer' | 'supernode';

export interface SearchNodeOptions {
  seenTtlMs: number;
  seenMax: number;
  /** Per-neighbour token bucket of incoming queries. */
  queryRatePerSecond: number;
  queryBurst: number;
  attachCount: number;
  maxLeaves: number;
  heartbeatMs: number;
  leafExpiryMs: number;
  /** TTL of supernode-mode queries among supernodes. */
  supernodeTtl: number;
  quietMs: number;
  deadlineMs: number;
  callDeadlineMs: number;
  probeCount: number;
}

export interface SearchNodeInit extends Partial<SearchNodeOptions> {
  self: SearchOrigin;
  role: SearchRole;
  transport: Pick<PeerTransport, 'request'>;
  clock: Clock;
  random: Random;
  logger?: Logger;
  metrics?: Metrics;
  /** The node's own records. */
  index: LocalIndex;
  /** Supernode only: the index of its leaves' records. */
  leafIndex?: LeafIndex;
  /** Overlay neighbours (flooding goes to these). */
  overlay(): readonly SearchOrigin[];
  /** Supernodes this node knows of (e.g. routing contacts whose role is `supernode`). */
  supernodeCandidates(): readonly SearchOrigin[];
  /** The node's whole index, for a full publish. */
  localEntries(): IndexEntry[];
}

export type SearchModeOption = 'auto' | SearchMode;

export interface SearchCallOptions {
  /** Hops a flooded query travels (default DEFAULT_SEARCH_TTL, cut to MAX_SEARCH_TTL). */
  ttl?: number;
  /** Distinct hits wanted (default DEFAULT_SEARCH_LIMIT, 1..MAX_SEARCH_LIMIT). */
  limit?: number;
  /** Longest wait before returning what has arrived, marked partial. */
  deadlineMs?: number;
  signal?: AbortSignal;
  /**
   * `auto` (default): through an attached supernode if there is one, flooding if there is none
   * or it fails. `supernode`: only through supernodes (UNAVAILABLE when none answers).
   */
  mode?: SearchModeOption;
}

export interface SearchResult {
  /** Merged by CID, best first. */
  hits: CollectedHit[];
  /** True when the deadline ended the search while answers could still come. */
  partial: boolean;
  /** How the query travelled. */
  mode: SearchMode;
  /** Nodes whose Hits arrived (this node included when its own index matched). */
  responders: string[];
  /** Every holder named by any hit (before merging by CID), this node included. */
  holders: string[];
  /** Messages of this search as the asker sees them: queries it sent + Hits it received. */
  messages: number;
}

/** Plain counters of what this node did, for simulations (the same as the metrics). */
export interface SearchStats {
  /** Searches started here, by the mode they used. */
  searches: { flood: number; supernode: number };
  /** Query messages this node sent as the asker. */
  queriesSent: number;
  /** Query messages this node sent forwarding someone else's query. */
  queriesForwarded: number;
  /** Hits messages this node sent. */
  hitsSent: number;
  /** Queries dropped because their id had been seen. */
  duplicates: number;
  /** Queries dropped by the per-neighbour rate limit. */
  rateLimited: number;
  /** Hits messages received for a search still waiting. */
  hitsReceived: number;
}

interface Pending {
  readonly collector: HitCollector;
  readonly responders: Set<string>;
  readonly holders: Set<string>;
  hitsMessages: number;
  /**
   * Supernode mode: the supernodes whose answers to wait for (every supernode reached answers,
   * even empty); the search ends as soon as all are in instead of after a quiet period.
   */
  expected: Set<string> | undefined;
  /** Clock time the search started. */
  readonly startedMs: number;
  quietTimer: TimerHandle | undefined;
  finish: (partial: boolean) => void;
}

interface Attachment {
  readonly origin: SearchOrigin;
  /** Publishes to this supernode run one after another. */
  queue: Promise<void>;
}

interface Leaf {
  origin: SearchOrigin;
  lastSeen: number;
}

/** Why a leaf lets go of a supernode. */
type DetachReason = 'refused' | 'failed' | 'dead';

export class SearchNode implements Startable {
  readonly handler: SearchHandler;
  readonly #init: SearchNodeInit;
  readonly #o: SearchNodeOptions;
  readonly #log: Logger;
  readonly #seen: SeenCache;
  readonly #buckets: TokenBuckets;
  readonly #pending = new Map<string, Pending>();
  /** Leaf side: supernodes this node is attached to (published to). */
  readonly #attached = new Map<string, Attachment>();
  /** Supernodes learnt from SearchLoad answers. */
  readonly #learnt = new Map<string, SearchOrigin>();
  /** Supernodes not to attach to before the given clock time (failed, full, not a supernode). */
  readonly #shunned = new Map<string, number>();
  /** Supernode side: attached leaves. */
  readonly #leaves = new Map<string, Leaf>();
  readonly #stats: SearchStats = {
    searches: { flood: 0, supernode: 0 },
    queriesSent: 0,
    queriesForwarded: 0,
    hitsSent: 0,
    duplicates: 0,
    rateLimited: 0,
    hitsReceived: 0,
  };
  readonly #m;
  #running = false;
  #timer: TimerHandle | undefined;
  #maintaining: Promise<void> | undefined;
  #discoveryWait = 0;
  #discoveryBackoff = 1;

  constructor(init: SearchNodeInit) {
    this.#init = init;
    const heartbeatMs = init.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.#o = {
      seenTtlMs: init.seenTtlMs ?? DEFAULT_SEEN_TTL_MS,
      seenMax: init.seenMax ?? DEFAULT_SEEN_MAX,
      queryRatePerSecond: init.queryRatePerSecond ?? DEFAULT_QUERY_RATE_PER_SECOND,
      queryBurst: init.queryBurst ?? DEFAULT_QUERY_BURST,
      attachCount: init.attachCount ?? DEFAULT_ATTACH_COUNT,
      maxLeaves: init.maxLeaves ?? DEFAULT_MAX_LEAVES,
      heartbeatMs,
      leafExpiryMs: init.leafExpiryMs ?? 3 * heartbeatMs,
      supernodeTtl: init.supernodeTtl ?? DEFAULT_SUPERNODE_TTL,
      quietMs: init.quietMs ?? DEFAULT_QUIET_MS,
      deadlineMs: init.deadlineMs ?? DEFAULT_SEARCH_DEADLINE_MS,
      callDeadlineMs: init.callDeadlineMs ?? DEFAULT_CALL_DEADLINE_MS,
      probeCount: init.probeCount ?? DEFAULT_PROBE_COUNT,
    };
    for (const [name, value] of Object.entries(this.#o)) {
      if (!(Number.isFinite(value) && value >= 0)) throw new InvalidArgumentError(`search option ${name} must be a non-negative number, got ${value}`);
    }
    if (init.role === 'supernode' && init.leafIndex === undefined) {
      throw new InvalidArgumentError('a supernode needs a leafIndex');
    }
    this.#log = (init.logger ?? silentLogger).child({ component: 'search' });
    this.#seen = new SeenCache({ clock: init.clock, ttlMs: this.#o.seenTtlMs, max: Math.max(1, this.#o.seenMax) });
    this.#buckets = new TokenBuckets({
      clock: init.clock,
      ratePerSecond: this.#o.queryRatePerSecond,
      burst: Math.max(1, this.#o.queryBurst),
      maxKeys: Math.max(1024, 4 * this.#o.maxLeaves),
    });
    this.#m = createSearchMetrics(init.metrics ?? noopMetrics, {
      leaves: () => this.#leaves.size,
      entries: () => init.leafIndex?.count() ?? 0,
      attached: () => this.#attached.size,
    });

    this.handler = {
      query: async (request) => this.#onQuery(request),
      hits: async (request) => {
        const pending = this.#pending.get(request.queryId);
        if (pending === undefined) return { wanted: false };
        this.#stats.hitsReceived++;
        this.#m.hits.inc({}, request.hits.length);
        this.#collect(pending, request.responder, request.hits);
        if (pending.collector.full) pending.finish(false);
        else if (this.#allAnswered(pending)) {
          // Every supernode named in the ack has answered; one reached only through another
          // supernode (a mesh this one's supernode does not fully know) answers about as late
          // again, so wait that long once more, never longer than the quiet period.
          this.#armQuiet(pending, Math.min(this.#o.quietMs, Math.max(STRAGGLER_MIN_MS, this.#init.clock.now() - pending.startedMs)));
        } else this.#armQuiet(pending);
        return { wanted: true };
      },
      attach: async (request) => {
        if (this.role !== 'supernode') return { accepted: false, leaves: 0 };
        const leaf = this.#leaves.get(request.leaf.id);
        if (leaf !== undefined) {
          leaf.origin = request.leaf;
          leaf.lastSeen = this.#init.clock.now();
          return { accepted: true, leaves: this.#leaves.size };
        }
        if (this.#leaves.size >= this.#o.maxLeaves || request.leaf.id === this.id) {
          return { accepted: false, leaves: this.#leaves.size };
        }
        this.#leaves.set(request.leaf.id, { origin: request.leaf, lastSeen: this.#init.clock.now() });
        return { accepted: true, leaves: this.#leaves.size };
      },
      publish: async (request) => {
        const leaf = this.role === 'supernode' ? this.#leaves.get(request.leaf) : undefined;
        if (leaf === undefined) return { accepted: false };
        leaf.lastSeen = this.#init.clock.now();
        const index = this.#init.leafIndex!;
        if (request.full) index.replaceOwner(request.leaf, request.upserts);
        else for (const entry of request.upserts) index.upsert(request.leaf, entry);
        for (const cid of request.removed) index.remove(request.leaf, cid);
        return { accepted: true };
      },
      searchLoad: async () => ({
        supernode: this.role === 'supernode',
        leaves: this.#leaves.size,
        entries: this.role === 'supernode' ? this.#init.leafIndex!.count() : 0,
        supernodes: this.knownSupernodes().slice(0, MAX_SUPERNODES_PER_MESSAGE),
      }),
    };
  }

  get id(): string {
    return this.#init.self.id;
  }

  get role(): SearchRole {
    return this.#init.role;
  }

  /** A copy of this node's counters. */
  stats(): SearchStats {
    return { ...this.#stats, searches: { ...this.#stats.searches } };
  }

  /** Leaf side: the supernodes this node is attached to. */
  attachedSupernodes(): SearchOrigin[] {
    return [...this.#attached.values()].map((a) => a.origin);
  }

  /** Supernode side: ids of the attached leaves. */
  leaves(): string[] {
    return [...this.#leaves.keys()];
  }

  /** Supernodes this node knows (candidates from routing and those learnt), itself excluded. */
  knownSupernodes(): SearchOrigin[] {
    const out = new Map<string, SearchOrigin>();
    for (const c of this.#init.supernodeCandidates()) if (c.id !== this.id) out.set(c.id, c);
    for (const c of this.#learnt.values()) if (!out.has(c.id)) out.set(c.id, c);
    return [...out.values()];
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(this.#init.random.int(Math.max(1, Math.floor(this.#o.heartbeatMs / 4))));
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    if (this.#timer !== undefined) this.#init.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const pending of [...this.#pending.values()]) pending.finish(true);
    await this.#maintaining;
  }

  /**
   * The routing layer declared `id` dead: a leaf forgets it as a supernode (and re-attaches soon),
   * a supernode drops it as a leaf together with its entries.
   */
  contactDead(id: string): void {
    this.#learnt.delete(id);
    if (this.#attached.has(id)) this.#detach(id, 'dead');
    this.#dropLeaf(id);
  }

  /**
   * The node's own records changed: sends the change (incremental Publish) to every attached
   * supernode. A supernode that refuses it or cannot be reached is detached (re-attach publishes
   * everything).
   */
  indexChanged(upserts: readonly IndexEntry[], removed: readonly string[]): void {
    if (upserts.length === 0 && removed.length === 0) return;
    for (const [id, attachment] of this.#attached) {
      this.#enqueue(id, attachment, () => this.#publishChunks(attachment.origin, false, upserts, removed));
    }
  }

  // ----- asking -----------------------------------------------------------------------------------

  /** Searches the network; every search that started is counted by mode and outcome. */
  async search(text: string, options: SearchCallOptions = {}): Promise<SearchResult> {
    try {
      const result = await this.#search(text, options);
      this.#m.searches.inc({ mode: result.mode, outcome: result.partial ? 'partial' : 'ok' });
      return result;
    } catch (err) {
      const code = err instanceof PeerweaveError ? err.code : 'INTERNAL';
      // Bad input is the caller's mistake, not a search that failed.
      if (code !== 'INVALID_ARGUMENT' && code !== 'INVALID_QUERY') this.#m.searches.inc({ mode: options.mode ?? 'auto', outcome: code.toLowerCase() });
      throw err;
    }
  }

  async #search(text: string, options: SearchCallOptions): Promise<SearchResult> {
    const parsed = parseQuery(text);
    const ttl = clampTtl(options.ttl);
    const limit = clampLimit(options.limit);
    const deadlineMs = options.deadlineMs ?? this.#o.deadlineMs;
    const wanted = options.mode ?? 'auto';
    if (wanted !== 'auto' && wanted !== 'flood' && wanted !== 'supernode') {
      throw new InvalidArgumentError(`search mode must be auto, flood or supernode, got ${String(wanted)}`);
    }
    if (!(Number.isFinite(deadlineMs) && deadlineMs > 0)) throw new InvalidArgumentError(`deadlineMs must be positive, got ${deadlineMs}`);
    const { signal } = options;
    if (signal?.aborted) throw toAbortError(signal);

    const queryId = Buffer.from(this.#init.random.bytes(16)).toString('hex');
    this.#seen.firstSeen(queryId);
    const collector = new HitCollector({ limit });
    let resolveDone!: (partial: boolean) => void;
    const done = new Promise<boolean>((resolve) => (resolveDone = resolve));
    const pending: Pending = {
      collector,
      responders: new Set(),
      holders: new Set(),
      hitsMessages: 0,
      expected: undefined,
      startedMs: this.#init.clock.now(),
      quietTimer: undefined,
      finish: (partial) => {
        if (this.#pending.get(queryId) !== pending) return;
        this.#pending.delete(queryId);
        if (pending.quietTimer !== undefined) this.#init.clock.clearTimeout(pending.quietTimer);
        resolveDone(partial);
      },
    };
    // Own index first (a supernode's index of its leaves too, when it searches through supernodes).
    const useSupernodes =
      wanted === 'supernode' ||
      (wanted === 'auto' &&
        (this.role === 'supernode' ? this.#leaves.size > 0 || this.knownSupernodes().length > 0 : this.#attached.size > 0));
    const own = this.#answer(parsed.text, limit, useSupernodes && this.role === 'supernode');
    if (own.length > 0) this.#collect(pending, this.id, own);
    const result = (mode: SearchMode, sent: number, partial: boolean): SearchResult => {
      const messages = sent + pending.hitsMessages;
      this.#m.perQuery.observe(messages, { mode });
      return {
        hits: collector.results(),
        partial,
        mode,
        responders: [...pending.responders],
        holders: [...pending.holders],
        messages,
      };
    };
    if (collector.full) return result(useSupernodes ? 'supernode' : 'flood', 0, false);

    this.#pending.set(queryId, pending);
    const deadline = this.#init.clock.setTimeout(() => pending.finish(true), deadlineMs);
    const onAbort = (): void => pending.finish(true);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let mode: SearchMode = 'flood';
      let sent = 0;
      const base = { queryId, text: parsed.text, hops: 0, limit, origin: this.#init.self, from: this.id };
      if (useSupernodes) {
        if (this.role === 'supernode') {
          mode = 'supernode';
          const query: QueryRequest = { ...base, ttl: this.#o.supernodeTtl, mode: 'supernode' };
          const targets = this.#supernodeTargets(query, this.#o.supernodeTtl);
          sent = this.#forwardToSupernodes(query, targets, this.#o.supernodeTtl, true);
          pending.expected = new Set(targets.map((t) => t.id));
        } else {
          const tried = await this.#askSupernodes({ ...base, ttl: this.#o.supernodeTtl, mode: 'supernode' }, signal);
          sent = tried.sent;
          if (tried.accepted) {
            mode = 'supernode';
            // The supernode asked and every supernode it forwarded to answer, each once.
            pending.expected = new Set([tried.by, ...tried.forwardedTo]);
          }
          else if (wanted === 'supernode') throw new UnavailableError('no supernode accepted the query');
        }
      }
      if (mode === 'flood' && ttl > 0) {
        for (const n of this.#init.overlay()) {
          if (n.id === this.id) continue;
          this.#send(n.address, { ...base, ttl: ttl - 1, mode: 'flood' });
          sent++;
        }
      }
      this.#stats.queriesSent += sent;
      this.#stats.searches[mode]++;
      this.#m.sent.inc({ mode }, sent);
      if (sent === 0 || this.#allAnswered(pending)) pending.finish(false);
      else this.#armQuiet(pending);
      const partial = await done;
      if (signal?.aborted) throw toAbortError(signal);
      return result(mode, sent, partial);
    } finally {
      pending.finish(true);
      this.#init.clock.clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Tries the attached supernodes in turn until one accepts the query. */
  async #askSupernodes(
    query: QueryRequest,
    signal: AbortSignal | undefined,
  ): Promise<{ accepted: boolean; sent: number; by: string; forwardedTo: readonly string[] }> {
    let sent = 0;
    for (const [id, attachment] of [...this.#attached]) {
      sent++;
      try {
        const response = await this.#init.transport.request(attachment.origin.address, 'query', query, {
          deadlineMs: this.#o.callDeadlineMs,
          ...(signal ? { signal } : {}),
        });
        if (response.accepted) return { accepted: true, sent, by: id, forwardedTo: response.forwardedTo ?? [] };
      } catch (err) {
        if (signal?.aborted) throw toAbortError(signal);
        if (isUnreachable(err)) this.#detach(id, 'failed');
      }
    }
    return { accepted: false, sent, by: '', forwardedTo: [] };
  }

  /** Supernode mode: every supernode the asker waits for has answered. */
  #allAnswered(pending: Pending): boolean {
    if (pending.expected === undefined) return false;
    for (const id of pending.expected) if (!pending.responders.has(id)) return false;
    return true;
  }

  #collect(pending: Pending, responder: string, hits: readonly SearchHit[]): void {
    pending.hitsMessages += responder === this.id ? 0 : 1;
    pending.responders.add(responder);
    for (const hit of hits) pending.holders.add(hit.holder);
    pending.collector.add(responder, hits);
  }

  #armQuiet(pending: Pending, delayMs = this.#o.quietMs): void {
    if (pending.quietTimer !== undefined) this.#init.clock.clearTimeout(pending.quietTimer);
    pending.quietTimer = this.#init.clock.setTimeout(() => pending.finish(false), delayMs);
  }

  // ----- serving queries --------------------------------------------------------------------------

  #onQuery(request: QueryRequest): QueryResponse {
    // A flood is limited per neighbour; supernode-mode queries per asking leaf, since a supernode
    // relays the queries of all its leaves to the other supernodes.
    const key = request.mode === 'supernode' ? `s:${request.origin.id}` : request.from;
    if (!this.#buckets.take(key)) {
      this.#stats.rateLimited++;
      this.#m.rateLimited.inc();
      return { accepted: false };
    }
    if (!this.#seen.firstSeen(request.queryId) || request.origin.id === this.id) {
      this.#stats.duplicates++;
      this.#m.duplicates.inc();
      return { accepted: false };
    }
    if (request.mode === 'supernode' && this.role !== 'supernode') return { accepted: false };
    let text: string;
    try {
      text = parseQuery(request.text).text;
    } catch {
      return { accepted: false };
    }
    // Supernode mode: the ack names the supernodes that will answer besides this one.
    const supernodeMode = request.mode === 'supernode';
    const ttl = Math.min(cutRemoteTtl(request.ttl), this.#o.supernodeTtl);
    const targets = supernodeMode && request.hops + 1 <= MAX_SEARCH_HOPS ? this.#supernodeTargets(request, ttl) : [];
    // Answer and forward after the ack: the caller's call is not held open.
    queueMicrotask(() => this.#serve(request, text, targets));
    return supernodeMode ? { accepted: true, forwardedTo: targets.map((t) => t.id) } : { accepted: true };
  }

  #serve(request: QueryRequest, text: string, targets: readonly SearchOrigin[]): void {
    const supernodeMode = request.mode === 'supernode';
    let hits: SearchHit[] = [];
    try {
      hits = this.#answer(text, clampLimit(request.limit), supernodeMode);
    } catch (err) {
      this.#log.debug({ err: (err as Error).message }, 'query not answered');
    }
    // A supernode always answers a supernode-mode query (empty when nothing matches): the asker
    // counts the answers to know when the search is complete.
    if (hits.length > 0 || supernodeMode) {
      this.#stats.hitsSent++;
      this.#init.transport
        .request(request.origin.address, 'hits', { queryId: request.queryId, responder: this.id, hits }, { deadlineMs: this.#o.callDeadlineMs })
        .catch(() => {});
    }
    if (request.hops + 1 > MAX_SEARCH_HOPS) return;
    if (supernodeMode) {
      const ttl = Math.min(cutRemoteTtl(request.ttl), this.#o.supernodeTtl);
      const sent = this.#forwardToSupernodes(request, targets, ttl, false);
      this.#stats.queriesForwarded += sent;
      if (sent > 0) this.#m.forwarded.inc({}, sent);
      return;
    }
    const ttl = cutRemoteTtl(request.ttl);
    if (ttl <= 0) return;
    const forward: QueryRequest = { ...request, ttl: ttl - 1, hops: request.hops + 1, from: this.id };
    let sent = 0;
    for (const n of this.#init.overlay()) {
      if (n.id === request.from || n.id === request.origin.id || n.id === this.id) continue;
      this.#send(n.address, forward);
      sent++;
    }
    this.#stats.queriesForwarded += sent;
    if (sent > 0) this.#m.forwarded.inc({}, sent);
  }

  /**
   * Sends a supernode-mode query on to every other supernode this one knows, with one TTL less
   * (`ttl` is what this node may still spend). Returns the messages sent.
   */
  #forwardToSupernodes(request: QueryRequest, targets: readonly SearchOrigin[], ttl: number, asker: boolean): number {
    if (ttl <= 0) return 0;
    const forward: QueryRequest = { ...request, ttl: ttl - 1, hops: asker ? 0 : request.hops + 1, from: this.id };
    let sent = 0;
    for (const sn of targets) {
      sent++;
      this.#init.transport.request(sn.address, 'query', forward, { deadlineMs: this.#o.callDeadlineMs }).catch((err: unknown) => {
        if (isUnreachable(err)) this.#learnt.delete(sn.id);
      });
    }
    return sent;
  }

  /** The supernodes a supernode-mode query goes on to from here (none when `ttl` is spent). */
  #supernodeTargets(request: QueryRequest, ttl: number): SearchOrigin[] {
    if (ttl <= 0) return [];
    return this.knownSupernodes()
      .filter((sn) => sn.id !== request.from && sn.id !== request.origin.id)
      .slice(0, MAX_SUPERNODES_PER_MESSAGE);
  }

  #send(address: string, query: QueryRequest): void {
    this.#init.transport.request(address, 'query', query, { deadlineMs: this.#o.callDeadlineMs }).catch(() => {});
  }

  /** Hits of this node for `text`: its own records, and those of its leaves in supernode mode. */
  #answer(text: string, limit: number, withLeaves: boolean): SearchHit[] {
    const own = this.#init.index.search(text, { limit, selfId: this.id });
    const leafIndex = this.#init.leafIndex;
    if (!withLeaves || this.role !== 'supernode' || leafIndex === undefined || (leafIndex as unknown) === (this.#init.index as unknown)) return own;
    // Every leaf holding a match is named (a file lives on r nodes): one hit per holder.
    const leaves = leafIndex.search(text, { limit, selfId: this.id, everyHolder: true });
    if (own.length === 0) return leaves;
    return [...own, ...leaves].sort((a, b) => b.score - a.score).slice(0, MAX_SEARCH_LIMIT);
  }

  // ----- maintenance ------------------------------------------------------------------------------

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    if (this.#timer !== undefined) this.#init.clock.clearTimeout(this.#timer);
    this.#timer = this.#init.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#maintaining = this.maintain()
        .catch((err: unknown) => this.#log.debug({ err: (err as Error).message }, 'search maintenance failed'))
        .finally(() => {
          this.#maintaining = undefined;
          if (this.#timer === undefined) this.#schedule(this.#o.heartbeatMs);
        });
    }, delayMs);
  }

  /** Brings the next maintenance round forward (with jitter, so leaves of a dead supernode do not all move at once). */
  #kick(): void {
    if (!this.#running || this.#maintaining !== undefined) return;
    this.#schedule(this.#init.random.int(Math.max(1, Math.floor(this.#o.heartbeatMs / 2))));
  }

  /**
   * One maintenance round (the timer runs it every heartbeat). A supernode expires silent leaves
   * and learns the supernodes its peers know; a leaf heartbeats its supernodes and attaches while
   * it has fewer than `attachCount`.
   */
  async maintain(): Promise<void> {
    const now = this.#init.clock.now();
    for (const [id, until] of this.#shunned) if (until <= now) this.#shunned.delete(id);
    if (this.role === 'supernode') {
      for (const [id, leaf] of this.#leaves) if (now - leaf.lastSeen >= this.#o.leafExpiryMs) this.#dropLeaf(id);
      await this.#gossipSupernodes();
      return;
    }
    for (const [id, attachment] of this.#attached) {
      this.#enqueue(id, attachment, () => this.#publishChunks(attachment.origin, false, [], []));
    }
    if (this.#attached.size < this.#o.attachCount) await this.#attachMore();
  }

  /**
   * Supernode: asks a few known supernodes (or, knowing none, a few neighbours) which supernodes
   * they know, so that the supernodes soon know one another (their mesh).
   */
  async #gossipSupernodes(): Promise<void> {
    const known = this.knownSupernodes();
    if (known.length === 0) {
      await this.#discover();
      return;
    }
    const asked: SearchOrigin[] = [];
    while (asked.length < MESH_GOSSIP_FANOUT && known.length > 0) asked.push(known.splice(this.#init.random.int(known.length), 1)[0]!);
    await Promise.all(asked.map((s) => this.#load(s)));
  }

  async #attachMore(): Promise<void> {
    const now = this.#init.clock.now();
    const excluded = (id: string): boolean => id === this.id || this.#attached.has(id) || (this.#shunned.get(id) ?? 0) > now;
    let candidates = this.knownSupernodes().filter((c) => !excluded(c.id));
    if (candidates.length === 0) {
      await this.#discover();
      candidates = this.knownSupernodes().filter((c) => !excluded(c.id));
    }
    const self = this.id;
    candidates.sort((a, b) => compareXor(a.id, b.id, self));
    for (let i = 0; i < candidates.length && this.#attached.size < this.#o.attachCount && this.#running; i += this.#o.probeCount) {
      const batch = candidates.slice(i, i + Math.max(1, this.#o.probeCount));
      const loads = await Promise.all(batch.map(async (c) => ({ c, load: await this.#load(c) })));
      const usable = loads
        .filter((x) => x.load !== undefined && x.load.supernode)
        .sort((a, b) => a.load!.leaves - b.load!.leaves || compareXor(a.c.id, b.c.id, self));
      for (const { c } of usable) {
        if (this.#attached.size >= this.#o.attachCount || !this.#running) break;
        if (this.#attached.has(c.id)) continue;
        await this.#attachTo(c);
      }
    }
  }

  /** SearchLoad of `c`; learns the supernodes it lists; forgets `c` as a supernode when it is not one. */
  async #load(c: SearchOrigin): Promise<{ supernode: boolean; leaves: number } | undefined> {
    try {
      const r = await this.#init.transport.request(c.address, 'searchLoad', { from: this.id }, { deadlineMs: this.#o.callDeadlineMs });
      this.#learn(r.supernodes);
      if (!r.supernode) {
        this.#learnt.delete(c.id);
        this.#shun(c.id, this.#o.leafExpiryMs);
      }
      return r;
    } catch (err) {
      if (isUnreachable(err)) {
        this.#learnt.delete(c.id);
        this.#shun(c.id, this.#o.leafExpiryMs);
      }
      return undefined;
    }
  }

  async #attachTo(c: SearchOrigin): Promise<void> {
    try {
      const r = await this.#init.transport.request(c.address, 'attach', { leaf: this.#init.self }, { deadlineMs: this.#o.callDeadlineMs });
      if (!r.accepted) {
        this.#shun(c.id, this.#o.leafExpiryMs);
        return;
      }
    } catch (err) {
      if (isUnreachable(err)) this.#learnt.delete(c.id);
      this.#shun(c.id, this.#o.leafExpiryMs);
      return;
    }
    const attachment: Attachment = { origin: c, queue: Promise.resolve() };
    this.#attached.set(c.id, attachment);
    this.#log.debug({ supernode: c.id.slice(0, 12) }, 'attached to supernode');
    this.#enqueue(c.id, attachment, () => this.#publishChunks(c, true, this.#init.localEntries(), []));
    await attachment.queue;
  }

  /** Runs `publish` after the earlier publishes to the same supernode; detaches it if one fails. */
  #enqueue(id: string, attachment: Attachment, publish: () => Promise<boolean>): void {
    attachment.queue = attachment.queue.then(async () => {
      if (this.#attached.get(id) !== attachment) return;
      let outcome: DetachReason | undefined;
      try {
        if (!(await publish())) outcome = 'refused';
      } catch (err) {
        outcome = isUnreachable(err) ? 'failed' : 'refused';
      }
      if (outcome !== undefined && this.#attached.get(id) === attachment) this.#detach(id, outcome);
    });
  }

  /** Publishes `upserts` and `removed` in messages of at most MAX_INDEX_ENTRIES_PER_MESSAGE; false if refused. */
  async #publishChunks(to: SearchOrigin, full: boolean, upserts: readonly IndexEntry[], removed: readonly string[]): Promise<boolean> {
    const step = MAX_INDEX_ENTRIES_PER_MESSAGE;
    const chunks = Math.max(1, Math.ceil(upserts.length / step), Math.ceil(removed.length / step));
    for (let i = 0; i < chunks; i++) {
      const r = await this.#init.transport.request(
        to.address,
        'publish',
        {
          leaf: this.id,
          // Only the first message of a full publish replaces; the rest add to it.
          full: full && i === 0,
          upserts: upserts.slice(i * step, (i + 1) * step),
          removed: removed.slice(i * step, (i + 1) * step),
        },
        { deadlineMs: this.#o.callDeadlineMs },
      );
      if (!r.accepted) return false;
    }
    return true;
  }

  #detach(id: string, reason: DetachReason): void {
    if (!this.#attached.delete(id)) return;
    this.#log.debug({ supernode: id.slice(0, 12), reason }, 'detached from supernode');
    if (reason !== 'refused') {
      this.#learnt.delete(id);
      this.#shun(id, this.#o.leafExpiryMs);
    }
    this.#kick();
  }

  #dropLeaf(id: string): void {
    if (!this.#leaves.delete(id)) return;
    this.#init.leafIndex?.removeOwner(id);
  }

  #shun(id: string, ms: number): void {
    this.#shunned.set(id, this.#init.clock.now() + ms);
  }

  #learn(supernodes: readonly SearchOrigin[]): void {
    for (const s of supernodes) {
      if (s.id === this.id || this.#learnt.has(s.id)) continue;
      if (this.#learnt.size >= MAX_LEARNT_SUPERNODES) this.#learnt.delete(this.#learnt.keys().next().value!);
      this.#learnt.set(s.id, { id: s.id, address: s.address });
    }
  }

  /**
   * Knowing no supernode, asks a few overlay neighbours which ones they know (anybody answers
   * SearchLoad). With exponential back-off in rounds, so a network without supernodes is not
   * asked every heartbeat.
   */
  async #discover(): Promise<void> {
    if (this.#discoveryWait > 0) {
      this.#discoveryWait--;
      return;
    }
    const neighbours = [...this.#init.overlay()];
    const asked: SearchOrigin[] = [];
    while (asked.length < DISCOVERY_FANOUT && neighbours.length > 0) {
      asked.push(neighbours.splice(this.#init.random.int(neighbours.length), 1)[0]!);
    }
    await Promise.all(asked.map((n) => this.#load(n)));
    if (this.knownSupernodes().length > 0) {
      this.#discoveryBackoff = 1;
    } else {
      this.#discoveryWait = this.#discoveryBackoff;
      this.#discoveryBackoff = Math.min(this.#discoveryBackoff * 2, MAX_DISCOVERY_BACKOFF_ROUNDS);
    }
  }
}

/** The peer could not be reached, or did not answer in time: worth giving up on it. */
function isUnreachable(err: unknown): boolean {
  return err instanceof PeerweaveError && (err.code === 'UNAVAILABLE' || err.code === 'DEADLINE_EXCEEDED');
}

/** Sort comparator: which of two 64-hex ids is closer to `key` by XOR distance. */
export function compareXor(a: string, b: string, key: string): number {
  for (let i = 0; i < key.length; i += 8) {
    const k = Number.parseInt(key.slice(i, i + 8), 16);
    const da = (Number.parseInt(a.slice(i, i + 8), 16) ^ k) >>> 0;
    const db = (Number.parseInt(b.slice(i, i + 8), 16) ^ k) >>> 0;
    if (da !== db) return da < db ? -1 : 1;
  }
  return 0;
}

/** Exports the ok series at 0 from the start, so Prometheus's rate() sees the first search too. */
function initialised(counter: Counter<'mode' | 'outcome'>): Counter<'mode' | 'outcome'> {
  for (const mode of ['flood', 'supernode']) counter.inc({ mode, outcome: 'ok' }, 0);
  return counter;
}

function createSearchMetrics(metrics: Metrics, collect: { leaves: () => number; entries: () => number; attached: () => number }) {
  metrics.gauge({ name: 'peerweave_search_supernode_index_entries', help: 'Entries in this supernode\'s index of its leaves.', collect: collect.entries });
  metrics.gauge({ name: 'peerweave_search_leaves_attached', help: 'Leaves attached to this supernode.', collect: collect.leaves });
  metrics.gauge({ name: 'peerweave_search_attached_supernodes', help: 'Supernodes this leaf is attached to.', collect: collect.attached });
  return {
    sent: metrics.counter({ name: 'peerweave_search_queries_sent_total', help: 'Query messages sent by searches started here, by mode (flood, supernode).', labelNames: ['mode'] }),
    forwarded: metrics.counter({ name: 'peerweave_search_queries_forwarded_total', help: 'Query messages sent forwarding other nodes\' queries.' }),
    duplicates: metrics.counter({ name: 'peerweave_search_queries_duplicate_total', help: 'Queries dropped because their id was seen before.' }),
    rateLimited: metrics.counter({ name: 'peerweave_search_queries_rate_limited_total', help: 'Queries dropped by the per-neighbour rate limit.' }),
    hits: metrics.counter({ name: 'peerweave_search_hits_received_total', help: 'Hits received for searches started here.' }),
    searches: initialised(
      metrics.counter({
        name: 'peerweave_search_searches_total',
        help: 'Searches started here, by mode (flood, supernode; the asked mode when it failed) and outcome: ok, partial (the deadline came first), or the error code.',
        labelNames: ['mode', 'outcome'],
      }),
    ),
    perQuery: metrics.histogram({
      name: 'peerweave_search_messages_per_query',
      help: 'Messages of one search as the asker sees them: queries it sent plus Hits it received, by mode.',
      labelNames: ['mode'],
      buckets: [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    }),
  };
}
