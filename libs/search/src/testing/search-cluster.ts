/**
 * Many search nodes in one process over the in-memory network, on a manual clock: the in-process
 * test layer and the simulator of issue #7.
 *
 * Two overlays:
 * - `routing`: the real routing code (`createTestCluster` from @peerweave/routing/testing, Kademlia
 *   + SWIM); a node's overlay is `RoutingNode.overlay()`, its supernode candidates the SWIM
 *   members whose announced role is `supernode`. Faithful, but every node also runs SWIM, so
 *   moving the clock costs real time: fine for 1 000 nodes (≈ 5 s to build), too slow for 10 000.
 * - `synthetic`: random 256-bit ids and, for each node, `overlayNeighbours` contacts chosen by
 *   routing's own refreshOverlay from the table a full Kademlia node would hold (syntheticOverlay);
 *   every node knows every live supernode (as routing would gossip the role). No background
 *   traffic besides search's own, so it scales to 10 000 nodes and more.
 * The default is `routing` up to 2 000 nodes, `synthetic` above.
 */
import { silentLogger, type Random } from '@peerweave/core';
import type { ManualClock } from '@peerweave/core/testing';
import type { IndexEntry, PeerTransport, SearchHandler, SearchOrigin } from '@peerweave/protocol';
import type { MemoryNetwork, MemoryHandler } from '@peerweave/protocol/testing';
import { DEFAULT_K, refreshOverlay, xorRank, type RoutingNode } from '@peerweave/routing';
import { TestCluster, createSimulatedNetwork } from '@peerweave/routing/testing';
import { SearchNode, type SearchNodeOptions, type SearchCallOptions, type SearchResult, type SearchRole } from '../search-node.ts';
import { MemoryIndex, MemoryLeafIndex } from './memory-index.ts';

export type OverlayKind = 'routing' | 'synthetic';

export interface SearchClusterOptions {
  /** Nodes in the supernode role, picked at random (default 0). */
  supernodes?: number;
  /** Same seed, same run. */
  seed?: number;
  /** See the file comment; default `routing` for n ≤ 2 000, else `synthetic`. */
  overlay?: OverlayKind;
  /** Overlay neighbours per node (default 8). */
  overlayNeighbours?: number;
  /** One-way message delay in clock ms (default 1, so hops cost time). */
  latencyMs?: number;
  /** Search settings of every node. */
  search?: Partial<SearchNodeOptions>;
  /** Start every node's maintenance (attach, heartbeats) at once (default true). */
  start?: boolean;
  /** Check every message as the wire would (slower; default false). */
  validateMessages?: boolean;
}

export interface SearchClusterNode {
  readonly index: number;
  readonly id: string;
  readonly address: string;
  readonly role: SearchRole;
  readonly self: SearchOrigin;
  readonly records: MemoryIndex;
  readonly leafIndex: MemoryLeafIndex | undefined;
  search: SearchNode;
  /** Routing overlay only. */
  routing: RoutingNode | undefined;
  running: boolean;
}

const SEARCH_METHODS = ['query', 'hits', 'attach', 'publish', 'searchLoad'] as const;

export class SearchCluster {
  readonly clock: ManualClock;
  readonly random: Random;
  readonly network: MemoryNetwork;
  readonly nodes: SearchClusterNode[] = [];
  readonly overlayKind: OverlayKind;
  /** The routing cluster underneath (routing overlay only). */
  readonly routing: TestCluster | undefined;
  readonly #options: SearchClusterOptions;
  /** Synthetic overlay: node indices of each node's neighbours. */
  #overlay: number[][] = [];
  readonly #dead = new Set<string>();
  readonly #supernodeIndices = new Set<number>();
  /** Synthetic overlay: the supernodes every node knows (those not announced dead). */
  #liveSupernodes: SearchOrigin[] = [];

  constructor(options: SearchClusterOptions, overlay: OverlayKind) {
    this.#options = options;
    this.overlayKind = overlay;
    if (overlay === 'routing') {
      this.routing = new TestCluster({
        seed: options.seed ?? 1,
        latencyMs: options.latencyMs ?? 1,
        routing: { overlayNeighbours: options.overlayNeighbours ?? 8 },
        role: (index) => (this.#supernodeIndices.has(index) ? 'supernode' : 'peer'),
        handlers: (node) => this.#handlers(node.index),
      });
      this.clock = this.routing.clock;
      this.random = this.routing.random;
      this.network = this.routing.network;
    } else {
      this.routing = undefined;
      const { clock, random, network } = createSimulatedNetwork({ ...options, validateMessages: options.validateMessages ?? false });
      this.clock = clock;
      this.random = random;
      this.network = network;
    }
  }

  /** Builds the `n` nodes (joins them, for the routing overlay) and starts their search engines. */
  async build(n: number): Promise<void> {
    const supernodes = Math.min(n, this.#options.supernodes ?? 0);
    while (this.#supernodeIndices.size < supernodes) this.#supernodeIndices.add(this.random.int(n));
    const transports: PeerTransport[] = [];
    const ids: string[] = [];
    if (this.routing !== undefined) {
      await this.routing.grow(n);
      for (const c of this.routing.nodes) {
        ids.push(c.id);
        transports.push(c.transport);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const id = Buffer.from(this.random.bytes(32)).toString('hex');
        ids.push(id);
        const handlers = this.#handlers(i);
        transports.push(this.network.listen(`node-${i}:7400`, handlers, { id }).transport);
      }
      this.#overlay = syntheticOverlay(ids, this.#options.overlayNeighbours ?? 8, this.random);
    }
    for (let i = 0; i < n; i++) {
      const role: SearchRole = this.#supernodeIndices.has(i) ? 'supernode' : 'peer';
      const self = { id: ids[i]!, address: `node-${i}:7400` };
      const node: SearchClusterNode = {
        index: i,
        id: self.id,
        address: self.address,
        role,
        self,
        records: new MemoryIndex(),
        leafIndex: role === 'supernode' ? new MemoryLeafIndex() : undefined,
        search: undefined!,
        routing: this.routing?.nodes[i]?.routing,
        running: true,
      };
      this.nodes.push(node);
    }
    for (const node of this.nodes) {
      node.search = new SearchNode({
        ...this.#options.search,
        self: node.self,
        role: node.role,
        transport: transports[node.index]!,
        clock: this.clock,
        random: this.random,
        logger: silentLogger,
        index: node.records,
        ...(node.leafIndex ? { leafIndex: node.leafIndex } : {}),
        overlay: this.#overlayOf(node),
        supernodeCandidates: this.#candidatesOf(node),
        localEntries: () => node.records.entries(),
      });
    }
    this.#liveSupernodes = this.supernodes().map((s) => s.self);
    if (this.#options.start ?? true) for (const node of this.nodes) await node.search.start();
  }

  /** The search methods of node `index`, bound late (the engine is made after the listener). */
  #handlers(index: number): MemoryHandler {
    const out: Partial<SearchHandler> = {};
    for (const m of SEARCH_METHODS) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      (out as any)[m] = (r: never, c: never) => (this.nodes[index]!.search.handler[m] as any)(r, c);
    }
    return out as MemoryHandler;
  }

  #overlayOf(node: SearchClusterNode): () => readonly SearchOrigin[] {
    if (this.routing !== undefined) {
      const routing = node.routing!;
      return () => routing.overlayContacts();
    }
    const neighbours = this.#overlay[node.index]!.map((i) => this.nodes[i]!.self);
    return () => (this.#dead.size === 0 ? neighbours : neighbours.filter((n) => !this.#dead.has(n.id)));
  }

  #candidatesOf(node: SearchClusterNode): () => readonly SearchOrigin[] {
    if (this.routing !== undefined) {
      const routing = node.routing!;
      return () => routing.contactsWithRole('supernode');
    }
    return () => this.#liveSupernodes;
  }

  supernodes(): SearchClusterNode[] {
    return this.nodes.filter((n) => n.role === 'supernode');
  }

  running(): SearchClusterNode[] {
    return this.nodes.filter((n) => n.running);
  }

  /** Node `index` now holds `entry` (and tells its supernodes). */
  hold(index: number, entry: IndexEntry): void {
    const node = this.nodes[index]!;
    node.records.upsert(entry);
    node.search.indexChanged([entry], []);
  }

  /** Node `index` no longer holds `cid`. */
  drop(index: number, cid: string): void {
    const node = this.nodes[index]!;
    if (node.records.remove(cid)) node.search.indexChanged([], [cid]);
  }

  async advance(ms: number, step = 100): Promise<void> {
    for (let t = 0; t < ms; t += step) await this.clock.advance(Math.min(step, ms - t));
  }

  /** Moves the clock in small steps until `promise` settles; returns its outcome. */
  async settle<T>(promise: Promise<T>, stepMs = 5): Promise<T> {
    let done = false;
    void promise.then(
      () => (done = true),
      () => (done = true),
    );
    while (!done) await this.clock.advance(stepMs);
    return promise;
  }

  /** A search from node `index`, the clock driven until it returns. */
  search(index: number, text: string, options: SearchCallOptions = {}): Promise<SearchResult> {
    return this.settle(this.nodes[index]!.search.search(text, options));
  }

  /**
   * Advances the clock until `condition` holds; throws after `maxMs` of clock time. Tests wait on
   * conditions this way, not on fixed delays.
   */
  async waitUntil(condition: () => boolean, { maxMs = 120_000, stepMs = 100, what = 'condition' } = {}): Promise<number> {
    const start = this.clock.now();
    while (!condition()) {
      if (this.clock.now() - start >= maxMs) throw new Error(`${what} not reached within ${maxMs} ms of clock time`);
      await this.clock.advance(stepMs);
    }
    return this.clock.now() - start;
  }

  /**
   * Crash of node `index`: it stops answering at once. With `notify` (default), every other node
   * learns it died at once, as SWIM would tell them (`contactDead`); without, they find out by
   * failing calls (heartbeats) or, on the routing overlay, by SWIM itself.
   */
  kill(index: number, { notify = true } = {}): void {
    const node = this.nodes[index]!;
    if (!node.running) return;
    node.running = false;
    void node.search.stop();
    if (this.routing !== undefined) this.routing.kill(index);
    else this.network.kill(node.address);
    if (!notify) return;
    this.#dead.add(node.id);
    this.#liveSupernodes = this.#liveSupernodes.filter((s) => s.id !== node.id);
    for (const other of this.nodes) if (other.running) other.search.contactDead(node.id);
  }

  /** Query and Hits messages sent by every node so far (the cost of searching). */
  messages(): number {
    let total = 0;
    for (const node of this.nodes) {
      const s = node.search.metrics.totals();
      total += s.queriesSent + s.queriesForwarded + s.hitsSent;
    }
    return total;
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) {
      if (!node.running) continue;
      node.running = false;
      void node.search.stop();
    }
    if (this.routing !== undefined) await this.routing.stop();
    else for (const node of this.nodes) this.network.kill(node.address);
  }
}

/** Builds `n` search nodes on the chosen overlay (see {@link SearchCluster}). */
export async function createSearchCluster(n: number, options: SearchClusterOptions = {}): Promise<SearchCluster> {
  const cluster = new SearchCluster(options, options.overlay ?? (n <= 2_000 ? 'routing' : 'synthetic'));
  await cluster.build(n);
  return cluster;
}

/**
 * A Kademlia overlay without running Kademlia: for each node, the table a full Kademlia node would
 * hold (up to `k` random nodes of each XOR-distance bucket; bucket i = ids sharing exactly 255 − i
 * leading bits), from which routing's own `refreshOverlay` picks `size` neighbours exactly as a
 * RoutingNode does (buckets alternately from the far and the near end, within a bucket the node
 * closest to a random point of the node's own). Buckets are told apart by the top 32 bits of the
 * ids, plenty below 2^32 nodes. Returns node indices.
 */
export function syntheticOverlay(ids: readonly string[], size: number, random: Random, k = DEFAULT_K): number[][] {
  const n = ids.length;
  const top = ids.map((id) => Number.parseInt(id.slice(0, 8), 16));
  const order = [...ids.keys()].sort((a, b) => top[a]! - top[b]!);
  const sorted = order.map((i) => top[i]!);
  const indexOf = new Map(ids.map((id, i) => [id, i] as const));
  const lowerBound = (v: number): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const x = top[i]!;
    const buckets = new Map<number, string[]>();
    for (let shared = 0; shared < 32; shared++) {
      const half = 2 ** (31 - shared);
      const prefix = Math.floor(x / (2 * half)) * 2 * half;
      const bit = Math.floor(x / half) % 2;
      const start = prefix + (1 - bit) * half;
      const lo = lowerBound(start);
      const count = lowerBound(start + half) - lo;
      if (count === 0) continue;
      const members = new Set<number>();
      if (count <= k) for (let j = 0; j < count; j++) members.add(order[lo + j]!);
      else while (members.size < k) members.add(order[lo + random.int(count)]!);
      buckets.set(255 - shared, [...members].map((j) => ids[j]!));
    }
    const point = BigInt(`0x${Buffer.from(random.bytes(32)).toString('hex')}`);
    out.push(refreshOverlay(() => true, buckets, size, (id) => xorRank(point, id)).map((id) => indexOf.get(id)!));
  }
  return out;
}
