// Section `monitoring` of `npm run bench` (issue #13): what scraping costs, with the Compose profile
// `monitoring` up (20 peers + 2 supernodes + Prometheus scraping all 22 every 5 s,
// deploy/prometheus/). Each figure beside a baseline of the same run:
//   1. GET /metrics latency, p50 and p99 over every node (BENCH_MONITORING_REQUESTS sequential
//      requests per node on a keep-alive connection, while Prometheus scrapes as usual), against
//      GET /healthz of the same nodes interleaved with them: the price of building the exposition;
//   2. bytes and series per node of that exposition, against its prom-client process/nodejs part
//      (what any Node service with default metrics exports): how much of it is Peerweave's;
//   3. node CPU per /metrics request (Δ on-CPU time of the Node process on the host, /proc
//      schedstat, over BENCH_MONITORING_CPU_REQUESTS requests, net of the node's idle rate over as
//      long), against the same for /healthz; and Prometheus's own scrape_duration_seconds;
//   4. RSS (VmRSS of the prometheus process, read on the host) of the Prometheus container after
//      BENCH_MONITORING_WARMUP_S of scraping the 22 nodes every 5 s, against an idle Prometheus of
//      the same image with no targets started at the same time; and its CPU over the same window.
// Takes about 2.5 minutes. Every container, network and volume is removed in `finally` and on
// SIGINT/SIGTERM.
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupOnSignal, composeDown, composeDownSync, docker, hostUrl, median, nodeProcessPid, percentile, procCpuSeconds, waitHealthy, type Row } from './docker.ts';

const PROMETHEUS_IMAGE = 'peerweave-prometheus:latest';
const PEERS = 20;
const NODES = PEERS + 2;
const REQUESTS = Number(process.env.BENCH_MONITORING_REQUESTS ?? 20);
const CPU_REQUESTS = Number(process.env.BENCH_MONITORING_CPU_REQUESTS ?? 200);
/** Scraping time before Prometheus's RSS is read: the head holds every series by then. */
const WARMUP_S = Number(process.env.BENCH_MONITORING_WARMUP_S ?? 60);
const KiB = 1024;
const MiB = 1024 * 1024;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const failed = (err: unknown): string => `failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300);
const ms = (s: number): string => `${(s * 1000).toFixed(2)} ms`;

/** VmRSS of a host process, in bytes. */
async function rss(pid: number): Promise<number> {
  return Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]) * KiB;
}

/** The profile `monitoring` of the repository's Compose file, under its own project name. */
class MonitoredCluster {
  readonly compose: string[];
  nodes: { container: string; url: string }[] = [];
  prometheus = '';
  prometheusContainer = '';
  constructor(root: string) {
    this.compose = ['compose', '-p', `pwbench-monitoring-${process.pid}`, '-f', `${root}/docker-compose.yml`, '--profile', 'monitoring'];
  }
  async up(): Promise<void> {
    // An ephemeral Prometheus port: a cluster of the user's may hold 9090.
    const port = process.env.PEERWEAVE_PROMETHEUS_PORT;
    process.env.PEERWEAVE_PROMETHEUS_PORT = '0';
    try {
      await docker([...this.compose, 'up', '-d', '--scale', `peer=${PEERS}`, '--wait', '--wait-timeout', '300'], 330_000);
    } finally {
      if (port === undefined) delete process.env.PEERWEAVE_PROMETHEUS_PORT;
      else process.env.PEERWEAVE_PROMETHEUS_PORT = port;
    }
    for (const service of ['peer', 'supernode']) {
      for (const container of (await docker([...this.compose, 'ps', '-q', service])).split('\n').filter(Boolean)) {
        this.nodes.push({ container, url: await hostUrl(container) });
      }
    }
    this.prometheusContainer = await docker([...this.compose, 'ps', '-q', 'prometheus']);
    this.prometheus = await hostUrl(this.prometheusContainer, 9090);
  }
  async query(promql: string): Promise<number[]> {
    const res = await fetch(`${this.prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
    return body.data.result.map((r) => Number(r.value[1]));
  }
  down(): Promise<void> {
    return composeDown(this.compose);
  }
  downSync(): void {
    composeDownSync(this.compose);
  }
}

/** A Prometheus of the same image with nothing to scrape: the RSS baseline. */
class IdlePrometheus {
  id = '';
  dir = '';
  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'pwbench-prometheus-'));
    await writeFile(join(this.dir, 'prometheus.yml'), 'global:\n  scrape_interval: 5s\n  evaluation_interval: 5s\n', { mode: 0o644 });
    await chmod(this.dir, 0o755); // Prometheus runs as nobody
    this.id = await docker(['run', '-d', '--label', 'peerweave.bench=true', '-v', `${this.dir}:/etc/prometheus:ro`, PROMETHEUS_IMAGE]);
    await waitHealthy([this.id], 60_000);
  }
  async stop(): Promise<void> {
    if (this.id) await docker(['rm', '-fv', this.id]).catch(() => '');
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
  stopSync(): void {
    if (this.id) execFileSync('docker', ['rm', '-fv', this.id], { stdio: 'ignore' });
  }
}

async function timedGet(url: string): Promise<{ seconds: number; bytes: number; text: string }> {
  const t0 = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  const seconds = (performance.now() - t0) / 1000;
  if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}`);
  return { seconds, bytes: Buffer.byteLength(text), text };
}

/** Samples and bytes of an exposition, split into Peerweave's and prom-client's defaults. */
function split(text: string): { series: number; ours: { series: number; bytes: number }; defaults: { series: number; bytes: number } } {
  const ours = { series: 0, bytes: 0 };
  const defaults = { series: 0, bytes: 0 };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const name = line.startsWith('#') ? (line.split(' ')[2] ?? '') : line;
    const part = name.startsWith('peerweave_') ? ours : defaults;
    part.bytes += Buffer.byteLength(line) + 1;
    if (!line.startsWith('#')) part.series++;
  }
  return { series: ours.series + defaults.series, ours, defaults };
}

/** Node CPU per request of `path`, net of the node's idle rate over as long a window. */
async function cpuPerRequest(node: { container: string; url: string }, path: string): Promise<number> {
  const pid = await nodeProcessPid(node.container);
  const c0 = await procCpuSeconds(pid);
  const t0 = performance.now();
  for (let i = 0; i < CPU_REQUESTS; i++) await timedGet(`${node.url}${path}`);
  const busy = (await procCpuSeconds(pid)) - c0;
  const seconds = (performance.now() - t0) / 1000;
  const i0 = await procCpuSeconds(pid);
  await sleep(seconds * 1000);
  const idle = (await procCpuSeconds(pid)) - i0;
  return Math.max(0, busy - idle) / CPU_REQUESTS;
}

export async function monitoringSection(root: string, push: (r: Row) => void): Promise<void> {
  const t0 = Date.now();
  const cluster = new MonitoredCluster(root);
  const idle = new IdlePrometheus();
  const stopListening = cleanupOnSignal(() => {
    cluster.downSync();
    idle.stopSync();
  });
  try {
    console.error(`· monitoring: ${PEERS} peers + 2 supernodes + Prometheus (profile monitoring), and an idle Prometheus`);
    await idle.start();
    await cluster.up();
    const started = Date.now();
    // Every node a healthy target before anything is measured.
    for (;;) {
      const up = await cluster.query('count(up{job=~"peerweave.*"} == 1)').catch(() => []);
      if (up[0] === NODES) break;
      if (Date.now() - started > 60_000) throw new Error(`Prometheus scrapes ${up[0] ?? 0} of ${NODES} nodes after 60 s`);
      await sleep(1_000);
    }
    const promPid = Number(await docker(['inspect', '-f', '{{.State.Pid}}', cluster.prometheusContainer]));
    const idlePid = Number(await docker(['inspect', '-f', '{{.State.Pid}}', idle.id]));
    const promCpu0 = await procCpuSeconds(promPid);
    const idleCpu0 = await procCpuSeconds(idlePid);
    const window0 = performance.now();

    await scrapeFigures(cluster, push).catch((err: unknown) => {
      process.exitCode = 1;
      push({ figure: 'GET /metrics of a node', ours: failed(err), baseline: '—', ratio: '—', target: '—' });
    });

    // The rest of the warm-up, then Prometheus's RSS and CPU beside the idle one's.
    const left = WARMUP_S * 1000 - (Date.now() - started);
    if (left > 0) await sleep(left);
    const windowS = (performance.now() - window0) / 1000;
    const promCpu = ((await procCpuSeconds(promPid)) - promCpu0) / windowS;
    const idleCpu = ((await procCpuSeconds(idlePid)) - idleCpu0) / windowS;
    const promRss: number[] = [];
    const idleRss: number[] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) await sleep(5_000);
      promRss.push(await rss(promPid));
      idleRss.push(await rss(idlePid));
    }
    const [series] = await cluster.query('prometheus_tsdb_head_series');
    const [samples] = await cluster.query('sum(scrape_samples_scraped{job=~"peerweave.*"})');
    const scraped = ((Date.now() - started) / 1000).toFixed(0);
    push({
      figure: `Prometheus RSS scraping ${NODES} nodes every 5 s (after ${scraped} s; ${series?.toFixed(0)} head series, ${samples?.toFixed(0)} samples per round)`,
      ours: `${(median(promRss) / MiB).toFixed(1)} MiB`,
      baseline: `${(median(idleRss) / MiB).toFixed(1)} MiB (same image, no targets)`,
      ratio: `${(median(promRss) / median(idleRss)).toFixed(2)}×`,
      target: '—',
    });
    push({
      figure: `Prometheus CPU scraping ${NODES} nodes every 5 s and evaluating the rules (over ${windowS.toFixed(0)} s)`,
      ours: `${(100 * promCpu).toFixed(2)} % of a core`,
      baseline: `${(100 * idleCpu).toFixed(2)} % (no targets)`,
      ratio: idleCpu > 0 ? `${(promCpu / idleCpu).toFixed(1)}×` : '—',
      target: '—',
    });
  } finally {
    stopListening();
    await cluster.down();
    await idle.stop();
    console.error(`    monitoring section: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
}

/** Figures 1–3: latency, size and CPU of a scrape on the nodes themselves. */
async function scrapeFigures(cluster: MonitoredCluster, push: (r: Row) => void): Promise<void> {
  const metrics: number[] = [];
  const healthz: number[] = [];
  const bytes: number[] = [];
  const parts: ReturnType<typeof split>[] = [];
  for (const node of cluster.nodes) {
    for (let i = 0; i < REQUESTS; i++) {
      const m = await timedGet(`${node.url}/metrics`);
      metrics.push(m.seconds);
      if (i === 0) {
        bytes.push(m.bytes);
        parts.push(split(m.text));
      }
      healthz.push((await timedGet(`${node.url}/healthz`)).seconds);
    }
  }
  const p50 = percentile(metrics, 50);
  const h50 = percentile(healthz, 50);
  push({
    figure: `GET /metrics, ${NODES} nodes × ${REQUESTS} sequential (keep-alive, Prometheus scraping meanwhile)`,
    ours: `p50 ${ms(p50)}, p99 ${ms(percentile(metrics, 99))}`,
    baseline: `GET /healthz of the same nodes: p50 ${ms(h50)}, p99 ${ms(percentile(healthz, 99))}`,
    ratio: `${(p50 / h50).toFixed(1)}× p50`,
    target: '—',
  });
  const mid = parts[Math.floor(parts.length / 2)]!;
  const ourBytes = median(parts.map((p) => p.ours.bytes));
  const defaultBytes = median(parts.map((p) => p.defaults.bytes));
  push({
    figure: '/metrics size per node (median; series = sample lines)',
    ours: `${(median(bytes) / KiB).toFixed(1)} KiB (${(Math.min(...bytes) / KiB).toFixed(1)}–${(Math.max(...bytes) / KiB).toFixed(1)}), ${mid.series} series; peerweave_* ${(ourBytes / KiB).toFixed(1)} KiB, ${mid.ours.series} series`,
    baseline: `prom-client's process/nodejs metrics in it: ${(defaultBytes / KiB).toFixed(1)} KiB, ${mid.defaults.series} series`,
    ratio: `${(median(bytes) / defaultBytes).toFixed(2)}× bytes`,
    target: '—',
  });
  // CPU on three peers, a few hundred requests each.
  const sample = [cluster.nodes[0]!, cluster.nodes[7]!, cluster.nodes[14]!];
  const metricsCpu: number[] = [];
  const healthzCpu: number[] = [];
  for (const node of sample) {
    metricsCpu.push(await cpuPerRequest(node, '/metrics'));
    healthzCpu.push(await cpuPerRequest(node, '/healthz'));
  }
  const durations = await cluster.query('scrape_duration_seconds{job=~"peerweave.*"}');
  const mc = median(metricsCpu);
  const hc = median(healthzCpu);
  push({
    figure: `node CPU per GET /metrics (${sample.length} peers × ${CPU_REQUESTS}, net of idle); Prometheus's scrape_duration_seconds p50 over ${durations.length} targets`,
    ours: `${ms(mc)} (every 5 s: ${((100 * mc) / 5).toFixed(3)} % of a core); scrape ${ms(percentile(durations, 50))}`,
    baseline: `GET /healthz: ${ms(hc)}`,
    ratio: hc > 0 ? `${(mc / hc).toFixed(1)}×` : '—',
    target: '—',
  });
}
