// `npm run bench`: every figure is printed beside a baseline measured in the same run, as a ratio,
// because this machine drifts by ±20 % between runs (see shared PERFORMANCE.md).
import { fileURLToPath } from 'node:url';
import { containerRss, docker, median, waitHealthy } from './docker.ts';

const IMAGE = process.env.PEERWEAVE_IMAGE ?? 'peerweave:latest';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MiB = 1024 * 1024;

interface Row {
  figure: string;
  ours: string;
  baseline: string;
  ratio: string;
  target: string;
}
const rows: Row[] = [];

/** Idle RSS of one container: the peer, and the bare Fastify + grpc-js baseline. */
async function idleRss(command: string[] | undefined): Promise<number> {
  const args = ['run', '-d', '--label', 'peerweave.bench=true', IMAGE, ...(command ?? [])];
  const id = await docker(args);
  try {
    await waitHealthy([id], 60_000);
    // Let start-up garbage settle the same way for both before reading.
    await new Promise((r) => setTimeout(r, 3_000));
    return await containerRss(id);
  } finally {
    await docker(['rm', '-fv', id]);
  }
}

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

async function main(): Promise<void> {
  console.log(`peerweave bench — image ${IMAGE}, median of ${RUNS} runs\n`);

  const peerRss: number[] = [];
  const baseRss: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    peerRss.push(await idleRss(undefined));
    baseRss.push(await idleRss(['node', '/app/lib/bench/main.mjs']));
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

  console.log('| figure | peerweave | baseline (same run) | ratio | target |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.figure} | ${r.ours} | ${r.baseline} | ${r.ratio} | ${r.target} |`);
}

await main();
