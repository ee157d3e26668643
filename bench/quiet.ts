// Section `quiet` of `npm run bench` (issue #12, "A quiet node"): what a node costs while nothing
// happens, and how soon it is back there after work. Each figure beside a baseline of the same run:
//   0. CPU of one SWIM probe, caller and callee together, on the PingStream beside a unary Ping
//      call (bench/probe-cost.ts; no containers, ~20 s);
//   1. idle RSS of one container: the peer against the bare Fastify + grpc-js server bundled into
//      the same image (bench/baseline-server.ts), as the foundation section measures it;
//   2. idle CPU of the 22-container Compose cluster (20 peers + 2 supernodes) over 60 s, once every
//      node's start-up work is done (up 3/8 of the bucket refresh interval + 10 s, past its first
//      refresh check, and its start-up memory release made); the same 60 s right after convergence
//      and a 30 s settle is printed too, without a target: per node the delta of its own `process_cpu_seconds_total`
//      (/metrics, read at the two ends of the window only); all 22 together the containers' cgroup
//      CPU (cpuacct, so the engine's health-check execs count). Baseline: the same Compose file with
//      the bare server in all 22 containers (bench/compose.baseline.yml), same settle and window,
//      per node the on-CPU time of its Node process's threads read on the host (schedstat: what
//      getrusage, hence process_cpu_seconds_total, derives from; a bare server idles below one
//      10 ms tick a minute, so /proc/<pid>/stat is too coarse) and the same cgroup files;
//   3. 2 000 × 4 KiB puts from 32 clients over the 20 peers (bench/small-objects.ts's put phase),
//      and 60 s after them: suspicions (Σ Δ peerweave_swim_suspicions_total over the nodes) and
//      members declared dead. Deaths are counted from the nodes' own `member dead` log lines (every
//      node logs each death it applies, at info): exact even for a member that refutes its death a
//      second later, which a polled peerweave_swim_members{state="dead"} could miss; the gauge at
//      the burst's ends and /v1/peers?state=dead at the end are printed beside as a cross-check.
//      The baseline is the 60 s idle window before the burst;
//   4. time until the cluster is back to idle after the last put: Σ CPU of the 22 node processes
//      (read on the host from /proc, so watching costs the nodes nothing) in consecutive 5 s
//      windows from the burst's end; the first window at ≤ 1.5× the pre-burst idle rate (the same
//      sum over the 60 s idle window) ends it. The row prints the spread of the idle 5 s windows,
//      which says how much of 1.5× is noise;
//   5. RSS after storing 10 000 objects (4 KiB, 32 clients) in one peer container run with r = w = 1
//      (so every object is on it) and anti-entropy every 15 s (so a round falls after the puts),
//      idle again, against its twin: a second container of the same image and settings, started
//      with it, that stores nothing, read at the same moment. Both are scraped every 5 s throughout,
//      as deploy/prometheus scrapes every node, and polled alike. Why a twin and not the same
//      container before the puts: an empty node's idle RSS is not one value but rises as it warms up,
//      and that is not the store. Measured (2026-12-07, one empty container, RSS from the host):
//      scraped every 5 s it went from 84.6 to 90.5 MiB within 3.5 min, +5.2 MiB of it the Node
//      binary's pages (V8's optimising compiler, first run once the metrics path is hot); every
//      15 s, 83.0 -> 87.7 MiB in 7.5 min (+2.5 of binary); never scraped, 80.7 -> 83.3 MiB in
//      7.5 min (garbage between collections). So both are read once warmed up: after the release
//      that follows the puts, and once neither one's file-backed RSS has moved by more than 0.5 MiB
//      for 60 s (2026-12-08: read as early as the bench used to, the twin was sometimes still
//      without the compiler's pages, 50.8 against the store node's 56.1 MiB file-backed, which made
//      1.11× of what is 1.03× once both have them). The same container's reading just after start is
//      printed beside, without a target. RSS is VmRSS of the Node process read on the host (what
//      process_resident_memory_bytes reports), the median of 3 reads 5 s apart.
// Takes about 17 minutes (BENCH_RUNS=1): baseline cluster ~1.5 min, cluster ~9 min, the store
// ~4.5 min (the warm-up wait), idle RSS ~40 s per run. Every container, network and volume is removed in `finally` and on
// SIGINT/SIGTERM. Knobs: BENCH_QUIET_SETTLE_S (30), BENCH_QUIET_IDLE_S (60), BENCH_QUIET_PUTS (2000),
// BENCH_QUIET_AFTER_S (60), BENCH_QUIET_STORE_OBJECTS (10000). BENCH_QUIET_IDLE_ONLY=1 measures only the
// cluster's idle CPU (figure 2, without its bare baseline; ~6 min), for comparing two images quickly;
// BENCH_QUIET_RSS_ONLY=1 only the RSS figures (1 and 5; ~9 min). PEERWEAVE_IMAGE
// names another image (the bare baseline runs in it too).
import { readFile } from 'node:fs/promises';
import { loadNodeConfig } from '@peerweave/config';
import { firstRefreshCheckBoundMs } from '@peerweave/routing';
import { waitFor } from '@peerweave/core/testing';
import type { Agent } from 'undici';
import { cleanupOnSignal, clusterCaArgs, ComposeCluster, docker, withContainer, hostUrl, idleContainerRss, median, nodeProcessPid, parseMetrics, procCpuSeconds, waitHealthy, type ClusterNode, type Row } from './docker.ts';
import { probeCostRows } from './probe-cost.ts';
import { CLIENTS, call, cgroupFile, cgroupSeconds, describe, errorCount, logErrors, newAgent, putPhase, type CpuProbe } from './small-objects.ts';

const IMAGE = process.env.PEERWEAVE_IMAGE ?? 'peerweave:latest';
const BARE_SERVER = ['node', '/app/lib/bench/main.mjs'];
const PEERS = 20;
const SETTLE_S = Number(process.env.BENCH_QUIET_SETTLE_S ?? 30);
const IDLE_S = Number(process.env.BENCH_QUIET_IDLE_S ?? 60);
const PUTS = Number(process.env.BENCH_QUIET_PUTS ?? 2000);
/** Observation after the burst (suspicions, deaths); extended up to AFTER_MAX_S while not back to idle. */
const AFTER_S = Number(process.env.BENCH_QUIET_AFTER_S ?? 60);
const AFTER_MAX_S = Math.max(AFTER_S, 120);
const STORE_OBJECTS = Number(process.env.BENCH_QUIET_STORE_OBJECTS ?? 10_000);
/** How often figure 5 scrapes its two containers: deploy/prometheus's scrape_interval. */
const SCRAPE_MS = 5_000;
/** Only the cluster's idle CPU: no probe cost, RSS, bare cluster, burst or store. */
const IDLE_ONLY = process.env.BENCH_QUIET_IDLE_ONLY === '1';
/** Only the two RSS figures (idle, and after the store against its twin), about 9 minutes. */
const RSS_ONLY = process.env.BENCH_QUIET_RSS_ONLY === '1';
const WINDOW_S = 5;
/** "Back to idle": a 5 s window whose Σ process CPU is at most this multiple of the idle rate. */
const RETURN_FACTOR = 1.5;
const MiB = 1024 * 1024;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pct = (cores: number): string => `${(100 * cores).toFixed(2)} %`;
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const failed = (err: unknown): string => `failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300);
const notMet = (ok: boolean): string => (ok ? '' : ' (not met)');

/** Host-side view of a set of containers: each one's Node process and cgroup CPU file. */
interface Meter {
  pids: number[];
  cgroups: ({ path: string; unit: 'ns' | 'usec-stat' } | undefined)[];
}

/** CPU seconds so far of every node process (host /proc) and every container's cgroup. */
interface CpuReading {
  /** performance.now() at the read. */
  t: number;
  cpu: number[];
  cgroup: number[] | undefined;
}

async function meter(containers: string[]): Promise<Meter> {
  const fullIds = (await docker(['inspect', '-f', '{{.Id}}', ...containers])).split('\n');
  return { pids: await Promise.all(containers.map(nodeProcessPid)), cgroups: await Promise.all(fullIds.map(cgroupFile)) };
}

async function readCpu(m: Meter): Promise<CpuReading> {
  const [cpu, cgroup] = await Promise.all([
    Promise.all(m.pids.map(procCpuSeconds)),
    m.cgroups.every((f) => f !== undefined) ? Promise.all(m.cgroups.map((f) => cgroupSeconds(f!))) : Promise.resolve(undefined),
  ]);
  return { t: performance.now(), cpu, cgroup };
}

/** Cores used between two readings: Σ over the node processes, and Σ over the cgroups. */
function rates(a: CpuReading, b: CpuReading): { process: number; cgroup: number | undefined; perNode: number[] } {
  const s = (b.t - a.t) / 1000;
  const perNode = b.cpu.map((c, i) => (c - a.cpu[i]!) / s);
  const cgroup = a.cgroup && b.cgroup ? (sum(b.cgroup) - sum(a.cgroup)) / s : undefined;
  return { process: sum(perNode), cgroup, perNode };
}

/** The series a node's /metrics gives this section. */
interface Scrape {
  cpu: number;
  suspicions: number;
  /** Probe periods that ended in this node suspecting its target: the accusations it made. */
  accusations: number;
  refutations: number;
  dead: number;
  rss: number;
  uptime: number;
  /** Memory releases so far (the first comes once the node turns quiet after its start). */
  releases: number;
}

async function scrape(agent: Agent, nodes: ClusterNode[]): Promise<Scrape[]> {
  return Promise.all(
    nodes.map(async (n) => {
      const r = await call(agent, `${n.url}/metrics`);
      if (r.status !== 200) throw new Error(`${n.url}/metrics → ${r.status}`);
      const m = parseMetrics(r.bytes.toString());
      const get = (k: string): number => {
        const v = m.get(k);
        if (v === undefined) throw new Error(`${n.url}/metrics has no ${k}`);
        return v;
      };
      return {
        cpu: get('process_cpu_seconds_total'),
        suspicions: get('peerweave_swim_suspicions_total'),
        // Absent until the first failed probe.
        accusations: m.get('peerweave_swim_probes_total{result="failed"}') ?? 0,
        refutations: get('peerweave_swim_refutations_total'),
        dead: get('peerweave_swim_members{state="dead"}'),
        rss: get('process_resident_memory_bytes'),
        uptime: get('peerweave_node_uptime_seconds'),
        releases: m.get('peerweave_memory_releases_total') ?? 0,
      };
    }),
  );
}

/** Deaths the nodes logged between two wall-clock times: distinct members, and lines per kind. */
async function loggedDeaths(nodes: ClusterNode[], fromMs: number, toMs: number): Promise<{ members: Set<string>; applied: number; declared: number }> {
  const members = new Set<string>();
  let applied = 0;
  let declared = 0;
  for (const n of nodes) {
    const text = await docker(['logs', '--since', String(Math.floor(fromMs / 1000) - 1), n.container], 60_000);
    for (const line of text.split('\n')) {
      if (!line.includes('dead')) continue;
      let e: { time?: string | number; msg?: string; member?: string };
      try {
        e = JSON.parse(line) as typeof e;
      } catch {
        continue;
      }
      // The node logs ISO times (telemetry's logger); pino's default would be epoch ms.
      const at = typeof e.time === 'string' ? Date.parse(e.time) : e.time;
      if (at === undefined || !(at >= fromMs && at <= toMs)) continue;
      if (e.msg === 'member dead') {
        applied++;
        if (e.member) members.add(e.member);
      } else if (e.msg?.startsWith('suspicion timed out')) declared++;
    }
  }
  return { members, applied, declared };
}

/** `up` of a Compose project that is taken down on every way out, signals included. */
async function withCluster<T>(cluster: ComposeCluster, fn: () => Promise<T>): Promise<T> {
  const stopListening = cleanupOnSignal(() => cluster.downSync());
  try {
    return await fn();
  } finally {
    stopListening();
    await cluster.down().catch((err: unknown) => console.error(`    down of ${cluster.project} failed: ${String(err)}`));
  }
}

export async function quietSection(root: string, runs: number, push: (r: Row) => void): Promise<void> {
  const t0 = Date.now();
  try {
    if (IDLE_ONLY) {
      await clusterFigures(root, 'bare cluster skipped (BENCH_QUIET_IDLE_ONLY=1)', push);
      return;
    }
    if (!RSS_ONLY) {
      await probeCostRows(push).catch((err: unknown) => {
        process.exitCode = 1;
        push({ figure: 'CPU per SWIM probe, both ends (PingStream frame)', ours: failed(err), baseline: '—', ratio: '—', target: '—' });
      });
    }
    await idleRss(runs, push).catch((err: unknown) => {
      process.exitCode = 1;
      push({ figure: 'idle RSS, one container (issue #12)', ours: failed(err), baseline: '—', ratio: '—', target: '≤ 1.2×' });
    });
    if (!RSS_ONLY) {
      let base: BareIdle | string;
      try {
        base = await bareClusterIdle(root);
      } catch (err) {
        base = `bare cluster not measured: ${failed(err)}`;
      }
      await clusterFigures(root, base, push).catch((err: unknown) => {
        process.exitCode = 1;
        push({ figure: `idle CPU and a ${PUTS}-put burst in the 22-container cluster`, ours: failed(err), baseline: '—', ratio: '—', target: '—' });
      });
    }
    await storeRss(push).catch((err: unknown) => {
      process.exitCode = 1;
      push({ figure: `idle RSS after storing ${STORE_OBJECTS} objects`, ours: failed(err), baseline: '—', ratio: '—', target: '≤ 1.1×' });
    });
  } finally {
    console.error(`    quiet section: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
}

/** Figure 1: the foundation section's idle-RSS row, measured again in this run. */
async function idleRss(runs: number, push: (r: Row) => void): Promise<void> {
  console.error('· quiet: idle RSS of one container, peer and bare Fastify + grpc-js');
  const ours: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(await idleContainerRss(IMAGE, undefined));
    bare.push(await idleContainerRss(IMAGE, BARE_SERVER));
  }
  const o = median(ours);
  const b = median(bare);
  push({
    figure: 'idle RSS, one container (issue #12)',
    ours: mib(o),
    baseline: `${mib(b)} (bare Fastify + grpc-js, same image)`,
    ratio: `${(o / b).toFixed(2)}×`,
    target: `≤ 1.2×${notMet(o / b <= 1.2)}`,
  });
}

/** The baseline cluster's idle: per node process and all cgroups, over the same window as ours. */
interface BareIdle {
  perNode: number[];
  cgroup: number | undefined;
}

async function bareClusterIdle(root: string): Promise<BareIdle> {
  console.error(`· quiet: baseline, the Compose file with the bare server in all ${PEERS + 2} containers; ${SETTLE_S} s settle, ${IDLE_S} s idle`);
  const cluster = new ComposeCluster(root, `pwbench-quietbase-${process.pid}`, PEERS, 'bench/compose.baseline.yml');
  return withCluster(cluster, async () => {
    const upS = await cluster.up();
    console.error(`    up and healthy in ${upS.toFixed(1)} s`);
    const m = await meter(cluster.nodes.map((n) => n.container));
    await sleep(SETTLE_S * 1000);
    const a = await readCpu(m);
    await sleep(IDLE_S * 1000);
    const r = rates(a, await readCpu(m));
    console.error(`    bare idle: per node median ${pct(median(r.perNode))}, max ${pct(Math.max(...r.perNode))}; Σ processes ${pct(r.process)}, Σ cgroups ${r.cgroup === undefined ? '—' : pct(r.cgroup)}`);
    return { perNode: r.perNode, cgroup: r.cgroup };
  });
}

/**
 * Whether the kernel's DAMON monitor runs, and what it does: on this project's VM a kdamond
 * samples every physical page region twice a second for a proactive "pageout" scheme, and with
 * it on, one idle 22-container cluster measured 15–20 % more CPU per node than with it off
 * (alternate 120 s windows, 2026-12-07). Printed so that runs on different machines, or days,
 * can be read against each other; the bench does not change it.
 */
async function damonState(): Promise<string> {
  const base = '/sys/kernel/mm/damon/admin/kdamonds';
  const read = async (path: string): Promise<string | undefined> => (await readFile(path, 'utf8').catch(() => undefined))?.trim();
  const count = Number(await read(`${base}/nr_kdamonds`));
  if (!(count > 0)) return 'none';
  const states: string[] = [];
  for (let i = 0; i < count; i++) {
    const ctx = `${base}/${i}/contexts/0`;
    const [state, sample, action] = await Promise.all([
      read(`${base}/${i}/state`),
      read(`${ctx}/monitoring_attrs/intervals/sample_us`),
      read(`${ctx}/schemes/0/action`),
    ]);
    states.push(`kdamond ${i} ${state ?? '?'}${sample === undefined ? '' : `, sampling every ${Number(sample) / 1000} ms`}${action === undefined ? '' : `, scheme ${action}`}`);
  }
  return states.join('; ');
}

/** Figures 2–4 on one 22-container cluster. */
async function clusterFigures(root: string, base: BareIdle | string, push: (r: Row) => void): Promise<void> {
  console.error(`· quiet: cluster of ${PEERS} peers + 2 supernodes; the kernel's DAMON on this machine: ${await damonState()}`);
  const cluster = new ComposeCluster(root, `pwbench-quiet-${process.pid}`, PEERS);
  const agent = newAgent();
  try {
    await withCluster(cluster, async () => {
      const upS = await cluster.up();
      const get = async <T>(url: string): Promise<T> => {
        const r = await call(agent, url);
        if (r.status !== 200) throw new Error(`${url} → ${r.status}`);
        return JSON.parse(r.bytes.toString()) as T;
      };
      await cluster.readIds(get);
      const tc = performance.now();
      await cluster.converged(get, 180_000);
      console.error(`    up and healthy in ${upS.toFixed(1)} s, converged ${((performance.now() - tc) / 1000).toFixed(1)} s later; settling ${SETTLE_S} s`);
      const nodes = cluster.nodes;
      const m = await meter(nodes.map((n) => n.container));
      await sleep(SETTLE_S * 1000);

      // Idle: /metrics at both ends only; host-side 5 s windows in between, which cost the nodes nothing.
      const idleWindow = async (what: string) => {
        const idleFrom = Date.now();
        const s0 = await scrape(agent, nodes);
        const r0 = await readCpu(m);
        const idleWindows: number[] = [];
        let prev = r0;
        while (performance.now() - r0.t < IDLE_S * 1000 - 1) {
          await sleep(Math.min(WINDOW_S * 1000, r0.t + IDLE_S * 1000 - performance.now()));
          const cur = await readCpu(m);
          idleWindows.push(rates(prev, cur).process);
          prev = cur;
        }
        const s1 = await scrape(agent, nodes);
        const r1 = prev;
        const idleTo = Date.now();
        const idleSeconds = (r1.t - r0.t) / 1000;
        const perNode = s1.map((s, i) => (s.cpu - s0[i]!.cpu) / idleSeconds);
        const idle = rates(r0, r1);
        const idleSusp = sum(s1.map((s, i) => s.suspicions - s0[i]!.suspicions));
        const uptime = [Math.min(...s0.map((s) => s.uptime)), Math.max(...s0.map((s) => s.uptime))];
        console.error(
          `    ${what}, ${idleSeconds.toFixed(0)} s from ${uptime[0]!.toFixed(0)}–${uptime[1]!.toFixed(0)} s after the nodes started: per node (process_cpu_seconds_total) median ${pct(median(perNode))}, max ${pct(Math.max(...perNode))}; ` +
            `Σ ${pct(sum(perNode))} (/metrics), ${pct(idle.process)} (host /proc), ${idle.cgroup === undefined ? '—' : pct(idle.cgroup)} (cgroups); ` +
            `5 s windows ${idleWindows.map((w) => pct(w)).join(' ')}; suspicions ${idleSusp}`,
        );
        for (const [i, n] of nodes.entries()) {
          if (perNode[i]! > 0.005) console.error(`      over 0.5 %: ${n.service} ${n.container.slice(0, 12)} ${pct(perNode[i]!)}`);
        }
        return { idleFrom, idleTo, idleWindows, idleSeconds, perNode, idle, idleSusp, uptime };
      };
      // The first minutes after a start are not idle: each node compiles what it runs for the first
      // time, gives back its start-up memory (one full collection, 0.1–0.7 s of CPU) and refreshes
      // the buckets its join did not use (a lookup per bucket, ~0.3 s of CPU, at a per-node point
      // 1/8 to 3/8 of the bucket refresh interval after its start). That window is printed, without
      // a target; the idle figures come from a window after every node's start-up work.
      const early = await idleWindow('first minutes after start (start-up work included)');
      push({
        figure: `idle CPU per node in the first minutes after start (start-up work included), ${early.idleSeconds.toFixed(0)} s from ${early.uptime[0]!.toFixed(0)}–${early.uptime[1]!.toFixed(0)} s after the nodes started`,
        ours: `median ${pct(median(early.perNode))}, max ${pct(Math.max(...early.perNode))}; all ${nodes.length} containers ${early.idle.cgroup === undefined ? '—' : pct(early.idle.cgroup)} (cgroups)`,
        baseline: 'the idle window below',
        ratio: '—',
        target: '— (start-up)',
      });
      const startupEndS = firstRefreshCheckBoundMs(loadNodeConfig({ PEERWEAVE_PRESET: 'lan' }).bucketRefreshMs) / 1000 + 10;
      console.error(`    waiting until every node has been up ${startupEndS.toFixed(0)} s (its first bucket refresh check done) and gave back its start-up memory`);
      await waitFor(async () => (await scrape(agent, nodes)).every((s) => s.uptime >= startupEndS && s.releases >= 1), {
        timeoutMs: (startupEndS + 120) * 1000,
        intervalMs: 2_000,
        what: 'every node past its start-up work',
      });
      const { idleFrom, idleTo, idleWindows, idleSeconds, perNode, idle, idleSusp } = await idleWindow('idle after start-up');
      pushIdleRows(nodes, perNode, idle.cgroup, idleSeconds, base, push);
      if (IDLE_ONLY) return;

      // Burst: the content section's put phase; its CPU reads double as the burst's two ends.
      const ends: { reading: CpuReading; scrape: Scrape[]; wall: number }[] = [];
      const probe: CpuProbe = {
        cgroupNote: 'host /proc and cgroups',
        async read() {
          const [scraped, reading] = await Promise.all([scrape(agent, nodes), readCpu(m)]);
          ends.push({ reading, scrape: scraped, wall: Date.now() });
          return { process: sum(scraped.map((s) => s.cpu)), cgroup: reading.cgroup ? sum(reading.cgroup) : undefined };
        },
      };
      const peers = nodes.filter((n) => n.service === 'peer');
      await Promise.all(Array.from({ length: CLIENTS }, (_, i) => call(agent, `${peers[i % peers.length]!.url}/v1/status`)));
      console.error(`· quiet: ${PUTS} × 4 KiB puts from ${CLIENTS} clients over ${peers.length} peers`);
      const { put } = await putPhase(peers, agent, probe, PUTS);
      logErrors('put', put);
      console.error(`    put: ${describe(put, 'put')}; ${put.seconds.toFixed(1)} s`);
      const [start, end] = [ends[0]!, ends[1]!];
      const burstRate = rates(start.reading, end.reading).process;

      // After: 5 s windows until one is back within RETURN_FACTOR × idle, observed AFTER_S at least.
      let returnS: number | undefined;
      const after: string[] = [];
      let prev = end.reading;
      for (let k = 1; ; k++) {
        await sleep(Math.max(0, end.reading.t + k * WINDOW_S * 1000 - performance.now()));
        const cur = await readCpu(m);
        const w = rates(prev, cur);
        const at = (cur.t - end.reading.t) / 1000;
        after.push(`${at.toFixed(0)} s ${pct(w.process)}`);
        if (returnS === undefined && w.process <= RETURN_FACTOR * idle.process) returnS = at;
        prev = cur;
        if ((returnS !== undefined && at >= AFTER_S) || at >= AFTER_MAX_S) break;
      }
      const last = await scrape(agent, nodes);
      const afterTo = Date.now();
      const observedS = (prev.t - start.reading.t) / 1000;
      console.error(`    after the burst, Σ process CPU per 5 s window (idle ${pct(idle.process)}, bound ${pct(RETURN_FACTOR * idle.process)}): ${after.join(', ')}`);

      const susp = sum(last.map((s, i) => s.suspicions - start.scrape[i]!.suspicions));
      const refutations = sum(last.map((s, i) => s.refutations - start.scrape[i]!.refutations));
      const accusations = sum(last.map((s, i) => s.accusations - start.scrape[i]!.accusations));
      const accusedPerNodeMin = accusations / nodes.length / (observedS / 60);
      const deadGauge = `${sum(end.scrape.map((s) => s.dead))} at the burst's end, ${sum(last.map((s) => s.dead))} at the observation's end`;
      const views = await Promise.all(nodes.map((n) => get<{ count: number }>(`${n.url}/v1/peers?state=dead`)));
      const deathsIdle = await loggedDeaths(nodes, idleFrom, idleTo);
      const deaths = await loggedDeaths(nodes, start.wall, afterTo);
      const perNodeMin = susp / nodes.length / (observedS / 60);
      console.error(
        `    burst + ${(observedS - put.seconds).toFixed(0)} s after: suspicions ${susp} (${perNodeMin.toFixed(2)} per node per minute), ` +
          `accusations (failed probes) ${accusations} (${accusedPerNodeMin.toFixed(2)} per node per minute), refutations ${refutations}; ` +
          `logged deaths: ${deaths.members.size} members, ${deaths.declared} declared, ${deaths.applied} applied; dead gauge Σ ${deadGauge}; ` +
          `/v1/peers?state=dead Σ ${sum(views.map((v) => v.count))}`,
      );
      push({
        figure:
          `${PUTS} × 4 KiB puts from ${CLIENTS} clients over ${peers.length} peers (${(put.ops / put.seconds).toFixed(0)} puts/s, ${errorCount(put)} errors, ${put.seconds.toFixed(0)} s) ` +
          `and ${(observedS - put.seconds).toFixed(0)} s after: suspicions of healthy nodes (Σ Δ peerweave_swim_suspicions_total), members declared dead (the nodes' "member dead" logs)`,
        ours: `${susp} suspicions = ${perNodeMin.toFixed(2)} per node per minute (from ${accusations} failed probes = ${accusedPerNodeMin.toFixed(2)} per node per minute); ${deaths.members.size} dead (gauge Σ ${deadGauge}; /v1/peers?state=dead Σ ${sum(views.map((v) => v.count))} at the end)`,
        baseline: `idle ${idleSeconds.toFixed(0)} s before: ${idleSusp} suspicions, ${deathsIdle.members.size} dead`,
        ratio: '—',
        target: `0 dead, ≤ 1 suspicion per node per minute${notMet(deaths.members.size === 0 && perNodeMin <= 1)}`,
      });
      const spread = `${pct(Math.min(...idleWindows))}–${pct(Math.max(...idleWindows))}`;
      push({
        figure: `back to idle after the last put: the first 5 s window whose Σ CPU of the ${nodes.length} node processes is ≤ ${RETURN_FACTOR}× the pre-burst idle rate`,
        ours: returnS === undefined ? `not within ${AFTER_MAX_S} s` : `${returnS.toFixed(0)} s`,
        baseline: `pre-burst idle Σ ${pct(idle.process)} of a core (its 5 s windows ${spread}); during the burst ${pct(burstRate)}`,
        ratio: '—',
        target: `≤ 30 s${notMet(returnS !== undefined && returnS <= 30)}`,
      });
    });
  } finally {
    await agent.close();
  }
}

function pushIdleRows(nodes: ClusterNode[], perNode: number[], cgroup: number | undefined, seconds: number, base: BareIdle | string, push: (r: Row) => void): void {
  const max = Math.max(...perNode);
  const maxNode = nodes[perNode.indexOf(max)]!;
  const sn = nodes.flatMap((n, i) => (n.service === 'supernode' ? [perNode[i]!] : []));
  const bare = typeof base === 'string' ? undefined : base;
  push({
    figure: `idle CPU per node, ${nodes.length}-container cluster (${PEERS} peers + 2 supernodes), ${seconds.toFixed(0)} s once every node's start-up work is done, Δ process_cpu_seconds_total from its /metrics`,
    ours: `median ${pct(median(perNode))}, max ${pct(max)} (a ${maxNode.service}); supernodes ${sn.map(pct).join(', ')} of a core`,
    baseline: bare
      ? `bare Fastify + grpc-js in the same ${nodes.length} containers: median ${pct(median(bare.perNode))}, max ${pct(Math.max(...bare.perNode))} (host /proc schedstat)`
      : String(base),
    ratio: bare && median(bare.perNode) > 0 ? `${(median(perNode) / median(bare.perNode)).toFixed(1)}× (median)` : '—',
    target: `≤ 0.5 % of a core per node${notMet(max <= 0.005)}`,
  });
  push({
    figure: `idle CPU of all ${nodes.length} containers together, cgroup cpuacct (health checks included), same window`,
    ours: cgroup === undefined ? 'cgroups not readable' : `${pct(cgroup)} of a core`,
    baseline: bare?.cgroup !== undefined ? `${pct(bare.cgroup)} (the ${nodes.length} bare containers)` : String(base),
    ratio: cgroup !== undefined && bare?.cgroup ? `${(cgroup / bare.cgroup).toFixed(1)}×` : '—',
    target: `≤ 25 % of a core${notMet(cgroup !== undefined && cgroup <= 0.25)}`,
  });
}

/** VmRSS of a host process, in bytes (what process_resident_memory_bytes reports from inside). */
async function vmRss(pid: number): Promise<number> {
  return (await rssParts(pid)).rss;
}

/** VmRSS and its file-backed part (RssFile: mapped pages of the Node binary and its libraries), in bytes. */
async function rssParts(pid: number): Promise<{ rss: number; file: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kib('VmRSS'), file: kib('RssFile') };
}

/** File-backed RSS that moved less than this over WARM_WINDOW_S counts as warmed up. */
const WARM_SLACK_BYTES = 512 * 1024;
const WARM_WINDOW_S = 60;

/**
 * Waits (up to `timeoutMs`) until every process's file-backed RSS has moved by at most
 * WARM_SLACK_BYTES over the last WARM_WINDOW_S, read every 10 s: the Node binary's pages that a
 * young process maps as its code gets hot (V8's optimising compiler among them, ~5 MiB, first run
 * minutes after start on a node that is only scraped) are in, in both containers. Seconds waited,
 * or undefined on timeout.
 */
async function warmedUp(pids: number[], timeoutMs: number): Promise<number | undefined> {
  const t0 = performance.now();
  const samples: number[][] = pids.map(() => []);
  const window = WARM_WINDOW_S / 10 + 1;
  for (;;) {
    const files = await Promise.all(pids.map(async (pid) => (await rssParts(pid)).file));
    files.forEach((f, i) => samples[i]!.push(f));
    const steady = samples.every((xs) => {
      const last = xs.slice(-window);
      return last.length === window && Math.max(...last) - Math.min(...last) <= WARM_SLACK_BYTES;
    });
    if (steady) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > timeoutMs) return undefined;
    await sleep(10_000);
  }
}

/** Where the memory is, for the log: the V8 heap and external memory as the node reports them. */
async function heapNote(agent: Agent, url: string): Promise<string> {
  try {
    const m = parseMetrics((await call(agent, `${url}/metrics`)).bytes.toString());
    const parts = [
      ['heap used', 'nodejs_heap_size_used_bytes'],
      ['heap total', 'nodejs_heap_size_total_bytes'],
      ['external', 'nodejs_external_memory_bytes'],
    ].flatMap(([label, k]) => (m.has(k!) ? [`${label} ${mib(m.get(k!)!)}`] : []));
    return parts.length ? parts.join(', ') : 'no heap metrics';
  } catch (err) {
    return `heap metrics not read: ${String(err)}`.slice(0, 100);
  }
}

/**
 * Waits until the node's `peerweave_memory_releases_total` reaches `atLeast` (at most `timeoutMs`);
 * the count, or undefined if it did not get there. `alike` are scraped at the same moments, so that
 * a control container sees the same requests.
 */
async function releasedSince(agent: Agent, url: string, atLeast: number, timeoutMs: number, alike: string[] = []): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const [n] = await Promise.all([
      call(agent, `${url}/metrics`)
        .then((r) => parseMetrics(r.bytes.toString()).get('peerweave_memory_releases_total'))
        .catch(() => undefined),
      ...alike.map((u) => call(agent, `${u}/metrics`).catch(() => undefined)),
    ]);
    if (n !== undefined && n >= Math.max(1, atLeast)) return n;
    if (performance.now() > deadline) return undefined;
    await sleep(2_000);
  }
}

/**
 * Scrapes every url's /metrics every SCRAPE_MS until stopped, as the Prometheus of
 * deploy/prometheus does every node: a node in service is never left unscraped.
 */
function scrapeEvery(agent: Agent, urls: string[]): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await Promise.all(urls.map((u) => call(agent, `${u}/metrics`).catch(() => undefined)));
      await sleep(SCRAPE_MS);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Median of 3 RSS reads 5 s apart. */
async function settledRss(pid: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) await sleep(5_000);
    xs.push(await vmRss(pid));
  }
  return median(xs);
}

/**
 * Figure 5: one container with r = w = 1, idle RSS after STORE_OBJECTS puts, against a twin started
 * with it from the same image and settings that stores nothing (see the file's comment).
 */
async function storeRss(push: (r: Row) => void): Promise<void> {
  console.error(`· quiet: RSS of one peer (r = w = 1) after ${STORE_OBJECTS} × 4 KiB puts, and of its empty-store twin`);
  const agent = newAgent();
  try {
    // Anti-entropy every 15 s (lan: 2 min) so that a round over the full store falls between the
    // puts and the idle reading, as it would for any node idling longer: the figure is what the
    // node keeps, not what it has not got round to building yet.
    const store = ['-e', 'PEERWEAVE_REPLICATION_FACTOR=1', '-e', 'PEERWEAVE_WRITE_QUORUM=1', '-e', 'PEERWEAVE_HTTP_RATE_WRITES=0', '-e', 'PEERWEAVE_ANTI_ENTROPY_INTERVAL_MS=15000'];
    const runArgs = ['-p', '127.0.0.1::8080', ...clusterCaArgs(), ...store, IMAGE];
    await withContainer(runArgs, (id) =>
      withContainer(runArgs, async (twinId) => {
        await waitHealthy([id, twinId], 60_000);
        const node: ClusterNode = { container: id, service: 'peer', url: await hostUrl(id), id: '' };
        const twinUrl = await hostUrl(twinId);
        const m = await meter([id, twinId]);
        const [pid, twinPid] = [m.pids[0]!, m.pids[1]!];
        const scraper = scrapeEvery(agent, [node.url, twinUrl]);
        try {
          // Idle RSS is after the node's own release of its start-up garbage (30 s into quiet).
          const startup = await releasedSince(agent, node.url, 0, 90_000, [twinUrl]);
          console.error(`    start-up memory release ${startup === undefined ? 'not seen within 90 s' : `seen (${startup} in all)`}`);
          const i0 = await readCpu(m);
          const [empty, twinEmpty] = await Promise.all([settledRss(pid), settledRss(twinPid)]);
          const emptyHeap = await heapNote(agent, node.url);
          await sleep(Math.max(0, i0.t + 20_000 - performance.now()));
          const idle = rates(i0, await readCpu(m)).perNode[0]!;
          console.error(`    empty store: RSS ${mib(empty)} (${emptyHeap}), idle CPU ${pct(idle)}; twin ${mib(twinEmpty)}`);

          const probe: CpuProbe = {
            cgroupNote: 'host /proc and cgroup',
            async read() {
              const r = await readCpu(m);
              return { process: r.cpu[0]!, cgroup: r.cgroup?.[0] };
            },
          };
          const { put } = await putPhase([node], agent, probe, STORE_OBJECTS);
          logErrors('put', put);
          const peak = await vmRss(pid);
          console.error(`    ${STORE_OBJECTS} puts: ${(put.ops / put.seconds).toFixed(0)} puts/s, errors ${errorCount(put)}, ${put.seconds.toFixed(0)} s; CPU ${((1000 * put.cpuProcess) / put.ops).toFixed(2)} ms/put; RSS right after ${mib(peak)}`);

          // Idle again: 10 s windows (a lone idle node uses a few 10 ms ticks per window) within 1.5× idle
          // or idle + 0.5 % of a core, whichever is larger.
          const bound = Math.max(RETURN_FACTOR * idle, idle + 0.005);
          const tIdle = performance.now();
          let prev = await readCpu(m);
          let back: number | undefined;
          while (performance.now() - tIdle < 120_000) {
            await sleep(10_000);
            const cur = await readCpu(m);
            const w = rates(prev, cur).perNode[0]!;
            prev = cur;
            if (w <= bound) {
              back = (cur.t - tIdle) / 1000;
              break;
            }
          }
          // And after the puts: once the node released what the burst left (30 s into quiet).
          const after = await releasedSince(agent, node.url, (startup ?? 0) + 1, 120_000, [twinUrl]);
          console.error(`    memory release after the puts ${after === undefined ? 'not seen within 120 s' : 'seen'}`);
          // Both warmed up: the twin's binary pages that the puts brought in early in the store
          // node (see WARM_WINDOW_S) are in the twin too, or the figure measures the twin's age.
          const warm = await warmedUp([pid, twinPid], 360_000);
          console.error(`    file-backed RSS steady for ${WARM_WINDOW_S} s in both ${warm === undefined ? 'not within 360 s' : `after ${warm.toFixed(0)} s more`}`);
          const [full, twinFull] = await Promise.all([settledRss(pid), settledRss(twinPid)]);
          const [parts, twinParts] = await Promise.all([rssParts(pid), rssParts(twinPid)]);
          const stored = STORE_OBJECTS - errorCount(put);
          console.error(`    after: idle again ${back === undefined ? 'not within 120 s' : `after ${back.toFixed(0)} s`}; RSS ${mib(full)} (file-backed ${mib(parts.file)}; ${await heapNote(agent, node.url)}); twin ${mib(twinFull)} (file-backed ${mib(twinParts.file)}; ${await heapNote(agent, twinUrl)})`);
          const ok = errorCount(put) === 0;
          push({
            figure: `idle RSS of one peer after storing ${stored} × 4 KiB objects (r = w = 1, ${CLIENTS} clients; RSS right after the puts ${mib(peak)}; idle again ${back === undefined ? 'not within 120 s' : `${back.toFixed(0)} s later`}), against its twin: the same image and settings started with it, storing nothing, both scraped every ${SCRAPE_MS / 1000} s`,
            ours: `${mib(full)} (file-backed ${mib(parts.file)})`,
            baseline: `${mib(twinFull)} (file-backed ${mib(twinParts.file)}), the empty-store twin at the same moment, both warmed up (file-backed RSS steady for ${WARM_WINDOW_S} s${warm === undefined ? ': not within 360 s' : ''})`,
            ratio: `${(full / twinFull).toFixed(2)}×`,
            target: `≤ 1.1×${notMet(full / twinFull <= 1.1 && ok)}`,
          });
          push({
            figure: `the same peer against itself ~${Math.round((performance.now() - i0.t) / 60_000)} min earlier, just started with an empty store (includes what a young node pages in as it warms up, which the twin shows without storing anything: ${mib(twinEmpty)} → ${mib(twinFull)})`,
            ours: mib(full),
            baseline: `${mib(empty)}, the same container then`,
            ratio: `${(full / empty).toFixed(2)}×`,
            target: '— (the twin is the baseline)',
          });
        } finally {
          await scraper.stop();
        }
      }),
    );
  } finally {
    await agent.close().catch(() => undefined);
  }
}

