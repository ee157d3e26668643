import { EventEmitter } from 'node:events';
import {
  NodeId,
  noopMetrics,
  shuffle,
  silentLogger,
  type Clock,
  type Logger,
  type Metrics,
  type Random,
  type Startable,
  type TimerHandle,
} from '@peerweave/core';
import type { ConnectionControl, ConnectionEvents, Envelope, PeerContact, RoutingClient, RoutingHandler } from '@peerweave/protocol';
import {
  DEFAULT_ALPHA,
  DEFAULT_K,
  DEFAULT_LOOKUP_DEADLINE_MS,
  RoutingTable,
  bucketIndex,
  compareDistance,
  lookup,
  randomIdInBucket,
  type Contact,
} from './kademlia/index.ts';
import { Swim, type SwimInit, type MemberState } from './swim/index.ts';
import { diffNeighbourhood, refreshOverlay, xorRank, type NeighbourhoodChange } from './neighbourhood.ts';
import type { SeedResolver } from './seed-resolver.ts';
import { JoinPacer } from './join-pacing.ts';

/**
 * A bucket no lookup used for this long is refreshed by a lookup of a random id in its range.
 * Shorter keeps far buckets fresh under churn; each refresh is one iterative lookup.
 */
export const DEFAULT_BUCKET_REFRESH_MS = 300_000;
/**
 * How often the join name is re-resolved and unknown addresses contacted, and the longest back-off
 * while the node has no contact; quiet rounds space out up to JOIN_QUIET_MAX_INTERVALS of it
 * (join-pacing.ts).
 */
export const DEFAULT_JOIN_INTERVAL_MS = 5_000;
/**
 * r: copies of every block and record, on the r nodes closest to its key; the 2·r closest to a
 * node form its neighbourhood, probed first. More copies survive more simultaneous failures at the
 * cost of disk and write traffic. Declared here, the lowest layer that needs it; replication reads it.
 */
export const DEFAULT_REPLICATION_FACTOR = 3;
/**
 * Overlay neighbours (from different buckets) a flooded search goes to. More raises reach per hop
 * and the messages of every query.
 */
export const DEFAULT_OVERLAY_NEIGHBOURS = 6;
/** Shortest time between two reviews of a full, live overlay against the table (see #refreshOverlay). */
export const OVERLAY_REVIEW_MS = 10_000;
/**
 * Members held dead that each join round also pings, besides the join name's addresses (memberlist
 * reconnects to a random dead member every interval). With the death claim in the ping, a live one
 * refutes in its answer: a healed partition is whole again within a join interval, also with
 * static seeds. While a member stays dead it costs a failed ping every few rounds, for as long as
 * it is remembered (deadRetentionMs).
 */
export const RECONNECT_DEAD_PER_ROUND = 3;
/**
 * Join-name addresses remembered as answered by a node the table did not keep (see
 * RoutingNode#turnedAway); a name that resolves to more is pinged beyond them each round, as before.
 */
const MAX_TURNED_AWAY = 256;

export interface RoutingNodeInit {
  self: { id: string; address: string; role: string };
  /**
   * Routing calls `request` (block streams are content's), and drops the connection to a member it
   * holds dead where the transport has `disconnect` (see ConnectionControl).
   */
  transport: RoutingClient & ConnectionEvents & ConnectionControl;
  clock: Clock;
  random: Random;
  seeds?: Pick<SeedResolver, 'candidates' | 'configured'>;
  logger?: Logger;
  metrics?: Metrics;
  k?: number;
  alpha?: number;
  lookupDeadlineMs?: number;
  bucketRefreshMs?: number;
  joinIntervalMs?: number;
  replicationFactor?: number;
  overlayNeighbours?: number;
  /** SWIM settings (probe interval, timeouts, multipliers); the rest is wired here. */
  swim?: Partial<Omit<SwimInit, 'self' | 'transport' | 'clock' | 'random' | 'targets' | 'priority' | 'logger' | 'metrics'>>;
}

/** One row of `GET /v1/peers`. */
export interface PeerView {
  id: string;
  address: string;
  role: string;
  state: MemberState;
  incarnation: number;
  /** Milliseconds since the epoch (clock time) of the last state change or message. */
  lastSeen: number;
  /** Kademlia bucket (255 − common prefix length with this node's id). */
  bucket: number;
  inTable: boolean;
  neighbourhood: boolean;
  overlay: boolean;
}

export interface LookupOutcome {
  closest: PeerContact[];
  hops: number;
  /** Rounds until the k closest were known (IPFS's path length, see LookupResult.rounds). */
  rounds: number;
  /** FIND_NODE calls sent (RPCs of the lookup), and how many of them failed. */
  queried: number;
  failed: number;
  timedOut: boolean;
}

export interface RoutingEvents {
  'neighbourhood-changed': [NeighbourhoodChange];
  /** A contact entered or left the routing table (replication re-checks its replica sets). */
  'contacts-changed': [];
  /** SWIM declared a member dead or gone (left): its id. */
  'contact-dead': [string];
  ready: [];
}

/**
 * A node's place in the network: its Kademlia table, SWIM liveness over the table's contacts, the
 * neighbourhood (2·r closest) and overlay neighbours, joining through seeds or a DNS name, and the
 * peer-protocol handler that serves all of it. Runs unchanged over gRPC and the in-memory network.
 */
export class RoutingNode extends EventEmitter<RoutingEvents> implements Startable {
  readonly handler: RoutingHandler;
  readonly #init: RoutingNodeInit;
  readonly #self: NodeId;
  readonly #table: RoutingTable;
  readonly #swim: Swim;
  readonly #log: Logger;
  readonly #k: number;
  readonly #alpha: number;
  readonly #lookupDeadlineMs: number;
  readonly #queryDeadlineMs: number;
  readonly #refreshMs: number;
  readonly #joinIntervalMs: number;
  readonly #neighbourhoodSize: number;
  readonly #overlaySize: number;
  #neighbourhood: string[] = [];
  #neighbourhoodSet: ReadonlySet<string> = new Set();
  /**
   * The id of the farthest neighbourhood member while the neighbourhood is full and its members are
   * exactly the table's closest (none skipped as unusable); undefined otherwise. A contact added
   * farther than it leaves the neighbourhood as it is (see #membershipChanged).
   */
  #neighbourhoodEdge: Uint8Array | undefined;
  #overlay: string[] = [];
  #overlayReviewedMs = Number.NEGATIVE_INFINITY;
  /** The table's contacts, until a member is added or removed (SWIM's probe targets). */
  #contacts: Contact[] | undefined;
  /**
   * The addresses of the table's contacts, its replacements' and our own, until a contact is added,
   * cached or removed or one's address changes (see #knownAddresses). Never changed once made: a
   * join round keeps the one it started with.
   */
  #addresses: ReadonlySet<string> | undefined;
  /**
   * Addresses whose node answered a join round's ping but that the table did not keep (neither in a
   * bucket nor in a replacement cache: SWIM ignores a member it forgot at the same incarnation), so
   * that the next rounds do not ping them again; forgotten when the table drops a contact, which
   * frees a place. At most {@link MAX_TURNED_AWAY}, the newest.
   */
  readonly #turnedAway = new Set<string>();
  /**
   * Join-round addresses and the node that last answered there (at most {@link MAX_TURNED_AWAY},
   * the newest), so that a round can tell a seed the table holds without the whole address set
   * (see #isKnownAddress).
   */
  readonly #answeredBy = new Map<string, string>();
  /** A random point of the id space: within a bucket the overlay takes the contact closest to it. */
  readonly #overlayPoint: bigint;
  /** Where in its period this node's first refresh check falls, in [0, 1) (see #scheduleRefresh). */
  readonly #refreshPhase: number;
  #ready = false;
  #running = false;
  #joinTimer: TimerHandle | undefined;
  /** When #joinTimer fires (the clock's ms). */
  #joinDueMs = 0;
  #refreshTimer: TimerHandle | undefined;
  /** A review of the overlay put off by OVERLAY_REVIEW_MS (the table changed meanwhile). */
  #overlayTimer: TimerHandle | undefined;
  readonly #joinPacer: JoinPacer;
  #joining = false;
  #selfLookupDone = false;
  #selfLookupRunning = false;
  #stopController = new AbortController();
  readonly #lookups;
  readonly #lookupHops;
  readonly #joinPings;

  constructor(init: RoutingNodeInit) {
    super();
    this.#init = init;
    this.#self = NodeId.fromHex(init.self.id);
    this.#log = (init.logger ?? silentLogger).child({ component: 'routing' });
    this.#k = init.k ?? DEFAULT_K;
    this.#alpha = init.alpha ?? DEFAULT_ALPHA;
    this.#lookupDeadlineMs = init.lookupDeadlineMs ?? DEFAULT_LOOKUP_DEADLINE_MS;
    const probeTimeout = init.swim?.probeTimeoutMs ?? 500;
    // One dead node should cost a lookup one query timeout, not the whole lookup deadline.
    this.#queryDeadlineMs = Math.min(this.#lookupDeadlineMs, Math.max(probeTimeout * 4, 200));
    this.#refreshMs = init.bucketRefreshMs ?? DEFAULT_BUCKET_REFRESH_MS;
    this.#joinIntervalMs = init.joinIntervalMs ?? DEFAULT_JOIN_INTERVAL_MS;
    this.#joinPacer = new JoinPacer(this.#joinIntervalMs);
    this.#neighbourhoodSize = 2 * (init.replicationFactor ?? DEFAULT_REPLICATION_FACTOR);
    this.#overlaySize = init.overlayNeighbours ?? DEFAULT_OVERLAY_NEIGHBOURS;
    this.#overlayPoint = BigInt(`0x${Buffer.from(init.random.bytes(32)).toString('hex')}`);
    this.#table = new RoutingTable({ self: this.#self.bytes, k: this.#k });
    this.#refreshPhase = idPhase(this.#self.bytes);
    const metrics = init.metrics ?? noopMetrics;

    this.#swim = new Swim({
      ...init.swim,
      self: init.self,
      incarnation: init.clock.now(),
      transport: init.transport,
      clock: init.clock,
      random: init.random,
      logger: this.#log,
      metrics,
      // The same array until the table's members change, so SWIM rebuilds its targets only then.
      targets: () => (this.#contacts ??= this.#table.contacts()),
      // Remember only what the table holds: memory and sweeps stay O(k·log N) per node.
      retain: (id) => this.#table.knows(id),
      // Spread joins on only for members the table took in (see MembershipInit.spread).
      spread: (id) => this.#table.has(id),
      priority: () => this.#neighbourhoodSet,
      onAlive: (contact) => this.#onAlive(contact),
      onDead: (contact) => this.#onDead(contact.id, contact.address),
    });

    this.#lookups = metrics.counter({
      name: 'peerweave_routing_lookups_total',
      help: 'Iterative lookups by outcome (complete, partial on deadline, failed).',
      labelNames: ['outcome'],
    });
    this.#lookupHops = metrics.histogram({
      name: 'peerweave_routing_lookup_hops',
      help: 'Hops of completed lookups: depth at which the closest node was learnt (0 = already in the table).',
      buckets: [0, 1, 2, 3, 4, 5, 6, 8, 10],
    });
    this.#joinPings = metrics.counter({
      name: 'peerweave_routing_join_pings_total',
      help: 'Pings of join rounds (seed addresses not yet known, members held dead) by outcome: answered, or failed (not up, unreachable, refused: a node whose certificate the cluster does not admit sees only failures).',
      labelNames: ['outcome'],
    });
    metrics.gauge({
      name: 'peerweave_routing_table_contacts',
      help: 'Contacts in the Kademlia routing table.',
      collect: () => this.#table.size,
    });

    this.handler = {
      // Swim's handlers apply the envelope (sender and piggybacked updates) themselves.
      ping: (request) => this.#swim.handlePing(request),
      pingReq: (request, context) => this.#swim.handlePingReq(request, context),
      findNode: async (request) => {
        this.#swim.receive(request);
        const key = NodeId.fromHex(request.key).bytes;
        const count = Math.max(1, Math.min(request.count, this.#k));
        const closest = this.#table
          .closest(key, count + 1)
          .filter((c) => c.id !== request.sender.id && this.#usable(c.id))
          .slice(0, count)
          .map(toPeerContact);
        return { ...this.#swim.envelope(), closest };
      },
      leave: (request) => this.#swim.handleLeave(request),
    };
  }

  get id(): string {
    return this.#init.self.id;
  }

  get ready(): boolean {
    return this.#ready;
  }

  get tableSize(): number {
    return this.#table.size;
  }

  neighbourhood(): readonly string[] {
    return this.#neighbourhood;
  }

  overlay(): readonly string[] {
    return this.#overlay;
  }

  /** The overlay neighbours as contacts (flooded search sends to these). */
  overlayContacts(): PeerContact[] {
    const out: PeerContact[] = [];
    for (const id of this.#overlay) {
      const c = this.#table.get(id);
      if (c) out.push(toPeerContact(c));
    }
    return out;
  }

  /** Members alive or suspect whose role is `role` (e.g. the supernodes this node knows). */
  contactsWithRole(role: string): PeerContact[] {
    return this.#swim
      .members()
      .filter((m) => m.contact.role === role && (m.state === 'alive' || m.state === 'suspect'))
      .map((m) => m.contact);
  }

  /** In the routing table (not merely remembered, e.g. as dead). */
  hasContact(id: string): boolean {
    return this.#table.has(id);
  }

  /** The SWIM state of one member, or undefined if this node never heard of it. */
  stateOf(id: string): MemberState | undefined {
    return this.#swim.stateOf(id);
  }

  get swim(): Swim {
    return this.#swim;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#stopController = new AbortController();
    await this.#swim.start();
    if (!this.#init.seeds?.configured) this.#setReady();
    this.#scheduleJoin(0);
    this.#scheduleRefresh(true);
  }

  /** Announces the leave to contacts, then stops probing and joining. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#stopController.abort();
    if (this.#joinTimer) this.#init.clock.clearTimeout(this.#joinTimer);
    if (this.#refreshTimer) this.#init.clock.clearTimeout(this.#refreshTimer);
    if (this.#overlayTimer) this.#init.clock.clearTimeout(this.#overlayTimer);
    this.#overlayTimer = undefined;
    try {
      await this.#swim.leave();
    } catch (err) {
      this.#log.debug({ err: (err as Error).message }, 'leave announcement incomplete');
    }
    await this.#swim.stop();
  }

  /**
   * Iterative FIND_NODE for `key`: the k closest live nodes the network knows. With `count` below
   * k, the lookup stops as soon as the `count` closest have answered (replica placement needs r,
   * not k: a few queries instead of k), while every query still asks for k contacts. With
   * `refresh`, the lookup stops after its first round if that named no node this node does not
   * already know (see LookupInit.known): a bucket refresh in a network the table already holds.
   */
  async lookup(key: Uint8Array, options: { signal?: AbortSignal; count?: number; refresh?: boolean } = {}): Promise<LookupOutcome> {
    // The lookup's own deadline returns the best found so far (partial), so only the caller's
    // signal is passed: an outer deadline would turn every partial result into an error.
    try {
      const result = await lookup({
        key,
        seeds: this.#table.closest(key, this.#k).filter((c) => this.#usable(c.id)),
        k: Math.min(this.#k, Math.max(1, Math.floor(options.count ?? this.#k))),
        alpha: this.#alpha,
        deadlineMs: this.#lookupDeadlineMs,
        queryDeadlineMs: this.#queryDeadlineMs,
        clock: this.#init.clock,
        ...(options.signal ? { signal: options.signal } : {}),
        self: this.id,
        query: (contact, signal) => this.#findNode(contact.address, key, signal, contact.id),
        ...(options.refresh ? { known: this.#knows } : {}),
      });
      // A lookup in a bucket's range postpones that bucket's refresh (Kademlia §2.3; libp2p kad-dht
      // after every successful query): only a bucket no lookup used is refreshed.
      this.#table.touchBucket(this.#table.bucketIndexOf(key), this.#init.clock.now());
      this.#lookups.inc({ outcome: result.timedOut ? 'partial' : 'complete' });
      if (!result.timedOut) this.#lookupHops.observe(result.hops);
      return {
        closest: result.closest.map(toPeerContact),
        hops: result.hops,
        rounds: result.rounds,
        queried: result.queried,
        failed: result.failed,
        timedOut: result.timedOut,
      };
    } catch (err) {
      this.#lookups.inc({ outcome: 'failed' });
      throw err;
    }
  }

  /**
   * The `n` usable contacts of the local table closest to `key`, without asking anyone (this node
   * excluded). Replication uses it to re-check replica sets often and cheaply; writes use
   * {@link lookup}, which asks the network.
   */
  closestKnown(key: Uint8Array, n: number): PeerContact[] {
    return this.#table
      .closest(key, n * 2)
      .filter((c) => this.#usable(c.id))
      .slice(0, n)
      .map(toPeerContact);
  }

  /**
   * The `n` usable contacts closest to `key` when the local table is complete for it
   * (RoutingTable.isCompleteFor: no bucket the answer comes from ever turned anyone away), else
   * undefined (also before the join's self-lookup finished) and the caller runs a {@link lookup}. Writes place replicas with it: in a network of
   * up to k + 1 nodes, and for keys near this node in any network, placement costs no message.
   */
  closestIfComplete(key: Uint8Array, n: number): PeerContact[] | undefined {
    // Only once the join's self-lookup filled the table with our neighbourhood: a node that has
    // just met its first contact would take a partial table for a complete one.
    if (!this.#selfLookupDone) {
      // A node started without seeds learns its contacts from those that join it and never ran
      // the join's self-lookup: run it once now, in the background, and place by lookup meanwhile.
      if (!this.#selfLookupRunning && this.#table.size > 0 && this.#running) {
        this.#selfLookupRunning = true;
        void this.lookup(this.#self.bytes, { signal: this.#stopController.signal })
          .then(() => (this.#selfLookupDone = true), () => {})
          .finally(() => (this.#selfLookupRunning = false));
      }
      return undefined;
    }
    if (!this.#table.isCompleteFor(key, n * 2)) return undefined;
    return this.closestKnown(key, n);
  }

  /** Every member this node knows of, with liveness, table and neighbourhood flags. */
  peers(): PeerView[] {
    const overlay = new Set(this.#overlay);
    return this.#swim.members().map((m) => ({
      id: m.contact.id,
      address: m.contact.address,
      role: m.contact.role,
      state: m.state,
      incarnation: m.incarnation,
      lastSeen: m.since,
      bucket: bucketIndex(this.#self.bytes, NodeId.fromHex(m.contact.id).bytes),
      inTable: this.#table.has(m.contact.id),
      neighbourhood: this.#neighbourhoodSet.has(m.contact.id),
      overlay: overlay.has(m.contact.id),
    }));
  }

  /** `expectId`: the contact's id, so that an address now held by another node fails (mTLS). */
  async #findNode(address: string, key: Uint8Array, signal: AbortSignal, expectId?: string): Promise<PeerContact[]> {
    const response = await this.#init.transport.request(
      address,
      'findNode',
      { ...this.#swim.envelope(), key: Buffer.from(key).toString('hex'), count: this.#k },
      expectId === undefined ? { signal, deadlineMs: this.#queryDeadlineMs } : { signal, deadlineMs: this.#queryDeadlineMs, expectId },
    );
    this.#swim.receive(response);
    return [...response.closest];
  }

  /** In the table or a replacement cache, or a member SWIM holds (dead ones included). */
  readonly #knows = (id: string): boolean => this.#table.knows(id) || this.#swim.stateOf(id) !== undefined;

  #usable(id: string): boolean {
    const state = this.#swim.stateOf(id);
    return state === undefined || state === 'alive' || state === 'suspect';
  }

  #onAlive(contact: PeerContact): void {
    if (contact.id === this.id) return;
    // Only a change of the table's members moves the neighbourhood or overlay; a message from a
    // known contact ('updated') merely refreshes its position, and is by far the common case.
    // A member at a new address (a restart elsewhere) changes the join rounds' addresses.
    if (this.#addresses !== undefined) {
      const member = this.#table.get(contact.id);
      if (member !== undefined && member.address !== contact.address) this.#addresses = undefined;
    }
    const observed = this.#table.observe(contact, this.#init.clock.now());
    if (observed === 'added') {
      this.#contacts = undefined;
      this.#addresses = undefined;
      this.#membershipChanged(this.#table.get(contact.id)!.idBytes);
    } else if (observed === 'cached') {
      // A replacement is known too (and one may have been pushed out of the cache).
      this.#addresses = undefined;
    }
    if (!this.#ready && this.#table.size > 0) this.#setReady();
  }

  #onDead(id: string, address: string | undefined): void {
    // Its connection may be stuck (a partition): whoever calls it next, after a heal or a restart,
    // starts on a new one instead of waiting out TCP's back-off on the old.
    if (address !== undefined) this.#init.transport.disconnect?.(address);
    const { removed } = this.#table.remove(id);
    // Also when it only waited in a replacement cache: its address is no longer known.
    this.#addresses = undefined;
    if (removed) {
      this.#contacts = undefined;
      this.#turnedAway.clear();
      this.#membershipChanged();
    }
    // The rounds that ping members held dead (a healed partition's way back) are not left waiting
    // out a quiet stretch.
    if (this.#joinPacer.memberDied() && !this.#joining && this.#joinDueMs > this.#init.clock.now() + this.#joinIntervalMs) {
      if (this.#joinTimer) this.#init.clock.clearTimeout(this.#joinTimer);
      this.#scheduleJoin(this.#joinIntervalMs);
    }
    this.emit('contact-dead', id);
  }

  /** The table's members changed; `added` is the id of a contact just added (none for a removal). */
  #membershipChanged(added?: Uint8Array): void {
    this.emit('contacts-changed');
    // A contact added beyond the farthest member of a full neighbourhood that is exactly the
    // table's closest, all still usable, changes nothing: the closest are the same contacts. Most
    // additions are such (the table grows far away), and recomputing each cost ~4 % of the
    // simulator's CPU. Removals and nearer additions recompute.
    const edge = this.#neighbourhoodEdge;
    if (
      added !== undefined &&
      edge !== undefined &&
      compareDistance(added, edge, this.#self.bytes) > 0 &&
      this.#neighbourhood.every((id) => this.#usable(id))
    ) {
      this.#refreshOverlay();
      return;
    }
    const closest = this.#table.closest(this.#self.bytes, this.#neighbourhoodSize * 2);
    const members = closest
      .filter((c) => this.#usable(c.id))
      .slice(0, this.#neighbourhoodSize)
      .map((c) => c.id);
    const last = closest[this.#neighbourhoodSize - 1];
    this.#neighbourhoodEdge = members.length === this.#neighbourhoodSize && last !== undefined && last.id === members.at(-1) ? last.idBytes : undefined;
    const change = diffNeighbourhood(this.#neighbourhood, members);
    if (change) {
      this.#neighbourhood = members;
      this.#neighbourhoodSet = new Set(members);
      this.emit('neighbourhood-changed', change);
    }
    this.#refreshOverlay();
  }

  #refreshOverlay(): void {
    const usable = (id: string): boolean => this.#table.has(id) && this.#usable(id);
    // Churn that does not touch the overlay leaves it alone for a while: a lost member or a short
    // overlay needs the bucket scan below at once; otherwise it runs at most every
    // OVERLAY_REVIEW_MS, so the overlay follows a growing table without a scan per new contact.
    const now = this.#init.clock.now();
    if (this.#overlay.length >= this.#overlaySize && this.#overlay.every(usable) && now - this.#overlayReviewedMs < OVERLAY_REVIEW_MS) {
      // Put off, not dropped: the table the overlay was chosen from has changed since.
      if (this.#overlayTimer === undefined && this.#running) {
        this.#overlayTimer = this.#init.clock.setTimeout(() => {
          this.#overlayTimer = undefined;
          this.#refreshOverlay();
        }, this.#overlayReviewedMs + OVERLAY_REVIEW_MS - now);
      }
      return;
    }
    this.#overlayReviewedMs = now;
    const buckets = new Map<number, string[]>();
    for (const c of this.#table.contacts()) {
      const index = this.#table.bucketIndexOf(c.idBytes);
      const list = buckets.get(index);
      if (list) list.push(c.id);
      else buckets.set(index, [c.id]);
    }
    this.#overlay = refreshOverlay(usable, buckets, this.#overlaySize, (id) => xorRank(this.#overlayPoint, id));
  }

  #setReady(): void {
    if (this.#ready) return;
    this.#ready = true;
    this.#log.info({ contacts: this.#table.size }, 'joined');
    this.emit('ready');
  }

  /**
   * The addresses a join round need not contact: the table's, its replacement caches', those that
   * answered with a node the table did not keep (see #turnedAway) and our own: a seed outside the
   * table was otherwise pinged every round for ever. Made again only after the table changed; a round
   * every join interval rebuilding it from every contact cost ~3 % of the simulator's CPU, with the
   * table the same between most rounds.
   */
  #knownAddresses(): ReadonlySet<string> {
    if (this.#addresses === undefined) {
      const known = new Set<string>();
      for (const c of this.#table.contacts()) known.add(c.address);
      for (const c of this.#table.replacements()) known.add(c.address);
      for (const a of this.#turnedAway) known.add(a);
      known.add(this.#init.self.address);
      this.#addresses = known;
    }
    return this.#addresses;
  }

  /**
   * For one join round: whether an address is one of #knownAddresses, asking the whole set only when
   * a cheaper answer is not at hand: our own, a turned-away seed's, or a seed's whose node from its
   * last answer the table still holds there. Under loss every refutation reaching a node about a
   * member outside its table refreshes a replacement cache, each new replacement makes the set
   * again, and rebuilding it from every contact at each round was 11 % of a 2 000-node
   * simulation's loss window, for three seeds the table held or had turned away.
   */
  #isKnownAddress(): (address: string) => boolean {
    let known: ReadonlySet<string> | undefined;
    return (address) => {
      if (address === this.#init.self.address || this.#turnedAway.has(address)) return true;
      const id = this.#answeredBy.get(address);
      if (id !== undefined && this.#table.known(id)?.address === address) return true;
      known ??= this.#knownAddresses();
      return known.has(address);
    };
  }

  #answered(address: string, id: string): void {
    this.#answeredBy.delete(address);
    this.#answeredBy.set(address, id);
    if (this.#answeredBy.size > MAX_TURNED_AWAY) this.#answeredBy.delete(this.#answeredBy.keys().next().value!);
  }

  #turnAway(address: string): void {
    this.#turnedAway.add(address);
    if (this.#turnedAway.size > MAX_TURNED_AWAY) this.#turnedAway.delete(this.#turnedAway.values().next().value!);
    this.#addresses = undefined;
  }

  /**
   * Every node runs join rounds, with seeds or without: a node started without seeds has no name
   * to resolve, but it still pings the members it holds dead (memberlist's reconnect), or it would
   * hold one dead after a healed partition until that member happened to contact it.
   */
  #scheduleJoin(delayMs: number): void {
    if (!this.#running) return;
    this.#joinDueMs = this.#init.clock.now() + delayMs;
    this.#joinTimer = this.#init.clock.setTimeout(() => void this.#joinRound(), delayMs);
  }

  /**
   * One join round: contact every candidate address not yet known, then look up our own id, which
   * fills the table with the nodes closest to us and announces us to them. When the next round runs
   * is JoinPacer's: back-off while there is no contact, one join interval after a round that had
   * someone to contact, doubling waits after quiet rounds. Without seeds, a
   * round only pings members held dead (and looks up its own id when the table took one back).
   */
  async #joinRound(): Promise<void> {
    if (this.#joining || !this.#running) return;
    this.#joining = true;
    let contacted = 0;
    try {
      const known = this.#isKnownAddress();
      // Members held dead, by address: a partition's other side, or crashed nodes.
      const gone = new Map<string, PeerContact>();
      for (const c of this.#swim.deadContacts()) if (!known(c.address)) gone.set(c.address, c);
      const seeded = this.#init.seeds?.configured === true;
      const resolved = seeded ? (await this.#init.seeds!.candidates()).filter((a) => !known(a)) : [];
      const reconnect = shuffle(
        [...gone.keys()].filter((a) => !resolved.includes(a)),
        this.#init.random,
      ).slice(0, RECONNECT_DEAD_PER_ROUND);
      const candidates = [...resolved, ...reconnect];
      contacted = candidates.length;
      const signal = this.#stopController.signal;
      // Answers whose sender the table took in as a new contact: only those make a self-lookup worth it.
      let taken = 0;
      await Promise.all(
        candidates.map(async (address) => {
          // To a member held dead the ping says so: a live one refutes in its answer, which then
          // carries its raised incarnation and is taken at once (a plain ping at the old one is
          // not, so a healed partition waited for gossip to bring the claims across: 37 s).
          const dead = gone.get(address);
          // A connection to a member held dead that is not up is a connect begun during the cut,
          // its SYNs retried 1, 3, 7, 15 s apart: a new one reaches a healed member at once. One
          // that is up (a handshake slower than the ping's deadline finished since) is kept.
          if (dead && this.#init.transport.connected?.(address) === false) this.#init.transport.disconnect?.(address);
          try {
            const response = await this.#init.transport.request(
              address,
              'ping',
              { ...(dead ? this.#swim.envelopeTo(dead) : this.#swim.envelope()), target: '' },
              { signal, deadlineMs: this.#queryDeadlineMs },
            );
            const sender = response.sender?.id;
            if (sender !== undefined) this.#answered(address, sender);
            const wasIn = sender !== undefined && this.#table.has(sender);
            this.#swim.receive(response);
            if (sender !== undefined && !wasIn && this.#table.has(sender)) taken++;
            if (!dead && sender !== undefined && !this.#table.knows(sender)) this.#turnAway(address);
            this.#joinPings.inc({ outcome: 'answered' });
          } catch {
            // Not up yet, or gone: the next round tries again.
            if (!signal.aborted) this.#joinPings.inc({ outcome: 'failed' });
          }
        }),
      );
      // The self-lookup runs once after the first contact and again whenever an answer brought the
      // table a new contact (a node without seeds runs its first one when a placement asks:
      // closestIfComplete). An answer from a node the table turned away (its bucket full) adds
      // nothing to a lookup that starts from the table. When every answer counted, a seed whose
      // bucket another seed's answer had filled (32 join updates a message) was pinged again and
      // followed by a self-lookup of ~20 FIND_NODE calls every round, for ever: at 1 000 simulated
      // nodes ~170 such pings and ~150 self-lookups a round, 3.27 messages per node per period in a
      // settled cluster where SWIM sends 2.
      if (this.#table.size > 0 && (taken > 0 || (seeded && !this.#selfLookupDone))) {
        await this.lookup(this.#self.bytes, { signal }).catch(() => {});
        this.#selfLookupDone = true;
      }
    } catch (err) {
      if (!this.#stopController.signal.aborted) this.#log.debug({ err: (err as Error).message }, 'join round failed');
    } finally {
      this.#joining = false;
    }
    this.#scheduleJoin(this.#joinPacer.next({ hasContacts: this.#table.size > 0, contacted }));
  }

  /**
   * The next refresh check, every quarter of the refresh interval. The first comes at a per-node
   * point between a half and one and a half of that period after the start (memberlist staggers
   * its timers likewise): nodes started together (a fleet, a simulated network) would otherwise all
   * run their first refresh, which finds every bucket due, in the same moment, and keep checking in
   * step. The point comes from the node's id, not the random source, whose draws stay as they were.
   */
  #scheduleRefresh(first = false): void {
    if (!this.#running) return;
    const period = refreshCheckPeriodMs(this.#refreshMs);
    const delay = first ? Math.floor(period / 2 + this.#refreshPhase * period) : period;
    this.#refreshTimer = this.#init.clock.setTimeout(() => void this.#refreshBuckets(), delay);
  }

  /**
   * Kademlia bucket refresh: a lookup of a random id in every bucket not used for a while. Each
   * lookup stops after its first α queries when they name nobody new (`refresh`), so in a network
   * the table already holds a refresh of every bucket costs a few queries per bucket, not k.
   */
  async #refreshBuckets(): Promise<void> {
    const signal = this.#stopController.signal;
    const due = this.#table.bucketsToRefresh(this.#init.clock.now(), this.#refreshMs);
    // A self-lookup covers every bucket nearer than the nearest contact (Kademlia's join refresh).
    if (due.length > 0) await this.lookup(this.#self.bytes, { signal, refresh: true }).catch(() => {});
    for (const index of due) {
      if (!this.#running) return;
      this.#table.touchBucket(index, this.#init.clock.now());
      await this.lookup(randomIdInBucket(this.#self.bytes, index, this.#init.random), { signal, refresh: true }).catch(() => {});
    }
    this.#scheduleRefresh();
  }
}

/** How often a node checks for buckets due a refresh: a quarter of `bucketRefreshMs`. */
function refreshCheckPeriodMs(bucketRefreshMs: number): number {
  return Math.max(1_000, Math.floor(bucketRefreshMs / 4));
}

/**
 * The latest a node's first refresh check comes after its start (see RoutingNode#scheduleRefresh:
 * between a half and one and a half check periods): whoever measures a node at rest (the quiet
 * bench and end-to-end test) waits this long for the lookups of every bucket its join did not use.
 */
export function firstRefreshCheckBoundMs(bucketRefreshMs: number): number {
  return Math.ceil(1.5 * refreshCheckPeriodMs(bucketRefreshMs));
}

/** A point in [0, 1) spread evenly over ids, also ids made alike (FNV-1a of every byte). */
function idPhase(id: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of id) h = Math.imul(h ^ b, 0x01000193);
  return (h >>> 0) / 2 ** 32;
}

/** XOR distance from `point` to the id `hex` (64 hex digits), as a number to compare. */
function toPeerContact(c: Contact | PeerContact): PeerContact {
  return { id: c.id, address: c.address, role: c.role, incarnation: c.incarnation };
}

export type { Envelope };
