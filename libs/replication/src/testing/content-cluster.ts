import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom, lateBound, silentLogger } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { generateKeyPairSync, sign as edSign, createHash } from 'node:crypto';
import { MemoryNetwork } from '@peerweave/protocol/testing';
import type { PeerHandler } from '@peerweave/protocol';
import { RoutingNode } from '@peerweave/routing';
import { BlockStore, ContentDb } from '@peerweave/storage';
import { ContentNode, type ContentNodeInit } from '../content-node.ts';

export interface ContentClusterOptions {
  seed?: number;
  /** Content settings for every node (r, w, intervals, cache...). */
  content?: Partial<Omit<ContentNodeInit, 'self' | 'identity' | 'routing' | 'transport' | 'blocks' | 'db' | 'clock'>>;
  /** SWIM probe interval of every node (default 200 ms of clock time). */
  probeIntervalMs?: number;
}

export interface ContentClusterNode {
  readonly index: number;
  readonly id: string;
  readonly address: string;
  readonly dir: string;
  readonly identity: ContentNodeInit['identity'];
  routing: RoutingNode;
  content: ContentNode;
  blocks: BlockStore;
  db: ContentDb;
  running: boolean;
}

/**
 * Whole content nodes (routing + replication + a real block store and SQLite database in a
 * temporary directory) over the in-memory network with a manual clock. Messages are delivered
 * without clock time (latency 0), so puts and reads complete without advancing the clock; failure
 * detection, repair timers and tombstone expiry move only with {@link advance}.
 */
export class ContentCluster {
  readonly clock = new ManualClock(1_700_000_000_000);
  readonly random: SeededRandom;
  readonly network: MemoryNetwork;
  readonly nodes: ContentClusterNode[] = [];
  readonly #options: ContentClusterOptions;
  #root = '';

  constructor(options: ContentClusterOptions = {}) {
    this.#options = options;
    this.random = new SeededRandom(options.seed ?? 1);
    this.network = new MemoryNetwork({ clock: this.clock, random: this.random, latencyMs: 0, defaultDeadlineMs: 2_000, validateMessages: true });
  }

  async grow(n: number): Promise<void> {
    this.#root ||= await mkdtemp(join(tmpdir(), 'peerweave-content-'));
    for (let i = 0; i < n; i++) {
      const index = this.nodes.length;
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
      const id = createHash('sha256').update(raw).digest('hex');
      const identity = { publicKey: raw, sign: (data: Uint8Array) => new Uint8Array(edSign(null, data, privateKey)) };
      const node = { index, id, identity, address: `node-${index}:7400`, dir: join(this.#root, `node-${index}`), running: false } as ContentClusterNode;
      this.nodes.push(node);
      await this.#start(node);
    }
    await this.advance(3_000);
  }

  async #start(node: ContentClusterNode): Promise<void> {
    const identity = node.identity;
    // Serves before routing and content exist: they need the listener's transport.
    const handler = lateBound<Partial<PeerHandler>>(`node ${node.index}`);
    const listener = this.network.listen(node.address, handler.target, { id: node.id });
    const seeds = this.nodes.filter((n) => n.running && n !== node).slice(0, 3).map((n) => n.address);
    const routing = new RoutingNode({
      self: { id: node.id, address: node.address, role: 'peer' },
      transport: listener.transport,
      clock: this.clock,
      random: this.random,
      logger: silentLogger,
      seeds: { configured: seeds.length > 0, candidates: async () => seeds },
      joinIntervalMs: 1_000,
      lookupDeadlineMs: 2_000,
      swim: { probeIntervalMs: this.#options.probeIntervalMs ?? 200, probeTimeoutMs: 100 },
    });
    const blocks = new BlockStore({ dir: join(node.dir, 'blocks') });
    await blocks.open();
    const db = new ContentDb({ path: join(node.dir, 'peerweave.db') });
    const content = new ContentNode({
      repairIntervalMs: 2_000,
      antiEntropyIntervalMs: 5_000,
      ...this.#options.content,
      self: { id: node.id, address: node.address, role: 'peer', incarnation: 0 },
      identity,
      routing,
      transport: listener.transport,
      blocks,
      db,
      clock: this.clock,
      logger: silentLogger,
    });
    handler.bind(routing.handler, content.handler);
    Object.assign(node, { routing, content, blocks, db, running: true });
    await routing.start();
    await content.start();
  }

  /** Moves clock time in steps, letting timers and the I/O they start run between steps. */
  async advance(ms: number, step = 100): Promise<void> {
    for (let t = 0; t < ms; t += step) {
      await this.clock.advance(Math.min(step, ms - t));
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Advances clock time a second at a time until `condition` holds; throws after `limitMs` of clock time. */
  async advanceUntil(condition: () => boolean, limitMs: number): Promise<void> {
    for (let t = 0; !condition(); t += 1_000) {
      if (t >= limitMs) throw new Error(`condition not reached within ${limitMs} ms of clock time`);
      await this.advance(1_000);
    }
  }

  /** Crash: gone at once, nothing announced. Its directory stays for a restart. */
  kill(index: number): void {
    const node = this.nodes[index]!;
    node.running = false;
    this.network.kill(node.address);
    const db = node.db;
    void node.content
      .stop()
      .catch(() => {})
      .finally(() => db.close());
    void node.routing.stop().catch(() => {});
  }

  /** Starts a killed node again on its old directory, id and address. */
  async restart(index: number): Promise<void> {
    await this.#start(this.nodes[index]!);
  }

  running(): ContentClusterNode[] {
    return this.nodes.filter((n) => n.running);
  }

  /** Repair passes on every running node until none pushes anything (or `rounds` pass). */
  async repairAll(rounds = 5): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      const reports = await Promise.all(this.running().map((n) => n.content.repair()));
      if (reports.every((r) => r.pushed === 0 && r.handedBack === 0 && r.backlog === 0)) return;
    }
  }

  async stop(): Promise<void> {
    for (const n of this.nodes) if (n.running) this.kill(n.index);
    await this.advance(500);
    if (this.#root) await rm(this.#root, { recursive: true, force: true });
  }
}

export async function createContentCluster(n: number, options: ContentClusterOptions = {}): Promise<ContentCluster> {
  const cluster = new ContentCluster(options);
  await cluster.grow(n);
  return cluster;
}
