// Small-object load figure of the `content` section (issue #11): 4 KiB objects from 32 concurrent
// clients spread over all 20 peers of the cluster (client i talks to peer i mod 20, keep-alive).
//   - put phase: BENCH_SMALL_PUTS (default 2 000) distinct random 4 KiB objects;
//   - read phase: BENCH_SMALL_READS (default 10 000) reads, each through a peer that is neither the
//     writer nor a replica/holder of the object (from GET /v1/objects/<cid>/replicas, asked once per
//     object before the phase, untimed), non-holders taken round-robin, every body's sha256 checked.
// Both phases run BENCH_SMALL_WARMUP (default 1) times first, with their own new objects, as a
// warm-up (a long-running cluster runs warm code; the first round after start mostly does not): the
// figures are the round after, with the first round's beside them.
// For each phase: ops/s, errors (any non-2xx, transport error or wrong bytes), p50/p99 latency and
// the cluster's CPU per operation, seen two ways: the sum over all 22 nodes of the delta of
// `process_cpu_seconds_total` (their /metrics), and the engine's view, the sum of each container's
// cgroup CPU usage delta (which also counts the healthcheck probes `docker exec`s into them).
//
// Baseline, measured before the cluster exists: the same 32-client loop against one container of
// the same image running a bare Fastify in-memory store (POST /v1/objects, GET /v1/objects/:key),
// Fastify from the host's node_modules mounted read-only (the image's bundled bench server has only
// /healthz). If it cannot be started, the row says so; the lone put / lone read of the cluster (one
// client, sequential, unloaded) is printed either way as the unloaded latency.
import { createHash, randomBytes } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { Agent, request } from 'undici';
import { docker, withContainer, hostUrl, mapLimit, percentile, type Row } from './docker.ts';
import { localAuth } from '../tests/e2e/support/local-token.ts';

const KiB = 1024;
const SIZE = 4 * KiB;
export const CLIENTS = 32;
const PUTS = Number(process.env.BENCH_SMALL_PUTS ?? 2000);
const READS = Number(process.env.BENCH_SMALL_READS ?? 10_000);
const LONE = 30;
/**
 * Rounds of the same puts and reads before the measured one (default 1): a node's code reaches
 * V8's optimising tiers only after it has run a while, and each of 20 peers sees a twentieth of
 * the load, so the first round after start measures mostly unoptimised code (10 node processes,
 * three rounds in a row: 9.8, 7.0, 6.4 ms of CPU per put). A cluster under sustained load runs
 * warm, as YCSB's and JMH's warm-up phases assume; the first round's figures are printed beside.
 */
const WARMUP_ROUNDS = Number(process.env.BENCH_SMALL_WARMUP ?? 1);
const IMAGE = process.env.PEERWEAVE_IMAGE ?? 'peerweave:latest';
const TIMEOUT_MS = 30_000;

export interface SmallNode {
  container: string;
  service: 'peer' | 'supernode';
  url: string;
  id: string;
}

export interface Phase {
  ops: number;
  seconds: number;
  lat: number[];
  errors: Map<string, number>;
  /** CPU seconds of the nodes: the process metric, and the cgroups (undefined if not readable). */
  cpuProcess: number;
  cpuCgroup: number | undefined;
  /** CPU seconds of this bench process (the clients), for the log. */
  cpuClient: number;
}

export interface SmallBaseline {
  put: Phase;
  read: Phase;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ms = (x: number): string => (x < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(0)} ms`);
export const errorCount = (p: Phase): number => [...p.errors.values()].reduce((a, b) => a + b, 0);

export function newAgent(): Agent {
  return new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 120_000, connections: CLIENTS, headersTimeout: 0, bodyTimeout: 0 });
}

export async function call(agent: Agent, url: string, body?: Buffer): Promise<{ status: number; bytes: Buffer }> {
  const res = await request(url, {
    dispatcher: agent,
    method: body ? 'POST' : 'GET',
    // Writes carry the local cluster's token (Compose nodes take writes only with it).
    ...(body ? { body, headers: { 'content-type': 'application/octet-stream', ...localAuth() } } : {}),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(c as Buffer);
  return { status: res.statusCode, bytes: Buffer.concat(chunks) };
}

/** `HTTP 503 INSUFFICIENT_REPLICAS` from a `{ code, message }` body, else the status and the start of the body. */
function errorKind(status: number, bytes: Buffer): string {
  try {
    const e = JSON.parse(bytes.toString()) as { code?: string; message?: string };
    if (e.code) return `HTTP ${status} ${e.code}: ${(e.message ?? '').slice(0, 100)}`;
  } catch {
    // not JSON
  }
  return `HTTP ${status} ${bytes.toString().slice(0, 80)}`;
}

function thrownKind(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: string }).code;
    return `${err.name}${code ? ` ${code}` : ''}: ${err.message.slice(0, 100)}`;
  }
  return String(err);
}

/** CPU seconds of every node, both views. */
export interface CpuProbe {
  read(): Promise<{ process: number; cgroup: number | undefined }>;
  cgroupNote: string;
}

export async function cgroupFile(fullId: string): Promise<{ path: string; unit: 'ns' | 'usec-stat' } | undefined> {
  const candidates: { path: string; unit: 'ns' | 'usec-stat' }[] = [
    { path: `/sys/fs/cgroup/cpu,cpuacct/docker/${fullId}/cpuacct.usage`, unit: 'ns' },
    { path: `/sys/fs/cgroup/cpuacct/docker/${fullId}/cpuacct.usage`, unit: 'ns' },
    { path: `/sys/fs/cgroup/system.slice/docker-${fullId}.scope/cpu.stat`, unit: 'usec-stat' },
    { path: `/sys/fs/cgroup/docker/${fullId}/cpu.stat`, unit: 'usec-stat' },
  ];
  for (const c of candidates) {
    try {
      await access(c.path);
      return c;
    } catch {
      // next
    }
  }
  return undefined;
}

export async function cgroupSeconds(f: { path: string; unit: 'ns' | 'usec-stat' }): Promise<number> {
  const text = await readFile(f.path, 'utf8');
  if (f.unit === 'ns') return Number(text.trim()) / 1e9;
  return Number(/usage_usec\s+(\d+)/.exec(text)?.[1] ?? Number.NaN) / 1e6;
}

export async function cpuProbe(containers: string[], metricsUrls: string[], processCpu?: (agent: Agent) => Promise<number>, agent?: Agent): Promise<CpuProbe> {
  const fullIds = containers.length ? (await docker(['inspect', '-f', '{{.Id}}', ...containers])).split('\n') : [];
  const files = await Promise.all(fullIds.map(cgroupFile));
  const allFiles = files.every((f) => f !== undefined) && files.length > 0;
  const metricsAgent = agent ?? newAgent();
  return {
    cgroupNote: allFiles ? files[0]!.path.replace(fullIds[0]!, '<id>') : 'no cgroup CPU file found for every container',
    async read() {
      const [procs, groups] = await Promise.all([
        processCpu
          ? processCpu(metricsAgent)
          : Promise.all(
              metricsUrls.map(async (u) => {
                const r = await call(metricsAgent, `${u}/metrics`);
                const m = /^process_cpu_seconds_total(?:\{[^}]*\})?\s+(\S+)/m.exec(r.bytes.toString());
                if (r.status !== 200 || !m) throw new Error(`${u}/metrics: status ${r.status}, no process_cpu_seconds_total`);
                return Number(m[1]);
              }),
            ).then((xs) => xs.reduce((a, b) => a + b, 0)),
        allFiles ? Promise.all(files.map((f) => cgroupSeconds(f!))).then((xs) => xs.reduce((a, b) => a + b, 0)) : Promise.resolve(undefined),
      ]);
      return { process: procs, cgroup: groups };
    },
  };
}

/**
 * Runs `total` operations from {@link CLIENTS} concurrent clients (each takes the next index);
 * `op` returns an error kind or undefined. Latency per op, CPU before/after from `cpu`.
 */
async function runPhase(total: number, cpu: CpuProbe, op: (j: number, client: number) => Promise<string | undefined>): Promise<Phase> {
  const lat: number[] = [];
  const errors = new Map<string, number>();
  const c0 = await cpu.read();
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      while (next < total) {
        const j = next++;
        const t = performance.now();
        let kind: string | undefined;
        try {
          kind = await op(j, client);
        } catch (err) {
          kind = thrownKind(err);
        }
        lat.push(performance.now() - t);
        if (kind !== undefined) errors.set(kind, (errors.get(kind) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const u1 = process.cpuUsage(u0);
  const c1 = await cpu.read();
  return {
    ops: total,
    seconds,
    lat,
    errors,
    cpuProcess: c1.process - c0.process,
    cpuCgroup: c0.cgroup === undefined || c1.cgroup === undefined ? undefined : c1.cgroup - c0.cgroup,
    cpuClient: (u1.user + u1.system) / 1e6,
  };
}

export function describe(p: Phase, unit: string, cgroupOnly = false): string {
  const perOp = (s: number): string => `${((1000 * s) / p.ops).toFixed(2)} ms`;
  const cpu = cgroupOnly
    ? `CPU ${p.cpuCgroup === undefined ? '—' : perOp(p.cpuCgroup)}/${unit} (cgroup), ${perOp(p.cpuProcess)} (process)`
    : `cluster CPU ${perOp(p.cpuProcess)}/${unit} (Σ process_cpu_seconds_total, 22 nodes), ${p.cpuCgroup === undefined ? 'cgroups not readable' : `${perOp(p.cpuCgroup)} (Σ cgroup cpuacct)`}`;
  return `${(p.ops / p.seconds).toFixed(0)} ${unit}s/s, errors ${errorCount(p)}, p50 ${ms(percentile(p.lat, 50))}, p99 ${ms(percentile(p.lat, 99))}; ${cpu}`;
}

export function logErrors(what: string, p: Phase): void {
  if (p.errors.size === 0) return;
  console.error(`    ${what} errors:`);
  for (const [k, n] of [...p.errors].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.error(`      ${n} × ${k}`);
}

const FASTIFY_STORE = `
const app = require('fastify')({ logger: false });
app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 1048576 }, (_r, b, done) => done(null, b));
const store = new Map();
let n = 0;
app.get('/healthz', async () => ({ status: 'ok' }));
app.get('/cpu', async () => { const u = process.cpuUsage(); return { seconds: (u.user + u.system) / 1e6 }; });
app.post('/v1/objects', async (req, reply) => { const key = String(n++); store.set(key, req.body); reply.code(201); return { cid: key }; });
app.get('/v1/objects/:key', async (req, reply) => {
  const b = store.get(req.params.key);
  if (!b) { reply.code(404); return { code: 'NOT_FOUND', message: 'no such key' }; }
  reply.type('application/octet-stream'); return b;
});
app.listen({ host: '0.0.0.0', port: 8080 });
process.on('SIGTERM', () => process.exit(0));
`;

/** The 32-client loop against one container of a bare Fastify in-memory store (after the same warm-up rounds as the cluster's). */
export async function smallObjectsBaseline(root: string): Promise<SmallBaseline | string> {
  console.error(`· content: baseline for 4 KiB objects: bare Fastify in-memory store in one container, ${CLIENTS} clients, ${PUTS} puts then ${READS} reads (after ${WARMUP_ROUNDS} warm-up rounds)`);
  const agent = newAgent();
  try {
    return await withContainer(['--init', '-p', '127.0.0.1::8080', '-v', `${root}/node_modules:/node_modules:ro`, IMAGE, 'node', '-e', FASTIFY_STORE], async (id) => {
      const url = await hostUrl(id);
      for (let t = Date.now(); ; await sleep(200)) {
        const ok = await call(agent, `${url}/healthz`).then((r) => r.status === 200).catch(() => false);
        if (ok) break;
        if (Date.now() - t > 30_000) throw new Error(`Fastify store did not answer: ${(await docker(['logs', '--tail', '5', id]).catch(() => '')).slice(0, 200)}`);
      }
      const cpu = await cpuProbe([id], [], async (a) => (JSON.parse((await call(a, `${url}/cpu`)).bytes.toString()) as { seconds: number }).seconds, agent);
      await Promise.all(Array.from({ length: CLIENTS }, () => call(agent, `${url}/healthz`)));
      const storeRound = async (): Promise<SmallBaseline> => {
        const objects = Array.from({ length: PUTS }, () => randomBytes(SIZE));
        const sums = objects.map(sha);
        const keys = new Array<string | undefined>(PUTS);
        const put = await runPhase(PUTS, cpu, async (j) => {
          const r = await call(agent, `${url}/v1/objects`, objects[j]!);
          if (r.status !== 201) return errorKind(r.status, r.bytes);
          keys[j] = (JSON.parse(r.bytes.toString()) as { cid: string }).cid;
          return undefined;
        });
        const stored = keys.flatMap((k, j) => (k === undefined ? [] : [j]));
        if (stored.length === 0) throw new Error('no put succeeded');
        const read = await runPhase(READS, cpu, async (j) => {
          const k = stored[j % stored.length]!;
          const r = await call(agent, `${url}/v1/objects/${keys[k]}`);
          if (r.status !== 200) return errorKind(r.status, r.bytes);
          return sha(r.bytes) === sums[k] ? undefined : `wrong bytes (${r.bytes.length})`;
        });
        console.error(`    baseline put: ${describe(put, 'put', true)}; client CPU ${((1000 * put.cpuClient) / put.ops).toFixed(2)} ms/put`);
        console.error(`    baseline read: ${describe(read, 'read', true)}; client CPU ${((1000 * read.cpuClient) / read.ops).toFixed(2)} ms/read`);
        return { put, read };
      };
      for (let w = 0; w < WARMUP_ROUNDS; w++) await storeRound();
      return await storeRound();
    });
  } catch (err) {
    return `Fastify store baseline not measured: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300);
  } finally {
    await agent.close();
  }
}

interface Located {
  blocks: { replicas: string[]; holders: string[] }[];
}

/** What {@link putPhase} did: the phase's figures, and per object its sha256, CID and writer (undefined if it failed). */
export interface PutResult {
  put: Phase;
  sums: string[];
  cids: (string | undefined)[];
  writers: (SmallNode | undefined)[];
}

/**
 * The put phase: `count` distinct random 4 KiB objects from {@link CLIENTS} clients, client i
 * putting through `peers[i mod peers.length]` over `agent`'s keep-alive connections.
 */
export async function putPhase(peers: SmallNode[], agent: Agent, cpu: CpuProbe, count: number): Promise<PutResult> {
  const objects = Array.from({ length: count }, () => randomBytes(SIZE));
  const sums = objects.map(sha);
  const cids = new Array<string | undefined>(count);
  const writers = new Array<SmallNode | undefined>(count);
  const put = await runPhase(count, cpu, async (j, client) => {
    const writer = peers[client % peers.length]!;
    const r = await call(agent, `${writer.url}/v1/objects`, objects[j]!);
    if (r.status !== 201) return errorKind(r.status, r.bytes);
    cids[j] = (JSON.parse(r.bytes.toString()) as { cid: string }).cid;
    writers[j] = writer;
    return undefined;
  });
  return { put, sums, cids, writers };
}

/** The figure itself, on the running cluster (all 20 peers live). */
export async function smallObjects(nodes: SmallNode[], baseline: SmallBaseline | string, push: (r: Row) => void): Promise<void> {
  const peers = nodes.filter((n) => n.service === 'peer');
  const agent = newAgent();
  try {
    const cpu = await cpuProbe(
      nodes.map((n) => n.container),
      nodes.map((n) => n.url),
      undefined,
      agent,
    );
    console.error(`    CPU views: process_cpu_seconds_total of ${nodes.length} nodes; cgroups: ${cpu.cgroupNote}`);
    // Connections open before timing: one per client to its peer.
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => call(agent, `${peers[i % peers.length]!.url}/v1/status`)));

    // Idle CPU of the cluster (gossip, healthchecks) over 5 s, to read the per-op figures against.
    const i0 = await cpu.read();
    await sleep(5_000);
    const i1 = await cpu.read();
    const idleProcess = (i1.process - i0.process) / 5;
    const idleCgroup = i0.cgroup === undefined || i1.cgroup === undefined ? undefined : (i1.cgroup - i0.cgroup) / 5;
    const idle = `${idleProcess.toFixed(2)} cores (process)${idleCgroup === undefined ? '' : `, ${idleCgroup.toFixed(2)} (cgroups)`}`;
    console.error(`    cluster idle, 5 s just before the puts: ${idle}`);
    /** The phase's CPU per op less what the idle cluster would have burnt over the same seconds. */
    const net = (p: Phase, unit: string): string => {
      const per = (s: number): string => `${((1000 * s) / p.ops).toFixed(2)} ms`;
      const cg = idleCgroup === undefined || p.cpuCgroup === undefined ? '' : `, ${per(p.cpuCgroup - idleCgroup * p.seconds)} (cgroups)`;
      return `net of the idle cluster (${idle}): ${per(p.cpuProcess - idleProcess * p.seconds)}/${unit} (process)${cg}`;
    };

    // Unloaded latency: one client, sequential puts to peer 0, then reads of them from non-holders.
    const lone = { put: [] as number[], read: [] as number[] };
    const loneCids: string[] = [];
    for (let i = 0; i < LONE; i++) {
      const t = performance.now();
      const r = await call(agent, `${peers[i % peers.length]!.url}/v1/objects`, randomBytes(SIZE));
      if (r.status === 201) {
        lone.put.push(performance.now() - t);
        loneCids.push((JSON.parse(r.bytes.toString()) as { cid: string }).cid);
      }
    }
    for (let i = 0; i < loneCids.length; i++) {
      const where = await call(agent, `${peers[(i + 5) % peers.length]!.url}/v1/objects/${loneCids[i]}/replicas`);
      const located = JSON.parse(where.bytes.toString()) as Located;
      const held = new Set([peers[i % peers.length]!.id, ...located.blocks.flatMap((b) => [...b.replicas, ...b.holders])]);
      const cands = peers.filter((p) => !held.has(p.id));
      const reader = cands[i % cands.length]!;
      const t = performance.now();
      const r = await call(agent, `${reader.url}/v1/objects/${loneCids[i]}`);
      if (r.status === 200) lone.read.push(performance.now() - t);
    }
    const loneText = (xs: number[], what: string): string =>
      xs.length ? `lone ${what} (1 client, sequential, ${xs.length}): p50 ${ms(percentile(xs, 50))}, p99 ${ms(percentile(xs, 99))}` : `lone ${what}: none succeeded`;
    console.error(`    ${loneText(lone.put, 'put')}; ${loneText(lone.read, 'read')}`);

    const baseText = (p: Phase | undefined, unit: string, loneXs: number[]): string =>
      typeof baseline === 'string' || p === undefined
        ? `${typeof baseline === 'string' ? baseline : ''}; ${loneText(loneXs, unit)}`
        : `bare Fastify in-memory store, 1 container, same ${CLIENTS} clients: ${describe(p, unit, true)}; ${loneText(loneXs, unit)} to the cluster`;
    const ratio = (ours: Phase, p: Phase | undefined): string => {
      if (p === undefined) return '—';
      const cpuRatio = p.cpuCgroup && ours.cpuCgroup !== undefined ? `, ${(ours.cpuCgroup / ours.ops / (p.cpuCgroup / p.ops)).toFixed(1)}× CPU/op (cgroups)` : '';
      return `${(ours.ops / ours.seconds / (p.ops / p.seconds)).toFixed(3)}× ops/s${cpuRatio}`;
    };

    /** One round: PUTS new objects, then READS reads of them, each through a peer that does not hold it. */
    const round = async (label: string): Promise<{ put: Phase; read: Phase; stored: number; minNon: number }> => {
      console.error(`· content (${label}): ${PUTS} × 4 KiB puts from ${CLIENTS} clients over ${peers.length} peers`);
      const { put, sums, cids, writers } = await putPhase(peers, agent, cpu, PUTS);
      logErrors('put', put);
      console.error(`    put: ${describe(put, 'put')}; ${net(put, 'put')}; client CPU ${((1000 * put.cpuClient) / put.ops).toFixed(2)} ms/put; ${put.seconds.toFixed(1)} s`);
      // Where each stored object is, untimed; its non-holders read it round-robin.
      const stored = cids.flatMap((c, j) => (c === undefined ? [] : [j]));
      if (stored.length === 0) throw new Error('no put succeeded, nothing to read');
      const t0 = performance.now();
      const nonHolders = await mapLimit(stored, 8, async (j, k) => {
        const r = await call(agent, `${peers[(k + 3) % peers.length]!.url}/v1/objects/${cids[j]}/replicas`);
        if (r.status !== 200) throw new Error(`replicas of ${cids[j]}: ${errorKind(r.status, r.bytes)}`);
        const located = JSON.parse(r.bytes.toString()) as Located;
        const held = new Set([writers[j]!.id, ...located.blocks.flatMap((b) => [...b.replicas, ...b.holders])]);
        const out = peers.filter((p) => !held.has(p.id));
        if (out.length === 0) throw new Error(`every peer holds ${cids[j]}`);
        return out;
      });
      const minNon = Math.min(...nonHolders.map((x) => x.length));
      console.error(`    located ${stored.length} objects in ${((performance.now() - t0) / 1000).toFixed(1)} s; fewest non-holders ${minNon}`);
      // Read phase: read j is of object j mod n, through its (k + round)-th non-holder.
      console.error(`· content (${label}): ${READS} × 4 KiB reads from ${CLIENTS} clients, each through a non-holder`);
      const read = await runPhase(READS, cpu, async (j) => {
        const k = j % stored.length;
        const cands = nonHolders[k]!;
        const reader = cands[(k + Math.floor(j / stored.length)) % cands.length]!;
        const r = await call(agent, `${reader.url}/v1/objects/${cids[stored[k]!]}`);
        if (r.status !== 200) return errorKind(r.status, r.bytes);
        return sha(r.bytes) === sums[stored[k]!] ? undefined : `wrong bytes (${r.bytes.length} bytes)`;
      });
      logErrors('read', read);
      console.error(`    read: ${describe(read, 'read')}; ${net(read, 'read')}; client CPU ${((1000 * read.cpuClient) / read.ops).toFixed(2)} ms/read; ${read.seconds.toFixed(1)} s`);
      return { put, read, stored: stored.length, minNon };
    };

    // Warm-up rounds (WARMUP_ROUNDS), then the measured one; the first round's figures go beside it.
    let first: { put: Phase; read: Phase } | undefined;
    for (let w = 0; w < WARMUP_ROUNDS; w++) {
      const r = await round(`warm-up round ${w + 1} of ${WARMUP_ROUNDS}`);
      first ??= r;
    }
    const { put, read, stored, minNon } = await round(WARMUP_ROUNDS > 0 ? 'measured round' : 'the only round');
    const warm = WARMUP_ROUNDS > 0 ? `, after ${WARMUP_ROUNDS} warm-up round${WARMUP_ROUNDS > 1 ? 's' : ''} of the same puts and reads` : '';
    const cold = (p: Phase | undefined, unit: string): string => (p === undefined ? '' : `; the first round after start (cold code): ${describe(p, unit)}; ${net(p, unit)}`);
    const basePut = typeof baseline === 'string' ? undefined : baseline.put;
    push({
      figure: `4 KiB puts: ${PUTS} distinct random objects from ${CLIENTS} clients over ${peers.length} peers (client i → peer i mod ${peers.length}, keep-alive), r = 3, w = 2${warm}`,
      ours: `${describe(put, 'put')}; ${net(put, 'put')}${cold(first?.put, 'put')}`,
      baseline: baseText(basePut, 'put', lone.put),
      ratio: ratio(put, basePut),
      target: '≥ 200 puts/s, 0 errors',
    });
    const rounds = READS / stored;
    const baseRead = typeof baseline === 'string' ? undefined : baseline.read;
    push({
      figure:
        `4 KiB reads: ${READS} of the ${stored} objects (${rounds.toFixed(1)} each, every read through a different peer that is not writer, replica or holder; ` +
        `${minNon}+ such peers per object), ${CLIENTS} clients, sha256 checked${warm}`,
      ours: `${describe(read, 'read')}; ${net(read, 'read')}${cold(first?.read, 'read')}`,
      baseline: baseText(baseRead, 'read', lone.read),
      ratio: ratio(read, baseRead),
      target: '≥ 1 000 reads/s, 0 errors',
    });
  } finally {
    await agent.close();
  }
}

