import { InvalidArgumentError, PeerweaveError, UnavailableError, toAbortError, type Clock, type Random, type Startable, type TimerHandle } from '@peerweave/core';
import type { HitsRequest, HitsResponse, QueryRequest, SearchClient, SearchHit, SearchMode, SearchOrigin } from '@peerweave/protocol';
import type { DetachReason } from './leaf-client.ts';
import { HitCollector, type CollectedHit } from './merge.ts';
import { clampLimit, clampTtl, parseQuery } from './query.ts';
import type { QueryRouter, SearchRole } from './query-router.ts';
import type { SearchMetrics } from './search-metrics.ts';
import { isUnreachable } from './search-options.ts';

/** Shortest wait for late supernode answers once every supernode named in the ack has answered. */
export const STRAGGLER_MIN_MS = 5;

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

/** A search's settings from the caller's options; INVALID_ARGUMENT / INVALID_QUERY for bad ones. */
export function searchSettings(text: string, options: SearchCallOptions, defaultDeadlineMs: number) {
  const parsed = parseQuery(text);
  const ttl = clampTtl(options.ttl);
  const limit = clampLimit(options.limit);
  const deadlineMs = options.deadlineMs ?? defaultDeadlineMs;
  const wanted = options.mode ?? 'auto';
  if (wanted !== 'auto' && wanted !== 'flood' && wanted !== 'supernode') {
    throw new InvalidArgumentError(`search mode must be auto, flood or supernode, got ${String(wanted)}`);
  }
  if (!(Number.isFinite(deadlineMs) && deadlineMs > 0)) throw new InvalidArgumentError(`deadlineMs must be positive, got ${deadlineMs}`);
  return { text: parsed.text, ttl, limit, deadlineMs, wanted };
}

/**
 * Whether a search goes through supernodes: asked to, or `auto` with a way in — a leaf attached to
 * a supernode; a supernode with leaves or knowing other supernodes.
 */
export function throughSupernodes(wanted: SearchModeOption, role: SearchRole, view: { leaves: number; known: number; attached: number }): boolean {
  if (wanted !== 'auto') return wanted === 'supernode';
  return role === 'supernode' ? view.leaves > 0 || view.known > 0 : view.attached > 0;
}

/**
 * Every supernode named in the ack has answered; one reached only through another supernode (a
 * mesh this one's supernode does not fully know) answers about as late again, so wait that long
 * once more (at least STRAGGLER_MIN_MS), never longer than the quiet period.
 */
export function stragglerWaitMs(elapsedMs: number, quietMs: number): number {
  return Math.min(quietMs, Math.max(STRAGGLER_MIN_MS, elapsedMs));
}

/** Supernode mode: every supernode the asker waits for has answered (never, when it waits for none named). */
export function allAnswered(expected: ReadonlySet<string> | undefined, responders: ReadonlySet<string>): boolean {
  if (expected === undefined) return false;
  for (const id of expected) if (!responders.has(id)) return false;
  return true;
}

/** One search waiting for its answers: the merge, the quiet timer and the way it ends. */
class Session {
  readonly collector: HitCollector;
  readonly responders = new Set<string>();
  readonly holders = new Set<string>();
  hitsMessages = 0;
  /**
   * Supernode mode: the supernodes whose answers to wait for (every supernode reached answers,
   * even empty); the search ends as soon as all are in instead of after a quiet period.
   */
  expected: Set<string> | undefined;
  readonly startedMs: number;
  /** Resolves with `partial` when the search ends. */
  readonly done: Promise<boolean>;
  readonly #clock: Clock;
  readonly #selfId: string;
  readonly #onEnd: () => void;
  #resolve!: (partial: boolean) => void;
  #quiet: TimerHandle | undefined;
  #ended = false;

  constructor(clock: Clock, selfId: string, limit: number, onEnd: () => void) {
    this.#clock = clock;
    this.#selfId = selfId;
    this.#onEnd = onEnd;
    this.collector = new HitCollector({ limit });
    this.startedMs = clock.now();
    this.done = new Promise<boolean>((resolve) => (this.#resolve = resolve));
  }

  collect(responder: string, hits: readonly SearchHit[]): void {
    if (responder !== this.#selfId) this.hitsMessages++;
    this.responders.add(responder);
    for (const hit of hits) this.holders.add(hit.holder);
    this.collector.add(responder, hits);
  }

  armQuiet(delayMs: number): void {
    if (this.#quiet !== undefined) this.#clock.clearTimeout(this.#quiet);
    this.#quiet = this.#clock.setTimeout(() => this.finish(false), delayMs);
  }

  finish(partial: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onEnd();
    if (this.#quiet !== undefined) this.#clock.clearTimeout(this.#quiet);
    this.#resolve(partial);
  }

  result(mode: SearchMode, sent: number, partial: boolean): SearchResult {
    return {
      hits: this.collector.results(),
      partial,
      mode,
      responders: [...this.responders],
      holders: [...this.holders],
      messages: sent + this.hitsMessages,
    };
  }
}

export interface SearchSessionsInit {
  self: SearchOrigin;
  role: SearchRole;
  transport: SearchClient;
  clock: Clock;
  random: Random;
  metrics: SearchMetrics;
  router: Pick<QueryRouter, 'markSeen' | 'answer' | 'supernodeTargets' | 'forwardToSupernodes' | 'flood'>;
  /** Leaf side: the supernodes to ask first, and letting go of one that failed. */
  leaf: { attached(): SearchOrigin[]; detach(id: string, reason: DetachReason): void };
  /** Supernode side: how many leaves it has. */
  server: { readonly leafCount: number };
  directory: { known(): SearchOrigin[] };
  quietMs: number;
  deadlineMs: number;
  supernodeTtl: number;
  callDeadlineMs: number;
}

/**
 * The asking side: a search starts with the own index, sends the query (through a supernode or
 * flooding), merges the Hits that come back (the `hits` handler) and ends when `limit` CIDs are
 * in, after a quiet period, once every supernode expected has answered, or at the deadline.
 */
export class SearchSessions implements Startable {
  readonly #init: SearchSessionsInit;
  readonly #open = new Map<string, Session>();

  constructor(init: SearchSessionsInit) {
    this.#init = init;
  }

  async start(): Promise<void> {}

  /** Ends every open search with what it has (partial). */
  async stop(): Promise<void> {
    for (const session of [...this.#open.values()]) session.finish(true);
  }

  /** Hits for a search of this node: merged while it waits, `wanted: false` once it ended. */
  hits(request: HitsRequest): HitsResponse {
    const session = this.#open.get(request.queryId);
    if (session === undefined) return { wanted: false };
    this.#init.metrics.hits.inc({}, request.hits.length);
    session.collect(request.responder, request.hits);
    const { clock, quietMs } = this.#init;
    if (session.collector.full) session.finish(false);
    else if (allAnswered(session.expected, session.responders)) session.armQuiet(stragglerWaitMs(clock.now() - session.startedMs, quietMs));
    else session.armQuiet(quietMs);
    return { wanted: true };
  }

  /** Searches the network; every search that started is counted by mode and outcome. */
  async search(text: string, options: SearchCallOptions = {}): Promise<SearchResult> {
    const { metrics } = this.#init;
    try {
      const result = await this.#search(text, options);
      metrics.searches.inc({ mode: result.mode, outcome: result.partial ? 'partial' : 'ok' });
      return result;
    } catch (err) {
      const code = err instanceof PeerweaveError ? err.code : 'INTERNAL';
      // Bad input is the caller's mistake, not a search that failed.
      if (code !== 'INVALID_ARGUMENT' && code !== 'INVALID_QUERY') metrics.searches.inc({ mode: options.mode ?? 'auto', outcome: code.toLowerCase() });
      throw err;
    }
  }

  async #search(text: string, options: SearchCallOptions): Promise<SearchResult> {
    const { self, role, clock, router, metrics, supernodeTtl } = this.#init;
    const settings = searchSettings(text, options, this.#init.deadlineMs);
    const { signal } = options;
    if (signal?.aborted) throw toAbortError(signal);

    const queryId = Buffer.from(this.#init.random.bytes(16)).toString('hex');
    router.markSeen(queryId);
    const session = new Session(clock, self.id, settings.limit, () => {
      if (this.#open.get(queryId) === session) this.#open.delete(queryId);
    });
    const useSupernodes = throughSupernodes(settings.wanted, role, {
      leaves: this.#init.server.leafCount,
      known: role === 'supernode' ? this.#init.directory.known().length : 0,
      attached: this.#init.leaf.attached().length,
    });
    // Own index first (a supernode's index of its leaves too, when it searches through supernodes).
    const own = router.answer(settings.text, settings.limit, useSupernodes && role === 'supernode');
    if (own.length > 0) session.collect(self.id, own);
    const result = (mode: SearchMode, sent: number, partial: boolean): SearchResult => {
      const r = session.result(mode, sent, partial);
      metrics.messagesPerQuery(mode, r.messages);
      return r;
    };
    if (session.collector.full) return result(useSupernodes ? 'supernode' : 'flood', 0, false);

    this.#open.set(queryId, session);
    const deadline = clock.setTimeout(() => session.finish(true), settings.deadlineMs);
    const onAbort = (): void => session.finish(true);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let mode: SearchMode = 'flood';
      let sent = 0;
      const base = { queryId, text: settings.text, hops: 0, limit: settings.limit, origin: self, from: self.id };
      if (useSupernodes) {
        const query: QueryRequest = { ...base, ttl: supernodeTtl, mode: 'supernode' };
        if (role === 'supernode') {
          mode = 'supernode';
          const targets = router.supernodeTargets(query, supernodeTtl);
          sent = router.forwardToSupernodes(query, targets, supernodeTtl, true);
          session.expected = new Set(targets.map((t) => t.id));
        } else {
          const tried = await this.#askSupernodes(query, signal);
          sent = tried.sent;
          if (tried.accepted) {
            mode = 'supernode';
            // The supernode asked and every supernode it forwarded to answer, each once.
            session.expected = new Set([tried.by, ...tried.forwardedTo]);
          } else if (settings.wanted === 'supernode') throw new UnavailableError('no supernode accepted the query');
        }
      }
      if (mode === 'flood' && settings.ttl > 0) sent += router.flood({ ...base, ttl: settings.ttl - 1, mode: 'flood' });
      metrics.sent.inc({ mode }, sent);
      if (sent === 0 || allAnswered(session.expected, session.responders)) session.finish(false);
      else session.armQuiet(this.#init.quietMs);
      const partial = await session.done;
      if (signal?.aborted) throw toAbortError(signal);
      return result(mode, sent, partial);
    } finally {
      session.finish(true);
      clock.clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Tries the attached supernodes in turn until one accepts the query. */
  async #askSupernodes(query: QueryRequest, signal: AbortSignal | undefined): Promise<{ accepted: boolean; sent: number; by: string; forwardedTo: readonly string[] }> {
    let sent = 0;
    for (const supernode of this.#init.leaf.attached()) {
      sent++;
      try {
        const response = await this.#init.transport.request(supernode.address, 'query', query, { deadlineMs: this.#init.callDeadlineMs, ...(signal ? { signal } : {}) });
        if (response.accepted) return { accepted: true, sent, by: supernode.id, forwardedTo: response.forwardedTo ?? [] };
      } catch (err) {
        if (signal?.aborted) throw toAbortError(signal);
        if (isUnreachable(err)) this.#init.leaf.detach(supernode.id, 'failed');
      }
    }
    return { accepted: false, sent, by: '', forwardedTo: [] };
  }
}
