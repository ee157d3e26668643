import { ManualClock } from '@peerweave/core/testing';
import { SeededRandom, lateBound, silentLogger, type Metrics } from '@peerweave/core';
import type { PeerTransport } from '@peerweave/protocol';
import { MemoryNetwork, type MemoryHandler, type MemoryLatency } from '@peerweave/protocol/testing';
import { RoutingNode, type RoutingNodeInit } from '../routing-node.ts';

/** A cluster's clock starts here unless told otherwise (TestClusterOptions.startMs). */
export const DEFAULT_START_MS = 1_700_000_000_000;

export interface TestClusterOptions {
  /** Seed of every random choice: ids, shuffles, loss. Same seed, same run. */
  seed?: number;
  /**
   * Clock time at the start, in ms (default 1 700 000 000 000, a date as a real clock gives). The
   * simulator starts near 0: times and incarnations (clock.now() at start) are then small integers,
   * which V8 keeps inline, instead of a boxed double in every contact, record and timer.
   */
  startMs?: number;
  /** One-way message delay on the manual clock (default 1 ms, so hops cost time). */
  latencyMs?: MemoryLatency;
  /** Every message through its codec both ways, as on the wire (MemoryNetworkInit.codec). */
  codec?: boolean;
  /** Nodes each new node joins through (random earlier nodes). */
  seedsPerNode?: number;
  /** Routing settings for every node (k, alpha, swim timings...). */
  routing?: Partial<Omit<RoutingNodeInit, 'self' | 'transport' | 'clock' | 'random' | 'seeds' | 'logger'>>;
  /** Given to every node (e.g. a counting implementation); defaults to none. */
  metrics?: Metrics;
  /** Clock time advanced after each batch of joining nodes. */
  joinSettleMs?: number;
  /** How many nodes start between two clock advances. */
  joinBatch?: number;
  /** Role each node announces (default `peer` for all). */
  role?: (index: number) => string;
  /** More methods each node serves besides routing (e.g. search), asked once per (re)start. */
  handlers?: (node: ClusterNode) => MemoryHandler;
}

export interface ClusterNode {
  readonly index: number;
  readonly id: string;
  readonly address: string;
  routing: RoutingNode;
  /** The node's own transport (calls come from its address). */
  transport: PeerTransport;
  running: boolean;
}

/**
 * Many routing nodes in one process over the in-memory network, driven by a manual clock: the
 * in-process test layer and the simulator. Nothing sleeps; `advance(ms)` moves time.
 */
/**
 * The clock, random source and in-memory network of an in-process cluster (a search cluster
 * without routing builds its own from this too): same seed, same run.
 */
export function createSimulatedNetwork(options: { seed?: number; startMs?: number; latencyMs?: MemoryLatency; validateMessages?: boolean; codec?: boolean } = {}): {
  clock: ManualClock;
  random: SeededRandom;
  network: MemoryNetwork;
} {
  const clock = new ManualClock(options.startMs ?? DEFAULT_START_MS);
  const random = new SeededRandom(options.seed ?? 1);
  const network = new MemoryNetwork({
    clock,
    random,
    latencyMs: options.latencyMs ?? 1,
    defaultDeadlineMs: 2_000,
    ...(options.validateMessages === undefined ? {} : { validateMessages: options.validateMessages }),
    ...(options.codec === undefined ? {} : { codec: options.codec }),
  });
  return { clock, random, network };
}

export class TestCluster {
  readonly clock: ManualClock;
  readonly random: SeededRandom;
  readonly network: MemoryNetwork;
  readonly nodes: ClusterNode[] = [];
  readonly #options: TestClusterOptions;
  readonly #listeners = new Map<string, { close(): void }>();

  constructor(options: TestClusterOptions = {}) {
    this.#options = options;
    const { clock, random, network } = createSimulatedNetwork(options);
    this.clock = clock;
    this.random = random;
    this.network = network;
  }

  /** Adds `n` nodes; each joins through random earlier nodes. Time advances between batches. */
  async grow(n: number): Promise<void> {
    const batch = this.#options.joinBatch ?? 50;
    for (let i = 0; i < n; i++) {
      const index = this.nodes.length;
      const id = Buffer.from(this.random.bytes(32)).toString('hex');
      const node: ClusterNode = { index, id, address: `node-${index}:7400`, routing: undefined!, transport: undefined!, running: false };
      this.nodes.push(node);
      this.#start(node, this.#pickSeeds(index));
      if ((i + 1) % batch === 0) await this.advance(this.#options.joinSettleMs ?? 2_000);
    }
    await this.advance(this.#options.joinSettleMs ?? 2_000);
  }

  /**
   * Starts one new node (a new id) that joins through random running nodes, without moving the
   * clock: churn in the simulator adds nodes this way while time runs.
   */
  join(): ClusterNode {
    const index = this.nodes.length;
    const id = Buffer.from(this.random.bytes(32)).toString('hex');
    const node: ClusterNode = { index, id, address: `node-${index}:7400`, routing: undefined!, transport: undefined!, running: false };
    this.nodes.push(node);
    this.#start(node, this.#pickSeeds(index));
    return node;
  }

  #pickSeeds(index: number): string[] {
    const count = Math.min(this.#options.seedsPerNode ?? 3, index);
    const picked = new Set<string>();
    while (picked.size < count) {
      const candidate = this.nodes[this.random.int(index)]!;
      if (candidate.running) picked.add(candidate.address);
      else if (this.nodes.slice(0, index).every((n) => !n.running)) break;
    }
    return [...picked];
  }

  #start(node: ClusterNode, seeds: string[]): void {
    // Serves before the routing node exists: it needs the listener's transport.
    const handler = lateBound<MemoryHandler>(`node ${node.index}`);
    const more = this.#options.handlers?.(node) ?? {};
    const listener = this.network.listen(node.address, handler.target, { id: node.id });
    const routing = new RoutingNode({
      ...this.#options.routing,
      self: { id: node.id, address: node.address, role: this.#options.role?.(node.index) ?? 'peer' },
      transport: listener.transport,
      clock: this.clock,
      random: this.random,
      logger: silentLogger,
      ...(this.#options.metrics ? { metrics: this.#options.metrics } : {}),
      seeds: { configured: seeds.length > 0, candidates: async () => seeds },
    });
    handler.bind(routing.handler, more);
    node.routing = routing;
    node.transport = listener.transport;
    node.running = true;
    this.#listeners.set(node.address, listener);
    void routing.start();
  }

  async advance(ms: number, step = 100): Promise<void> {
    for (let t = 0; t < ms; t += step) await this.clock.advance(Math.min(step, ms - t));
  }

  /** Crash: the node stops answering at once, without announcing anything. */
  kill(index: number): void {
    const node = this.nodes[index]!;
    node.running = false;
    this.network.kill(node.address);
    void node.routing.stop().catch(() => {});
  }

  pause(index: number): void {
    this.network.pause(this.nodes[index]!.address);
  }

  resume(index: number): void {
    this.network.resume(this.nodes[index]!.address);
  }

  /** Graceful stop: the node announces its leave first. */
  async leave(index: number): Promise<void> {
    const node = this.nodes[index]!;
    const stopped = node.routing.stop();
    await this.advance(1_000);
    await stopped;
    node.running = false;
    this.#listeners.get(node.address)?.close();
  }

  /** Restarts a killed node with the same id and address; it joins through random live nodes. */
  restart(index: number): void {
    const node = this.nodes[index]!;
    this.#listeners.get(node.address)?.close();
    const seeds = this.nodes.filter((n) => n.running && n.index !== index).slice(0, 3).map((n) => n.address);
    this.#start(node, seeds);
  }

  running(): ClusterNode[] {
    return this.nodes.filter((n) => n.running);
  }

  async stop(): Promise<void> {
    const running = this.nodes.filter((n) => n.running);
    // Every transport closed first: the kills that follow then tell nobody of a lost connection
    // (each would schedule a probe at every node that had talked to it: millions of timers at
    // 10 000 nodes, which ran the simulator out of heap in its teardown).
    for (const n of running) {
      n.running = false;
      void n.transport.close();
      void n.routing.stop().catch(() => {});
    }
    for (const n of running) this.network.kill(n.address);
    await this.advance(2_000);
  }
}

/** Builds and joins an in-process cluster of `n` routing nodes (see {@link TestCluster}). */
export async function createTestCluster(n: number, options: TestClusterOptions = {}): Promise<TestCluster> {
  const cluster = new TestCluster(options);
  await cluster.grow(n);
  return cluster;
}
