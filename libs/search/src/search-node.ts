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
 *
 * A facade: each concern is a component of its own (README.md), built here with the narrow parts
 * of the others it needs.
 */
import { InvalidArgumentError, noopMetrics, silentLogger, startAll, stopAll, type Clock, type Logger, type Metrics, type Random, type Startable } from '@peerweave/core';
import type { IndexEntry, SearchClient, SearchHandler, SearchOrigin } from '@peerweave/protocol';
import { LeafClient } from './leaf-client.ts';
import { QueryRouter, type LeafIndex, type LocalIndex, type SearchRole } from './query-router.ts';
import { SearchMetrics, type SearchTotals } from './search-metrics.ts';
import { resolveSearchOptions, type SearchNodeOptions } from './search-options.ts';
import { SearchSessions, type SearchCallOptions, type SearchModeOption, type SearchResult } from './search-session.ts';
import { SupernodeDirectory, type SupernodeCandidate } from './supernode-directory.ts';
import { SupernodeServer } from './supernode-server.ts';

// Every name this module exported before it became a facade, from where each now lives.
export {
  DEFAULT_ATTACH_COUNT,
  DEFAULT_CALL_DEADLINE_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_LEAF_EXPIRY_MS,
  DEFAULT_MAINTENANCE_MS,
  DEFAULT_MAX_LEAVES,
  DEFAULT_PROBE_COUNT,
  DEFAULT_PUBLISH_DELAY_MS,
  DEFAULT_QUERY_BURST,
  DEFAULT_QUERY_RATE_PER_SECOND,
  DEFAULT_QUIET_MS,
  DEFAULT_SEARCH_DEADLINE_MS,
  DEFAULT_SEEN_MAX,
  DEFAULT_SEEN_TTL_MS,
  DEFAULT_SUPERNODE_TTL,
} from './search-options.ts';
export type { SupernodeCandidate };
export type { LeafIndex, LocalIndex, SearchCallOptions, SearchModeOption, SearchNodeOptions, SearchResult, SearchRole, SearchTotals };

export interface SearchNodeInit extends Partial<SearchNodeOptions> {
  self: SearchOrigin;
  role: SearchRole;
  transport: SearchClient;
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
  /**
   * Supernodes this node knows of (e.g. routing contacts whose role is `supernode`), with their
   * SWIM incarnations where known: a rise tells a leaf that its supernode restarted.
   */
  supernodeCandidates(): readonly SupernodeCandidate[];
  /** The node's whole index, for a full publish. */
  localEntries(): IndexEntry[];
}

export class SearchNode implements Startable {
  readonly handler: SearchHandler;
  /** The counters of this node's search, exported and readable (`metrics.totals()`). */
  readonly metrics: SearchMetrics;
  readonly #self: SearchOrigin;
  readonly #role: SearchRole;
  readonly #directory: SupernodeDirectory;
  readonly #server: SupernodeServer;
  readonly #leaf: LeafClient;
  readonly #sessions: SearchSessions;
  /** In start order; stopped in reverse. */
  readonly #startables: Startable[];
  #running = false;

  constructor(init: SearchNodeInit) {
    const o = resolveSearchOptions(init);
    const { self, role, transport, clock, random, leafIndex } = init;
    if (role === 'supernode' && leafIndex === undefined) throw new InvalidArgumentError('a supernode needs a leafIndex');
    const logger = (init.logger ?? silentLogger).child({ component: 'search' });
    const { callDeadlineMs, heartbeatMs, maintenanceMs, supernodeTtl } = o;
    const metrics = new SearchMetrics(init.metrics ?? noopMetrics, {
      leaves: () => this.#server.leafCount,
      entries: () => leafIndex?.count() ?? 0,
      attached: () => this.#leaf.attachedCount,
    });
    const directory = new SupernodeDirectory({
      selfId: self.id,
      transport,
      clock,
      random,
      overlay: init.overlay,
      supernodeCandidates: init.supernodeCandidates,
      callDeadlineMs,
      shunMs: o.shunMs,
      // A supernode announces itself to the supernodes it asks, and asks a leaf too (bridges).
      ...(role === 'supernode' ? { announce: { id: self.id, address: self.address }, bridges: (): SearchOrigin[] => server.leafOrigins() } : {}),
    });
    const server = new SupernodeServer({ selfId: self.id, role, clock, random, logger, metrics, ...(leafIndex ? { leafIndex } : {}), directory, maxLeaves: o.maxLeaves, leafExpiryMs: o.leafExpiryMs, maintenanceMs, heartbeatMs });
    const leaf = new LeafClient({ self, active: role !== 'supernode', transport, clock, random, logger, metrics, directory, localEntries: init.localEntries, attachCount: o.attachCount, probeCount: o.probeCount, maintenanceMs, heartbeatMs, publishDelayMs: o.publishDelayMs, callDeadlineMs });
    const router = new QueryRouter({ ...o, self, role, transport, clock, logger, metrics, index: init.index, ...(leafIndex ? { leafIndex } : {}), overlay: init.overlay, directory });
    this.#sessions = new SearchSessions({ self, role, transport, clock, random, metrics, router, leaf, server, directory, quietMs: o.quietMs, deadlineMs: o.deadlineMs, supernodeTtl, callDeadlineMs });
    this.metrics = metrics;
    this.#self = self;
    this.#role = role;
    this.#directory = directory;
    this.#server = server;
    this.#leaf = leaf;
    this.#startables = [metrics, directory, router, server, leaf, this.#sessions];
    this.handler = {
      query: async (request) => router.query(request),
      hits: async (request) => this.#sessions.hits(request),
      attach: async (request) => server.attach(request),
      publish: async (request) => server.publish(request),
      searchLoad: async (request) => server.searchLoad(request),
    };
  }

  get id(): string {
    return this.#self.id;
  }

  get role(): SearchRole {
    return this.#role;
  }

  /** Leaf side: the supernodes this node is attached to. */
  attachedSupernodes(): SearchOrigin[] {
    return this.#leaf.attached();
  }

  /** Supernode side: ids of the attached leaves. */
  leaves(): string[] {
    return this.#server.leaves();
  }

  /** Supernodes this node knows (candidates from routing and those learnt), itself excluded. */
  knownSupernodes(): SearchOrigin[] {
    return this.#directory.known();
  }

  /** Starts the maintenance timer of the role: attach and heartbeats (leaf), leaf expiry and mesh gossip (supernode). */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await startAll(this.#startables);
  }

  /** Ends the searches still waiting (partial) and the maintenance. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await stopAll(this.#startables);
  }

  /**
   * The routing layer declared `id` dead: a leaf forgets it as a supernode (and re-attaches soon),
   * a supernode drops it as a leaf together with its entries.
   */
  contactDead(id: string): void {
    this.#directory.forget(id);
    this.#leaf.detach(id, 'dead');
    this.#server.dropLeaf(id);
  }

  /**
   * The node's own records changed: sends the change (incremental Publish) to every attached
   * supernode, coalesced with the others of the linger (`publishDelayMs`). A supernode that refuses
   * it or cannot be reached is detached (re-attach publishes everything).
   */
  indexChanged(upserts: readonly IndexEntry[], removed: readonly string[]): void {
    this.#leaf.indexChanged(upserts, removed);
  }

  /** Searches the network (SearchSessions); every search that started is counted by mode and outcome. */
  search(text: string, options: SearchCallOptions = {}): Promise<SearchResult> {
    return this.#sessions.search(text, options);
  }

  /** One maintenance round of the role, as the timer runs it every `maintenanceMs`. */
  maintain(): Promise<void> {
    return this.#role === 'supernode' ? this.#server.maintain() : this.#leaf.maintain();
  }
}
