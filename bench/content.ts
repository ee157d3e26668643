// Content figures for `npm run bench` (section `content`), each beside a baseline measured in the
// same run:
//   1. put / get of a 200 MiB random file (BENCH_CONTENT_MIB) through one peer of 20, against raw
//      TCP on loopback;
//   2. 1 KiB GET from a peer that does not hold the object, against js-libp2p kad-dht `get`;
//   3. 4 KiB objects from 32 concurrent clients over all 20 peers: puts, then reads through
//      non-holders, with ops/s, errors, latency and cluster CPU per op (bench/small-objects.ts),
//      against the same client loop on a bare Fastify in-memory store in one container;
//   4. seconds to restore r = 3 holders of every block of a 20 MiB file after SIGKILL of a holder;
//   5. Jepsen-style: acknowledged puts lost or read back wrong while r − 1 peers are SIGKILLed;
//   and, with the baselines (no cluster): the CPU of one content call over the Calls stream against
//   a unary call (bench/probe-cost.ts).
// The baselines run first, before the cluster exists, so they never share the CPU with it; then one
// 20-peer cluster (plus the Compose file's 2 supernodes) serves 1 to 5 in that order (the holder
// killed in 4 is restarted before 5). Every row is pushed as soon as it is measured. Everything
// started is removed in `finally`, and on SIGINT/SIGTERM too.
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { cleanupOnSignal, composeDown, composeDownSync, docker, hostUrl, mapLimit, median, percentile, type Row } from './docker.ts';
import { kadDhtFigures, type DhtFigures } from './kad-dht.ts';
import { loopbackTcpMBps } from './loopback.ts';
import { contentCallCostRows } from './probe-cost.ts';
import { smallObjects, smallObjectsBaseline, type SmallBaseline } from './small-objects.ts';
import { localAuth } from '../tests/e2e/support/local-token.ts';

const MiB = 1024 * 1024;
const PEERS = 20;
const R = 3;
const SMALL_OBJECTS = Number(process.env.BENCH_SMALL_OBJECTS ?? 200);
/** Size of figure 1's file, in MiB. */
const CONTENT_MIB = Number(process.env.BENCH_CONTENT_MIB ?? 200);
const JEPSEN_PUTS = Number(process.env.BENCH_JEPSEN_PUTS ?? 1000);

interface Node {
  container: string;
  service: 'peer' | 'supernode';
  url: string;
  id: string;
}

interface Located {
  cid: string;
  blocks: { cid: string; replicas: string[]; holders: string[] }[];
}

/** Keep-alive connections to every node; one per section run, closed at its end. */
let agent = new Agent();

interface Reply {
  status: number;
  bytes: Buffer;
}

async function http(url: string, init: { method?: 'GET' | 'POST' | 'DELETE'; body?: Buffer; timeoutMs?: number } = {}): Promise<Reply> {
  const res = await request(url, {
    dispatcher: agent,
    method: init.method ?? 'GET',
    ...(init.body ? { body: init.body } : {}),
    headers: {
      ...(init.body ? { 'content-type': 'application/octet-stream' } : {}),
      // Writes carry the local cluster's token (Compose nodes take writes only with it).
      ...(init.method !== undefined && init.method !== 'GET' ? localAuth() : {}),
    },
    signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
  });
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(c as Buffer);
  return { status: res.statusCode, bytes: Buffer.concat(chunks) };
}

async function json<T>(url: string, timeoutMs = 30_000): Promise<T> {
  const r = await http(url, { timeoutMs });
  if (r.status !== 200) throw new Error(`${url} → ${r.status} ${r.bytes.toString().slice(0, 200)}`);
  return JSON.parse(r.bytes.toString()) as T;
}

async function put(node: Node, body: Buffer, timeoutMs: number): Promise<string> {
  const r = await http(`${node.url}/v1/objects`, { method: 'POST', body, timeoutMs });
  if (r.status !== 201) throw new Error(`put to ${node.container.slice(0, 12)} → ${r.status} ${r.bytes.toString().slice(0, 200)}`);
  return (JSON.parse(r.bytes.toString()) as { cid: string }).cid;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


class Cluster {
  readonly project = `pwbench-content-${process.pid}`;
  readonly compose: string[];
  nodes: Node[] = [];
  readonly dead = new Set<string>();
  constructor(root: string) {
    this.compose = ['compose', '-p', this.project, '-f', `${root}/docker-compose.yml`];
  }
  peers(): Node[] {
    return this.nodes.filter((n) => n.service === 'peer');
  }
  live(): Node[] {
    return this.peers().filter((n) => !this.dead.has(n.container));
  }
  async up(): Promise<number> {
    const t0 = Date.now();
    await docker([...this.compose, 'up', '-d', '--scale', `peer=${PEERS}`, '--wait', '--wait-timeout', '300'], 330_000);
    for (const service of ['peer', 'supernode'] as const) {
      const ids = (await docker([...this.compose, 'ps', '-q', service])).split('\n').filter(Boolean);
      for (const container of ids) this.nodes.push({ container, service, url: await hostUrl(container), id: '' });
    }
    await Promise.all(this.nodes.map(async (n) => (n.id = (await json<{ id: string }>(`${n.url}/v1/status`)).id)));
    await this.converged(120_000);
    return (Date.now() - t0) / 1000;
  }
  /** Until every live node lists every other live node alive. */
  async converged(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const live = this.nodes.filter((n) => !this.dead.has(n.container));
    for (;;) {
      const views = await Promise.all(live.map((n) => json<{ peers: { id: string; state: string }[] }>(`${n.url}/v1/peers`, 5_000).catch(() => undefined)));
      const ok = views.every((v, i) => v !== undefined && live.every((o) => o === live[i] || v.peers.some((p) => p.id === o.id && p.state === 'alive')));
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`cluster did not converge in ${timeoutMs} ms`);
      await sleep(500);
    }
  }
  async kill(n: Node): Promise<void> {
    this.dead.add(n.container);
    await docker(['kill', '-s', 'KILL', n.container]);
  }
  async restart(n: Node): Promise<void> {
    await docker(['start', n.container]);
    n.url = await hostUrl(n.container);
    this.dead.delete(n.container);
    await this.converged(120_000);
  }
  down(): Promise<void> {
    return composeDown(this.compose);
  }
  downSync(): void {
    composeDownSync(this.compose);
  }
}


const mbps = (x: number): string => `${x.toFixed(0)} MB/s`;
const ms = (x: number): string => (x < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(0)} ms`);
const failed = (err: unknown): string => `failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300);

export async function contentSection(root: string, runs: number, push: (r: Row) => void): Promise<void> {
  const t0 = Date.now();
  agent = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 120_000, connections: 32, headersTimeout: 0, bodyTimeout: 0 });
  // Baselines first, on an idle machine.
  console.error('· content: raw TCP on loopback (2 processes, 256 KiB writes)');
  const tcp: number[] = [];
  for (let i = 0; i < runs; i++) tcp.push(await loopbackTcpMBps(100 * MiB));
  const tcpMBps = median(tcp);
  console.error(`· content: js-libp2p kad-dht, ${PEERS} nodes in their own processes, ${SMALL_OBJECTS} gets of 1 KiB`);
  let dht: DhtFigures | string;
  try {
    dht = await kadDhtFigures(PEERS, SMALL_OBJECTS);
    if (dht.tableMin < PEERS - 1) console.error(`    kad-dht: smallest routing table ${dht.tableMin} of ${PEERS - 1}`);
  } catch (err) {
    dht = `not measured: ${err instanceof Error ? err.message : String(err)}`;
  }
  const smallBase: SmallBaseline | string = await smallObjectsBaseline(root);
  await contentCallCostRows(push).catch((err: unknown) => {
    push({ figure: 'CPU per content call, Calls stream vs unary', ours: failed(err), baseline: '—', ratio: '—', target: 'well below the unary call' });
  });

  const cluster = new Cluster(root);
  const stopListening = cleanupOnSignal(() => cluster.downSync());
  try {
    console.error(`· content: cluster of ${PEERS} peers + 2 supernodes`);
    const upSeconds = await cluster.up();
    console.error(`    up and converged in ${upSeconds.toFixed(1)} s`);
    await throughput(cluster, runs, tcpMBps, push).catch((err: unknown) => {
      process.exitCode = 1;
      push({ figure: `${CONTENT_MIB} MiB put / get through one peer`, ours: failed(err), baseline: `${mbps(tcpMBps)} raw TCP`, ratio: '—', target: '—' });
    });
    await smallGets(cluster, dht, push).catch((err: unknown) => {
      process.exitCode = 1;
      push({ figure: '1 KiB GET from a non-holder', ours: failed(err), baseline: '—', ratio: '—', target: '≤ 0.1× of kad-dht p50' });
    });
    await smallObjects(cluster.nodes, smallBase, push).catch((err: unknown) => {
      process.exitCode = 1;
      push({ figure: '4 KiB objects from 32 clients over 20 peers', ours: failed(err), baseline: typeof smallBase === 'string' ? smallBase : '—', ratio: '—', target: '≥ 200 puts/s, ≥ 1 000 reads/s, 0 errors' });
    });
    await repair(cluster, push).catch((err: unknown) => {
      process.exitCode = 1;
      push({ figure: 'SIGKILL of a holder → r replicas restored', ours: failed(err), baseline: '—', ratio: '—', target: '≤ 30 s' });
    });
    await jepsen(cluster, push).catch((err: unknown) => {
      process.exitCode = 1;
      push({ figure: 'Jepsen-style puts while r − 1 peers are SIGKILLed', ours: failed(err), baseline: '—', ratio: '—', target: '0 and 0' });
    });
  } finally {
    stopListening();
    await cluster.down();
    await agent.close();
    console.error(`    content section: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
}

/** Figure 1: MB/s of a CONTENT_MIB POST to one peer and of its first GET from another peer. */
async function throughput(cluster: Cluster, runs: number, tcpMBps: number, push: (r: Row) => void): Promise<void> {
  console.error(`· content: ${CONTENT_MIB} MiB put and first get`);
  const size = CONTENT_MIB * MiB;
  const putMBps: number[] = [];
  const getMBps: number[] = [];
  const held: string[] = [];
  const readers = new Set<string>();
  const peers = cluster.peers();
  for (let run = 0; run < runs; run++) {
    const file = randomBytes(size);
    const writer = peers[(run * 7) % peers.length]!;
    let t = performance.now();
    const cid = await put(writer, file, 300_000);
    putMBps.push(size / 1e6 / ((performance.now() - t) / 1000));
    // The reader: a peer that has not read anything of these files yet and holds the fewest blocks
    // of this one (every node holds ~r/N of an 800-block file, so "none" is not to be had).
    const where = await json<Located>(`${peers[(run * 7 + 1) % peers.length]!.url}/v1/objects/${cid}/replicas`, 60_000);
    const count = (id: string): number => where.blocks.filter((b) => b.holders.includes(id) || b.replicas.includes(id)).length;
    const reader = peers.filter((p) => p !== writer && !readers.has(p.container)).sort((a, b) => count(a.id) - count(b.id))[0]!;
    readers.add(reader.container);
    held.push(`${count(reader.id)}/${where.blocks.length}`);
    t = performance.now();
    const res = await request(`${reader.url}/v1/objects/${cid}`, { dispatcher: agent, signal: AbortSignal.timeout(300_000) });
    const h = createHash('sha256');
    let got = 0;
    for await (const c of res.body) {
      h.update(c as Buffer);
      got += (c as Buffer).length;
    }
    const seconds = (performance.now() - t) / 1000;
    if (res.statusCode !== 200 || got !== size || h.digest('hex') !== sha(file)) throw new Error(`get of ${cid}: status ${res.statusCode}, ${got} bytes, or wrong bytes`);
    getMBps.push(size / 1e6 / seconds);
    console.error(`    run ${run + 1}: put ${mbps(putMBps.at(-1)!)}, get ${mbps(getMBps.at(-1)!)} (reader held ${held.at(-1)} blocks), tcp ${mbps(tcpMBps)}`);
  }
  const p = median(putMBps);
  const g = median(getMBps);
  push({
    figure: `put of a ${CONTENT_MIB} MiB random file to one peer (${PEERS} peers, r = ${R}, w = 2)`,
    ours: mbps(p),
    baseline: `${mbps(tcpMBps)} raw TCP on loopback (2 Node processes, 256 KiB writes)`,
    ratio: `${(p / tcpMBps).toFixed(3)}×`,
    target: '—',
  });
  push({
    figure: `get of it from another peer, first read (reader held ${held.join(', ')} blocks)`,
    ours: mbps(g),
    baseline: `${mbps(tcpMBps)} raw TCP on loopback`,
    ratio: `${(g / tcpMBps).toFixed(3)}×`,
    target: '≥ 0.5× (download, transfer issue)',
  });
}

/** Figure 2: p50 / p99 of a 1 KiB GET through a peer that does not hold the object. */
async function smallGets(cluster: Cluster, dht: DhtFigures | string, push: (r: Row) => void): Promise<void> {
  console.error(`· content: ${SMALL_OBJECTS} × 1 KiB GET from a non-holder`);
  const peers = cluster.peers();
  const objects = Array.from({ length: SMALL_OBJECTS }, () => randomBytes(1024));
  const writers = objects.map((_, i) => peers[i % peers.length]!);
  const cids = await mapLimit(objects, 4, (o, i) => put(writers[i]!, o, 30_000));
  const holders = await mapLimit(cids, 4, async (cid, i) => {
    const where = await json<Located>(`${peers[(i + 3) % peers.length]!.url}/v1/objects/${cid}/replicas`, 30_000);
    return new Set([writers[i]!.id, ...where.blocks.flatMap((b) => [...b.replicas, ...b.holders])]);
  });
  // Connections open (keep-alive) to every peer before timing anything.
  await Promise.all(peers.map((p) => json(`${p.url}/v1/status`)));
  const lat: number[] = [];
  for (let i = 0; i < cids.length; i++) {
    const candidates = peers.filter((p) => !holders[i]!.has(p.id));
    const reader = candidates[i % candidates.length]!;
    const t = performance.now();
    const r = await http(`${reader.url}/v1/objects/${cids[i]}`, { timeoutMs: 30_000 });
    lat.push(performance.now() - t);
    if (r.status !== 200 || !r.bytes.equals(objects[i]!)) throw new Error(`GET ${cids[i]} from a non-holder: ${r.status}, ${r.bytes.length} bytes`);
  }
  const p50 = percentile(lat, 50);
  const p99 = percentile(lat, 99);
  const base =
    typeof dht === 'string'
      ? { text: dht, ratio: '—' }
      : {
          text:
            `kad-dht get p50 ${ms(percentile(dht.getMs, 50))}, p99 ${ms(percentile(dht.getMs, 99))} ` +
            `(${dht.getMs.length} gets, ${PEERS} processes, k = 20, ${percentile(dht.rpcs, 50)} GET_VALUE/get${dht.wrong ? `, ${dht.wrong} wrong` : ''})`,
          ratio: `${(p50 / percentile(dht.getMs, 50)).toFixed(3)}× (p50)`,
        };
  push({
    figure: `1 KiB GET from a peer that does not hold it (${lat.length} objects, each read once, keep-alive)`,
    ours: `p50 ${ms(p50)}, p99 ${ms(p99)}`,
    baseline: base.text,
    ratio: base.ratio,
    target: '≤ 0.1× of kad-dht p50',
  });
}

/** Figure 4: seconds from SIGKILL of a holder of a 20 MiB file's root until every block is on r live nodes. */
async function repair(cluster: Cluster, push: (r: Row) => void): Promise<void> {
  console.error('· content: 20 MiB file, SIGKILL of a holder, until r replicas again');
  const peers = cluster.live();
  const file = randomBytes(20 * MiB);
  const cid = await put(peers[5]!, file, 120_000);
  const observer = peers[6]!;
  // Writes are acknowledged at w = 2: let the third copies land before killing anything.
  let before = await json<Located>(`${observer.url}/v1/objects/${cid}/replicas`, 60_000);
  for (let t = Date.now(); !before.blocks.every((b) => b.holders.length >= R) && Date.now() - t < 30_000; ) {
    await sleep(500);
    before = await json<Located>(`${observer.url}/v1/objects/${cid}/replicas`, 60_000);
  }
  const rootBlock = before.blocks.find((b) => b.cid === cid) ?? before.blocks[0]!;
  const victim = cluster.nodes.find((n) => n !== observer && !cluster.dead.has(n.container) && rootBlock.holders.includes(n.id));
  if (!victim) throw new Error(`no live holder of the root block other than the observer (holders ${rootBlock.holders.length})`);
  const killedAt = Date.now();
  await cluster.kill(victim);
  // Until the deaths are noticed a /replicas answer waits for the dead node's deadline, so polls
  // overlap: a new one starts every 250 ms (at most 8 in flight); the time is the first answer
  // that shows every block on r live nodes.
  let seconds = Number.NaN;
  let polls = 0;
  let inFlight = 0;
  const restored = (v: Located | undefined): boolean =>
    v?.blocks.length === before.blocks.length && v.blocks.every((b) => b.holders.filter((h) => h !== victim.id).length >= R);
  while (Number.isNaN(seconds) && Date.now() - killedAt < 180_000) {
    if (inFlight < 8) {
      polls++;
      inFlight++;
      void json<Located>(`${observer.url}/v1/objects/${cid}/replicas`, 20_000)
        .catch(() => undefined)
        .then((v) => {
          inFlight--;
          if (restored(v) && Number.isNaN(seconds)) seconds = (Date.now() - killedAt) / 1000;
        });
    }
    await sleep(250);
  }
  while (inFlight > 0) await sleep(50);
  const floorMs = 4 * Math.log10(PEERS) * 400;
  push({
    figure: `SIGKILL of a holder of a 20 MiB file's root (${before.blocks.length} blocks) → every block on ≥ ${R} live nodes`,
    ours: Number.isNaN(seconds) ? '> 180 s (not restored)' : `${seconds.toFixed(1)} s (${polls} polls of /replicas)`,
    baseline: `${(floorMs / 1000).toFixed(2)} s minimum suspicion timeout (detection not measured separately)`,
    ratio: Number.isNaN(seconds) ? '—' : `${(seconds / (floorMs / 1000)).toFixed(1)}×`,
    target: '≤ 30 s',
  });
  // Back to 20 live peers for the next figure.
  await cluster.restart(victim);
}

/** Figure 5: acknowledged small puts lost or wrong when r − 1 peers die mid-run. */
async function jepsen(cluster: Cluster, push: (r: Row) => void): Promise<void> {
  const total = JEPSEN_PUTS;
  const killAfter = Math.round(total * 0.3);
  console.error(`· content: Jepsen-style, ${total} puts (1–16 KiB), ${R - 1} peers SIGKILLed after ${killAfter}`);
  const objects = Array.from({ length: total }, () => randomBytes(1024 + Math.floor(Math.random() * 15 * 1024) + 1));
  const acked = new Map<number, string>();
  let errors = 0;
  let deadlines = 0;
  let next = 0;
  let kills: Promise<void> | undefined;
  let killedAt = 0;
  const putMs: { before: number[]; after: number[] } = { before: [], after: [] };
  const victims = [...cluster.live()].sort(() => Math.random() - 0.5).slice(0, R - 1);
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < total) {
        const i = next++;
        if (i === killAfter) {
          killedAt = Date.now();
          kills = Promise.all(victims.map((v) => cluster.kill(v))).then(() => undefined);
        }
        const live = cluster.live();
        const target = live[Math.floor(Math.random() * live.length)]!;
        const t = performance.now();
        try {
          acked.set(i, await put(target, objects[i]!, 15_000));
          (i < killAfter ? putMs.before : putMs.after).push(performance.now() - t);
        } catch (err) {
          if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) deadlines++;
          else errors++;
        }
      }
    }),
  );
  await kills;
  const putSeconds = (Date.now() - t0) / 1000;
  const at = (xs: number[], p: number): string => (xs.length ? ms(percentile(xs, p)) : '—');
  console.error(
    `    puts: ${putSeconds.toFixed(0)} s, kill at ${((killedAt - t0) / 1000).toFixed(0)} s; acknowledged put p50 ${at(putMs.before, 50)} before the kill, ` +
      `${at(putMs.after, 50)} after (p99 ${at(putMs.after, 99)})`,
  );
  // Read every acknowledged object back from a live peer; "lost" only if two different live peers fail.
  let lost = 0;
  let wrong = 0;
  const lostCids: string[] = [];
  await mapLimit([...acked], 4, async ([i, cid]) => {
    const live = cluster.live();
    const first = Math.floor(Math.random() * live.length);
    for (const k of [0, 1]) {
      const r = await http(`${live[(first + k * 7) % live.length]!.url}/v1/objects/${cid}`, { timeoutMs: 30_000 }).catch(() => undefined);
      if (r?.status === 200) {
        if (sha(r.bytes) !== sha(objects[i]!)) wrong++;
        return;
      }
    }
    lost++;
    lostCids.push(cid);
  });
  if (lostCids.length) console.error(`    lost: ${lostCids.slice(0, 5).join(', ')}${lostCids.length > 5 ? ', …' : ''}`);
  push({
    figure: `Jepsen-style: ${total} puts of 1–16 KiB to random live peers (4 in flight, 15 s deadline), ${R - 1} peers SIGKILLed after ${killAfter}`,
    ours: `lost ${lost} / wrong ${wrong} of ${acked.size} acknowledged`,
    baseline: `${total - acked.size} not acknowledged (${deadlines} past the deadline, ${errors} errors); puts took ${putSeconds.toFixed(0)} s, kill at ${((killedAt - t0) / 1000).toFixed(0)} s`,
    ratio: '—',
    target: '0 and 0',
  });
}
