import type { PeerContact } from '@peerweave/protocol';
import type { ClusterNode, TestCluster } from '@peerweave/routing/testing';
import { planRepair, preferenceList, settleRepair, type VerifiedMark } from '@peerweave/replication/testing';
import { settleAll } from './simulate.ts';

/**
 * Content under churn, modelled — not the real ContentNode. A ContentNode needs its own SQLite
 * database and block directory (libs/replication/testing's ContentCluster makes one per node in a
 * temporary directory, with an Ed25519 key each): thousands of them in one process are too heavy
 * for this machine. What runs for real is everything that decides where copies go: each put's
 * replicas are the r closest the writer's real iterative lookup finds (libs/replication's
 * `preferenceList`, the writer included), acknowledged when w of them are running; every repair
 * interval each running holder plans its pass with libs/replication's `planRepair` over its own
 * routing table's view (`closestKnown`, which may still hold a dead node), pushes to each replica
 * that lacks the block if that node is running, and settles with `settleRepair` (a copy no longer
 * among the r is dropped once the r hold it). Transfers take no time and never fail between two
 * running nodes; a crashed node's copies are gone with it (a node never comes back with the same
 * id under churn). Readable: a reader's real lookup finds a running holder among the r closest,
 * the replicas the read path asks first.
 */
export interface ContentModelInit {
  cluster: TestCluster;
  /** Copies of every object (r) and acknowledgements a put needs (w). */
  replicationFactor: number;
  writeQuorum: number;
}

export interface ContentSample {
  /** Objects acknowledged so far. */
  acknowledged: number;
  /** Of those, found by a reader's lookup on a running holder among the r closest. */
  readable: number;
  /** Of those, held by at least one running node (whether a lookup finds it or not). */
  held: number;
  /** Acknowledged objects with no running holder left, in all. */
  lost: number;
  /** Of `lost`, those whose r holders after a repair pass all left before the next one. */
  lostWithinOneRepair: number;
  /** Running holders per acknowledged object, mean. */
  copiesMean: number;
}

export class ContentModel {
  readonly #cluster: TestCluster;
  readonly #r: number;
  readonly #w: number;
  /** cid (the key's hex) → the key. */
  readonly #keys = new Map<string, Uint8Array>();
  /** Node index → the cids it holds a replica of. */
  readonly #held = new Map<number, Set<string>>();
  /** cid → indices of the nodes holding it. */
  readonly #holders = new Map<string, Set<number>>();
  /** cid → running holders after the last repair pass. */
  readonly #afterRepair = new Map<string, number>();
  readonly #verified = new Map<number, Map<string, VerifiedMark>>();
  readonly #byId = new Map<string, number>();
  readonly #acknowledged: string[] = [];
  readonly #lost = new Set<string>();
  readonly #lostWithinOneRepair = new Set<string>();
  #pass = 0;
  puts = 0;
  failedPuts = 0;
  pushes = 0;

  constructor(init: ContentModelInit) {
    this.#cluster = init.cluster;
    this.#r = init.replicationFactor;
    this.#w = init.writeQuorum;
  }

  /** `count` puts of random keys, each from a random running node, `batch` at a time. */
  async put(count: number, batch = 25): Promise<void> {
    for (let i = 0; i < count; i += batch) {
      const puts: Promise<void>[] = [];
      for (let j = i; j < Math.min(count, i + batch); j++) puts.push(this.#putOne());
      await settleAll(this.#cluster, puts);
    }
  }

  async #putOne(): Promise<void> {
    const writer = this.#randomRunning();
    const key = this.#cluster.random.bytes(32);
    const cid = Buffer.from(key).toString('hex');
    this.puts++;
    let closest: PeerContact[];
    try {
      closest = (await writer.routing.lookup(key, { count: this.#r })).closest;
    } catch {
      this.failedPuts++;
      return;
    }
    const replicas = preferenceList(key, selfContact(writer), closest).slice(0, this.#r);
    let stored = 0;
    this.#keys.set(cid, key);
    for (const p of replicas) {
      const index = this.#indexOf(p.id);
      if (index === undefined || !this.#cluster.nodes[index]!.running) continue;
      this.#store(index, cid);
      stored++;
    }
    if (stored >= this.#w) this.#acknowledged.push(cid);
    else this.failedPuts++;
  }

  /** A node crashed: its copies are gone. */
  departed(index: number): void {
    const cids = this.#held.get(index);
    this.#held.delete(index);
    this.#verified.delete(index);
    if (cids === undefined) return;
    for (const cid of cids) {
      const holders = this.#holders.get(cid)!;
      holders.delete(index);
      if (holders.size === 0 && !this.#lost.has(cid)) {
        this.#lost.add(cid);
        if ((this.#afterRepair.get(cid) ?? 0) >= this.#r) this.#lostWithinOneRepair.add(cid);
      }
    }
  }

  /** One repair pass at every running holder, each from its own routing table's view. */
  repair(): void {
    const pass = ++this.#pass;
    for (const [index, cids] of [...this.#held]) {
      const node = this.#cluster.nodes[index]!;
      if (!node.running) continue;
      const self = selfContact(node);
      const verified = this.#verified.get(index) ?? new Map<string, VerifiedMark>();
      this.#verified.set(index, verified);
      const replicasOf = (cid: string): PeerContact[] =>
        preferenceList(this.#keys.get(cid)!, self, node.routing.closestKnown(this.#keys.get(cid)!, 2 * this.#r)).slice(0, this.#r);
      const rows = [...cids].map((cid) => ({ cid, kind: 'replica' as const, roots: [cid], hintFor: '', verified: verified.get(cid) }));
      const plan = planRepair(rows, { selfId: node.id, replicasOf, pass });
      const incomplete = new Set<string>();
      for (const [peer, cid] of plan.toAsk) {
        const target = this.#indexOf(peer.id);
        if (target === undefined || !this.#cluster.nodes[target]!.running) {
          incomplete.add(cid);
          continue;
        }
        if (!this.#held.get(target)?.has(cid)) {
          this.#store(target, cid);
          this.pushes++;
        }
      }
      const settled = settleRepair(plan, incomplete, pass);
      for (const [cid, set] of settled.verified) verified.set(cid, set);
      for (const cid of settled.demote) this.#drop(index, cid);
    }
    for (const cid of this.#acknowledged) this.#afterRepair.set(cid, this.#holders.get(cid)?.size ?? 0);
  }

  /** Every acknowledged object read once: a lookup of its key from a random running node. */
  async sample(batch = 25): Promise<ContentSample> {
    let readable = 0;
    let held = 0;
    let copies = 0;
    for (let i = 0; i < this.#acknowledged.length; i += batch) {
      const reads: Promise<boolean>[] = [];
      for (const cid of this.#acknowledged.slice(i, i + batch)) {
        const holders = this.#holders.get(cid)!;
        if (holders.size > 0) held++;
        copies += holders.size;
        reads.push(this.#readOne(cid));
      }
      await settleAll(this.#cluster, reads);
      for (const r of reads) if (await r) readable++;
    }
    const n = this.#acknowledged.length;
    return { acknowledged: n, readable, held, lost: this.#lost.size, lostWithinOneRepair: this.#lostWithinOneRepair.size, copiesMean: n === 0 ? 0 : copies / n };
  }

  async #readOne(cid: string): Promise<boolean> {
    const holders = this.#holders.get(cid)!;
    if (holders.size === 0) return false;
    const reader = this.#randomRunning();
    if (holders.has(reader.index)) return true;
    try {
      const { closest } = await reader.routing.lookup(this.#keys.get(cid)!, { count: this.#r });
      return closest.slice(0, this.#r).some((p) => {
        const index = this.#indexOf(p.id);
        return index !== undefined && holders.has(index) && this.#cluster.nodes[index]!.running;
      });
    } catch {
      return false;
    }
  }

  #store(index: number, cid: string): void {
    let cids = this.#held.get(index);
    if (cids === undefined) this.#held.set(index, (cids = new Set()));
    cids.add(cid);
    let holders = this.#holders.get(cid);
    if (holders === undefined) this.#holders.set(cid, (holders = new Set()));
    holders.add(index);
  }

  #drop(index: number, cid: string): void {
    this.#held.get(index)?.delete(cid);
    this.#holders.get(cid)?.delete(index);
    this.#verified.get(index)?.delete(cid);
  }

  #indexOf(id: string): number | undefined {
    let index = this.#byId.get(id);
    if (index === undefined) {
      // New nodes join under churn: index them as they are asked about.
      for (const n of this.#cluster.nodes) this.#byId.set(n.id, n.index);
      index = this.#byId.get(id);
    }
    return index;
  }

  #randomRunning(): ClusterNode {
    for (;;) {
      const n = this.#cluster.nodes[this.#cluster.random.int(this.#cluster.nodes.length)]!;
      if (n.running) return n;
    }
  }
}

function selfContact(n: ClusterNode): PeerContact {
  return { id: n.id, address: n.address, role: 'peer', incarnation: 0 };
}
