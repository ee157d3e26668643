// Baseline for small-object reads: js-libp2p kad-dht `get` of a 1 KiB value, `nodes` nodes on
// loopback, each in its own process (bench/dht-node.ts), tables filled before measuring. Values
// are put from node 0; each key is then got once, one get at a time, from another node.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { DhtReply, DhtRequest } from './dht-node.ts';

const NODE_SCRIPT = fileURLToPath(new URL('./dht-node.ts', import.meta.url));

export interface DhtFigures {
  /** Milliseconds of each `get`, as timed inside the node that ran it. */
  getMs: number[];
  putMs: number[];
  /** Query messages (GET_VALUE) each `get` sent. */
  rpcs: number[];
  /** Smallest routing table when measuring started. */
  tableMin: number;
  /** Gets that did not return the value that was put. */
  wrong: number;
  startSeconds: number;
}

class DhtNode {
  private waiting: ((r: DhtReply) => void) | undefined;
  private readonly replies: DhtReply[] = [];
  readonly exited: Promise<number | null>;
  readonly child: ChildProcess;
  constructor(child: ChildProcess) {
    this.child = child;
    child.on('message', (m: DhtReply) => {
      const w = this.waiting;
      if (w) {
        this.waiting = undefined;
        w(m);
      } else this.replies.push(m);
    });
    this.exited = new Promise((resolve) => child.on('exit', resolve));
  }
  /** The next message from the node (one request in flight at a time). */
  async next(timeoutMs: number): Promise<DhtReply> {
    const queued = this.replies.shift();
    if (queued) return queued;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        new Promise<DhtReply>((resolve) => (this.waiting = resolve)),
        this.exited.then((code) => Promise.reject(new Error(`kad-dht node exited with ${code}`))),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`kad-dht node: no answer in ${timeoutMs} ms`)), timeoutMs))),
      ]);
    } finally {
      clearTimeout(timer);
      this.waiting = undefined;
    }
  }
  async call<O extends DhtRequest['op']>(req: DhtRequest & { op: O }, timeoutMs = 60_000): Promise<DhtReply & { op: O }> {
    this.child.send(req);
    const r = await this.next(timeoutMs);
    if (r.op === 'error') throw new Error(`kad-dht ${req.op}: ${r.message}`);
    if (r.op !== req.op) throw new Error(`kad-dht ${req.op}: unexpected reply ${r.op}`);
    return r as DhtReply & { op: O };
  }
}

export async function kadDhtFigures(nodes: number, gets: number): Promise<DhtFigures> {
  const started = Date.now();
  const procs: DhtNode[] = [];
  try {
    for (let i = 0; i < nodes; i++) {
      procs.push(new DhtNode(fork(NODE_SCRIPT, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' })));
    }
    const ready = await Promise.all(
      procs.map(async (p) => {
        const r = await p.next(180_000);
        if (r.op !== 'ready') throw new Error(`kad-dht node: ${r.op === 'error' ? r.message : r.op}`);
        return r;
      }),
    );
    if (process.env.BENCH_DEBUG) console.error(`    kad-dht: ${nodes} nodes ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // A full mesh, as our containers have: node i dials every node before it.
    const dials = await Promise.all(procs.map((p, i) => p.call({ op: 'dial', addrs: ready.slice(0, i).map((r) => `${r.addrs[0]}`) }, 120_000)));
    const failed = dials.reduce((s, d) => s + d.failed, 0);
    if (failed > 0) console.error(`    kad-dht: ${failed} dials failed`);
    // Wait until every routing table holds every other node (identify runs after each connection);
    // one or two tables sometimes stay a node short for good, so not for long.
    let tableMin = 0;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const sizes = (await Promise.all(procs.map((p) => p.call({ op: 'table' })))).map((t) => t.size);
      tableMin = Math.min(...sizes);
      if (process.env.BENCH_DEBUG) console.error(`    kad-dht tables at ${((Date.now() - started) / 1000).toFixed(1)} s: ${sizes.join(',')}`);
      if (tableMin >= nodes - 1 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const startSeconds = (Date.now() - started) / 1000;

    const keys = Array.from({ length: gets }, (_, i) => `/bench/${i}-${randomBytes(8).toString('hex')}`);
    const values = keys.map(() => randomBytes(1024).toString('base64'));
    const put = await procs[0]!.call({ op: 'put', keys, values, concurrency: 4 }, 600_000);
    const getMs: number[] = [];
    const rpcs: number[] = [];
    let wrong = 0;
    for (let i = 0; i < gets; i++) {
      const g = await procs[1 + (i % (nodes - 1))]!.call({ op: 'get', key: keys[i]! });
      getMs.push(g.ms);
      rpcs.push(g.rpcs);
      if (g.value !== values[i]) wrong++;
    }
    return { getMs, putMs: put.ms, rpcs, tableMin, wrong, startSeconds };
  } finally {
    await Promise.all(
      procs.map(async (p) => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) return;
        if (p.child.connected) p.child.send({ op: 'stop' } satisfies DhtRequest);
        const t = setTimeout(() => p.child.kill('SIGKILL'), 3_000);
        await p.exited;
        clearTimeout(t);
      }),
    );
  }
}
