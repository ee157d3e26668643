// `npm run bench`: every figure is printed beside a baseline measured in the same run, as a ratio,
// because this machine drifts by ±20 % between runs (see shared PERFORMANCE.md).
//
// Sections (BENCH_SECTIONS, comma-separated; all by default):
//   foundation  idle RSS of one container, and `up` of 20 peers + 2 supernodes, beside a bare server;
//   cluster     convergence, search latency and SIGKILL detection in the 22-container cluster;
//   content     put/get of a large file, small objects from 32 clients, repair, Jepsen-style puts;
//   transfer    multi-provider downloads over GetBlocks streams (node processes, no Docker);
//   datapath    1 GiB read and put on node processes, beside raw TCP and Helia bitswap;
//   sim         the routing simulator at 1 000 and 10 000 nodes, and churn (bench/sim.ts);
//   search      flooding vs supernodes in the simulator;
//   quiet       issue #12: idle CPU and RSS of the 22-container cluster beside bare Fastify +
//               grpc-js containers, suspicions and deaths during 2 000 puts, the return to idle
//               after them, and RSS after storing 10 000 objects (bench/quiet.ts).
//   monitoring  issue #13: /metrics latency, size and CPU per node, Prometheus's RSS and CPU scraping
//               the 22 nodes every 5 s beside an idle Prometheus (bench/monitoring.ts).
//   mtls        issue #15: 1 KiB unary p50 and bulk block throughput with mutual TLS on vs off
//               (node processes on loopback, no Docker; bench/mtls.ts).
import { fileURLToPath } from 'node:url';
import { loadNodeConfig } from '@peerweave/config';
import { docker, idleContainerRss, median, percentile, waitHealthy, type Row } from './docker.ts';
import { clusterFigures } from './routing.ts';
import { simSection } from './sim.ts';
import { contentSection } from './content.ts';
import { transferSection } from './transfer.ts';
import { searchSection } from './search.ts';
import { datapathSection } from './datapath.ts';
import { quietSection } from './quiet.ts';
import { monitoringSection } from './monitoring.ts';
import { mtlsSection } from './mtls.ts';

const IMAGE = process.env.PEERWEAVE_IMAGE ?? 'peerweave:latest';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MiB = 1024 * 1024;
/** The baseline server bundled into the image (bench/baseline-server.ts): bare Fastify + grpc-js. */
const BARE_SERVER = ['node', '/app/lib/bench/main.mjs'];

const rows: Row[] = [];
/** Each figure is also printed as soon as it is measured, so a later failure loses nothing. */
rows.push = (...items: Row[]): number => {
  for (const r of items) console.error(`  ${r.figure}: ${r.ours} | ${r.baseline} | ${r.ratio} | target ${r.target}`);
  return Array.prototype.push.apply(rows, items);
};

/** Seconds from `docker compose up` until every container of the project is healthy. */
async function composeUp(peers: number, overlay: string | undefined): Promise<number> {
  const project = `pwbench-${process.pid}`;
  const files = ['-f', `${ROOT}/docker-compose.yml`, ...(overlay ? ['-f', `${ROOT}/${overlay}`] : [])];
  const started = Date.now();
  try {
    await docker(['compose', '-p', project, ...files, 'up', '-d', '--scale', `peer=${peers}`]);
    const ids = (await docker(['compose', '-p', project, ...files, 'ps', '-q'])).split('\n').filter(Boolean);
    await waitHealthy(ids, 300_000);
    return (Date.now() - started) / 1000;
  } finally {
    await docker(['compose', '-p', project, ...files, 'down', '--volumes', '--timeout', '1']);
  }
}

/** Which parts run: BENCH_SECTIONS=foundation,cluster,content,transfer,datapath,sim,search,quiet,monitoring,mtls (default all). */
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? 'foundation,cluster,content,transfer,datapath,sim,search,quiet,monitoring,mtls').split(','));

async function main(): Promise<void> {
  console.log(`peerweave bench — image ${IMAGE}, median of ${RUNS} runs\n`);
  if (SECTIONS.has('foundation')) await foundation();
  if (SECTIONS.has('cluster')) await cluster();
  if (SECTIONS.has('content')) await contentSection(ROOT, RUNS, (r) => rows.push(r));
  if (SECTIONS.has('transfer')) await transferSection((r) => rows.push(r), RUNS);
  if (SECTIONS.has('datapath')) await datapathSection(ROOT, RUNS, (r) => rows.push(r));
  if (SECTIONS.has('sim')) await simSection(ROOT, (r) => rows.push(r));
  if (SECTIONS.has('search')) await searchSection((r) => rows.push(r));
  if (SECTIONS.has('quiet')) await quietSection(ROOT, RUNS, (r) => rows.push(r));
  if (SECTIONS.has('monitoring')) await monitoringSection(ROOT, (r) => rows.push(r));
  if (SECTIONS.has('mtls')) await mtlsSection((r) => rows.push(r), RUNS);
  console.log('\n| figure | peerweave | baseline (same run) | ratio | target |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.figure} | ${r.ours} | ${r.baseline} | ${r.ratio} | ${r.target} |`);
}

async function cluster(): Promise<void> {
  console.error('· cluster: 20 peers + 2 supernodes, convergence, search latency and SIGKILL detection');
  const f = await clusterFigures(ROOT, Number(process.env.BENCH_KILLS ?? 5));
  rows.push({
    figure: 'after `up`: all 22 nodes list the other 21 alive',
    ours: `${f.convergedSeconds.toFixed(1)} s`,
    baseline: `${f.healthySeconds.toFixed(1)} s until all healthy`,
    ratio: `${(f.convergedSeconds / f.healthySeconds).toFixed(2)}×`,
    target: '—',
  });
  rows.push({
    figure: `search latency in the 22-container cluster, ${f.searchMs.length} searches of each kind from random nodes for 20 fresh files`,
    ours: `through supernodes: p50 ${percentile(f.searchMs, 50).toFixed(0)} ms, p99 ${percentile(f.searchMs, 99).toFixed(0)} ms, found ${f.searchFound}/${f.searchMs.length}`,
    baseline: `flooding (TTL 4): p50 ${percentile(f.floodMs, 50).toFixed(0)} ms, p99 ${percentile(f.floodMs, 99).toFixed(0)} ms, found ${f.floodFound}/${f.floodMs.length}`,
    ratio: `${(percentile(f.searchMs, 50) / percentile(f.floodMs, 50)).toFixed(2)}× p50`,
    target: '—',
  });
  // The floor of detection is the minimum suspicion timeout of the lan preset the cluster runs:
  // suspicionMult × log10(22) × probe interval.
  const lan = loadNodeConfig({ PEERWEAVE_PRESET: 'lan' });
  const floorMs = lan.suspicionMult * Math.log10(22) * lan.probeIntervalMs;
  const p50 = percentile(f.detectionMs, 50);
  const p99 = percentile(f.detectionMs, 99);
  rows.push({
    figure: `SIGKILL → listed dead, N = 22 (${f.detectionMs.length} observations)`,
    ours: `p50 ${(p50 / 1000).toFixed(2)} s, p99 ${(p99 / 1000).toFixed(2)} s`,
    baseline: `${(floorMs / 1000).toFixed(2)} s minimum suspicion timeout`,
    ratio: `${(p50 / floorMs).toFixed(2)}× / ${(p99 / floorMs).toFixed(2)}×`,
    target: 'p99 ≤ 5 s',
  });
}

async function foundation(): Promise<void> {
  const peerRss: number[] = [];
  const baseRss: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    peerRss.push(await idleContainerRss(IMAGE, undefined));
    baseRss.push(await idleContainerRss(IMAGE, BARE_SERVER));
  }
  const pr = median(peerRss);
  const br = median(baseRss);
  rows.push({
    figure: 'idle RSS, one container',
    ours: `${(pr / MiB).toFixed(1)} MiB`,
    baseline: `${(br / MiB).toFixed(1)} MiB (bare Fastify + grpc-js)`,
    ratio: `${(pr / br).toFixed(2)}×`,
    target: '≤ 1.2×',
  });

  const upRuns = Math.max(1, Math.min(RUNS, 2));
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < upRuns; i++) {
    ours.push(await composeUp(20, undefined));
    base.push(await composeUp(20, 'bench/compose.baseline.yml'));
  }
  const ou = median(ours);
  const bu = median(base);
  rows.push({
    figure: '`up` until 20 peers + 2 supernodes healthy',
    ours: `${ou.toFixed(1)} s`,
    baseline: `${bu.toFixed(1)} s (same Compose file, bare server)`,
    ratio: `${(ou / bu).toFixed(2)}×`,
    target: '—',
  });
}

await main();
