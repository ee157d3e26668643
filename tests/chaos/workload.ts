// A Jepsen-style workload: one writer putting small objects and a few readers reading acknowledged
// ones back, each through a random node the cluster says is serving (as behind a load balancer
// with a readiness probe), every operation recorded with its outcome. The checker
// (checker.ts) turns the record into figures.
import { createHash, randomBytes } from 'node:crypto';
import { http } from '../e2e/support/http.ts';
import type { ChaosCluster, ChaosNode } from './cluster.ts';

export interface Written {
  cid: string;
  sha256: string;
  size: number;
  /** Node that acknowledged the write, and when (ms since the epoch). */
  via: string;
  at: number;
  /** Free-form tag of the scenario phase it was written in (e.g. the partition side). */
  tag: string;
}

export type ReadOutcome = 'ok' | 'failed' | 'wrong';

export interface ReadOp {
  cid: string;
  via: string;
  at: number;
  outcome: ReadOutcome;
  /** Status or error message of a failed read. */
  detail?: string;
  /** The phase's tag at the time of the read. */
  tag: string;
  /** How long it took. */
  ms?: number;
}

export interface WriteOp {
  via: string;
  at: number;
  ok: boolean;
  detail?: string;
  tag: string;
  /** How long it took. */
  ms: number;
}

export interface WorkloadOptions {
  /** Pause between two writes of the writer. */
  writeEveryMs: number;
  /** Readers, each reading continuously with `readEveryMs` between reads. */
  readers: number;
  readEveryMs: number;
  /** Object size range in bytes. */
  minBytes: number;
  maxBytes: number;
  /** Per-request deadline. */
  timeoutMs: number;
}

export const DEFAULT_WORKLOAD: WorkloadOptions = { writeEveryMs: 1_000, readers: 2, readEveryMs: 250, minBytes: 256, maxBytes: 8_192, timeoutMs: 10_000 };

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Reads `cid` through `node`: ok with the right bytes, wrong with other bytes, failed otherwise. */
export async function readThrough(node: ChaosNode, w: Written, timeoutMs: number): Promise<{ outcome: ReadOutcome; detail?: string }> {
  try {
    const res = await fetch(`${node.base}/v1/objects/${w.cid}`, { signal: AbortSignal.timeout(timeoutMs) });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) return { outcome: 'failed', detail: `HTTP ${res.status} ${Buffer.from(bytes).toString('utf8').slice(0, 120)}` };
    return sha(bytes) === w.sha256 ? { outcome: 'ok' } : { outcome: 'wrong', detail: `${bytes.length} bytes, expected ${w.size}` };
  } catch (err) {
    return { outcome: 'failed', detail: (err as Error).message };
  }
}

export class Workload {
  readonly written: Written[] = [];
  readonly writes: WriteOp[] = [];
  readonly reads: ReadOp[] = [];
  /** The current phase's tag, stamped on every op. */
  tag = '';
  /**
   * Which acknowledged objects a reader may pick and which nodes it may go through, given the
   * phase (a partition's side reads what was written on it). Default: any object, any serving node.
   */
  pick: (cluster: ChaosCluster, written: readonly Written[]) => { object: Written; via: ChaosNode } | undefined = (cluster, written) => {
    const nodes = cluster.serving();
    if (written.length === 0 || nodes.length === 0) return undefined;
    return { object: written[Math.floor(Math.random() * written.length)]!, via: nodes[Math.floor(Math.random() * nodes.length)]! };
  };
  /** Which node the writer goes through (default: a random serving node). */
  writeVia: (cluster: ChaosCluster) => ChaosNode | undefined = (cluster) => {
    const nodes = cluster.serving();
    return nodes[Math.floor(Math.random() * nodes.length)];
  };
  /** Requests in flight through each node, so that a node can be drained before a restart. */
  readonly inflight = new Map<string, number>();
  #running = false;
  #loops: Promise<void>[] = [];
  #seq = 0;

  readonly cluster: ChaosCluster;
  readonly options: WorkloadOptions;

  constructor(cluster: ChaosCluster, options: WorkloadOptions = DEFAULT_WORKLOAD) {
    this.cluster = cluster;
    this.options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loops = [this.#writer(), ...Array.from({ length: this.options.readers }, () => this.#reader())];
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
    this.#loops = [];
  }

  /** Puts one object through `via` now; records it; the acknowledged object, if any. */
  async write(via: ChaosNode): Promise<Written | undefined> {
    const { minBytes, maxBytes, timeoutMs } = this.options;
    const size = minBytes + Math.floor(Math.random() * (maxBytes - minBytes + 1));
    const body = randomBytes(size);
    const at = Date.now();
    const tag = this.tag;
    this.inflight.set(via.name, (this.inflight.get(via.name) ?? 0) + 1);
    try {
      const res = await http<{ cid: string }>(`${via.base}/v1/objects?name=chaos-${++this.#seq}.bin`, { method: 'POST', body, timeoutMs });
      if (res.status !== 201) {
        this.writes.push({ via: via.name, at, ok: false, detail: `HTTP ${res.status} ${res.text.slice(0, 120)}`, tag, ms: Date.now() - at });
        return undefined;
      }
      const w: Written = { cid: res.body.cid, sha256: sha(body), size, via: via.name, at, tag };
      this.written.push(w);
      this.writes.push({ via: via.name, at, ok: true, tag, ms: Date.now() - at });
      return w;
    } catch (err) {
      this.writes.push({ via: via.name, at, ok: false, detail: (err as Error).message, tag, ms: Date.now() - at });
      return undefined;
    } finally {
      this.inflight.set(via.name, this.inflight.get(via.name)! - 1);
    }
  }

  async #writer(): Promise<void> {
    while (this.#running) {
      const via = this.writeVia(this.cluster);
      if (via) await this.write(via);
      await sleep(this.options.writeEveryMs);
    }
  }

  async #reader(): Promise<void> {
    while (this.#running) {
      const choice = this.pick(this.cluster, this.written);
      if (choice) {
        const tag = this.tag;
        const at = Date.now();
        const name = choice.via.name;
        this.inflight.set(name, (this.inflight.get(name) ?? 0) + 1);
        const r = await readThrough(choice.via, choice.object, this.options.timeoutMs).finally(() => this.inflight.set(name, this.inflight.get(name)! - 1));
        // A node taken out of rotation while the read ran (a restart began): the read is the
        // load balancer's problem, not the cluster's — it is recorded, but as such.
        this.reads.push({ cid: choice.object.cid, via: choice.via.name, at, tag, ms: Date.now() - at, ...r, ...(r.outcome === 'failed' && this.cluster.out.has(choice.via.name) ? { detail: `went out of rotation: ${r.detail}` } : {}) });
      }
      await sleep(this.options.readEveryMs);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
