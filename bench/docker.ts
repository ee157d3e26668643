import { execFile, execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const exec = promisify(execFile);

/**
 * `docker run` arguments that admit a lone peer container as a Compose cluster's nodes are admitted
 * (issue #15: a node starts only with a cluster CA, or with PEERWEAVE_INSECURE): the CA and its key
 * `scripts/setup.sh` made in .peerweave/ca, bind-mounted where Compose puts its secrets.
 */
export function clusterCaArgs(): string[] {
  const ca = fileURLToPath(new URL('../.peerweave/ca/', import.meta.url));
  return [
    '-v', `${ca}ca.crt:/run/secrets/cluster_ca:ro`,
    '-v', `${ca}ca.key:/run/secrets/cluster_ca_key:ro`,
    '-e', 'PEERWEAVE_CLUSTER_CA=/run/secrets/cluster_ca',
    '-e', 'PEERWEAVE_CLUSTER_CA_KEY=/run/secrets/cluster_ca_key',
  ];
}

export async function docker(args: string[], timeoutMs = 300_000): Promise<string> {
  const { stdout } = await exec('docker', args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** Resident set size of the container's main process, in bytes, read from /proc inside it. */
/** http://127.0.0.1:<port> where `container`'s `port` (default 8080) is published on the host. */
export async function hostUrl(container: string, port = 8080): Promise<string> {
  const host = (await docker(['port', container, `${port}/tcp`])).split('\n')[0]!.split(':').pop();
  return `http://127.0.0.1:${host}`;
}

/**
 * Runs `cleanup` (synchronously) if SIGINT or SIGTERM arrives, then lets the signal end the
 * process as it would have; returns the function that stops listening, for a `finally`.
 */
export function cleanupOnSignal(cleanup: () => void): () => void {
  const onSignal = (sig: NodeJS.Signals): void => {
    cleanup();
    process.kill(process.pid, sig);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** Removes a container and its anonymous volumes, on the way out: a failure is ignored. */
export function removeContainerSync(id: string | undefined): void {
  if (!id) return;
  try {
    execFileSync('docker', ['rm', '-fv', id], { stdio: 'ignore', timeout: 60_000 });
  } catch {
    // nothing more to do on the way out
  }
}

/**
 * Runs a container (`docker run -d` with the bench label and `runArgs`), hands its id to `fn` and
 * removes it afterwards, also when `fn` throws or SIGINT/SIGTERM arrives meanwhile.
 */
export async function withContainer<T>(runArgs: string[], fn: (id: string) => Promise<T>): Promise<T> {
  let id: string | undefined;
  const stopListening = cleanupOnSignal(() => removeContainerSync(id));
  try {
    id = await docker(['run', '-d', '--label', 'peerweave.bench=true', ...runArgs]);
    return await fn(id);
  } finally {
    stopListening();
    if (id) await docker(['rm', '-fv', id]).catch(() => undefined);
  }
}

/** `docker compose … down` with the project's volumes; `compose` is the command up to the verb. */
export async function composeDown(compose: string[]): Promise<void> {
  await docker([...compose, 'down', '--volumes', '--timeout', '1'], 120_000);
}

/** composeDown, synchronously, on the way out (a signal handler): a failure is ignored. */
export function composeDownSync(compose: string[]): void {
  try {
    execFileSync('docker', [...compose, 'down', '--volumes', '--timeout', '1'], { stdio: 'ignore', timeout: 120_000 });
  } catch {
    // nothing more to do on the way out
  }
}

export async function containerRss(id: string, pid = 1): Promise<number> {
  const out = await docker([
    'exec',
    id,
    'node',
    '-e',
    `const s=require('fs').readFileSync('/proc/${pid}/status','utf8');console.log(/VmRSS:\\s+(\\d+)/.exec(s)[1])`,
  ]);
  return Number(out) * 1024;
}

export async function waitHealthy(ids: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = (await docker(['inspect', '-f', '{{.State.Health.Status}}', ...ids])).split('\n');
    if (states.every((s) => s === 'healthy')) return;
    if (Date.now() > deadline) throw new Error(`containers not healthy after ${timeoutMs} ms: ${states.join(',')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One line of the bench table: a figure beside its same-run baseline. */
export interface Row {
  figure: string;
  ours: string;
  baseline: string;
  ratio: string;
  target: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Runs `fn` over `items`, `n` at a time. */
export async function mapLimit<T, U>(items: T[], n: number, fn: (item: T, i: number) => Promise<U>): Promise<U[]> {
  const out = new Array<U>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Idle RSS of one container of `image` running `command` (the image's CMD when undefined): started
 * with the bench label, healthy, 3 s for start-up garbage to settle, then VmRSS of its main process.
 * The container is removed whatever happens.
 */
/** How long a container idles after healthy before its RSS is read (BENCH_IDLE_RSS_WAIT_S, default 45). */
const IDLE_RSS_WAIT_MS = 1000 * Number(process.env.BENCH_IDLE_RSS_WAIT_S ?? 45);

export async function idleContainerRss(image: string, command: string[] | undefined): Promise<number> {
  // The peer needs its cluster CA to start; the bare server (a command) ignores it.
  const admission = command === undefined ? clusterCaArgs() : [];
  const id = await docker(['run', '-d', '--label', 'peerweave.bench=true', ...admission, image, ...(command ?? [])]);
  try {
    await waitHealthy([id], 60_000);
    // Idle means idle for a while: a peer gives back its start-up garbage after 30 s of quiet
    // (libs/telemetry MEMORY_RELEASE_QUIET_CHECKS); the bare server waits as long.
    await sleep(IDLE_RSS_WAIT_MS);
    return await containerRss(id);
  } finally {
    await docker(['rm', '-fv', id]);
  }
}

/**
 * Host pid of the Node process of a container: its main process, or the child of docker-init when
 * the container runs with `--init` (Compose `init: true`), so the init's own ticks are not counted.
 */
export async function nodeProcessPid(container: string): Promise<number> {
  const pid = Number(await docker(['inspect', '-f', '{{.State.Pid}}', container]));
  const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8');
  if (!cmd.startsWith('/sbin/docker-init') && !cmd.startsWith('docker-init')) return pid;
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean);
  if (children.length !== 1) throw new Error(`${container.slice(0, 12)}: docker-init has ${children.length} children`);
  return Number(children[0]);
}

/**
 * CPU seconds of a host process so far: the on-CPU time of each of its threads from
 * /proc/<pid>/task/<tid>/schedstat (the scheduler's sum_exec_runtime in ns, from which getrusage,
 * hence process.cpuUsage() and prom-client's `process_cpu_seconds_total`, is derived). The
 * utime + stime of /proc/<pid>/stat count in 10 ms ticks, too coarse for a process that idles at
 * a few ms per minute; they are the fallback where schedstat is missing.
 */
export async function procCpuSeconds(pid: number): Promise<number> {
  const schedstat = async (tid: string): Promise<number> => Number((await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')).split(' ')[0]);
  const main = await schedstat(String(pid)).catch(() => undefined);
  if (main === undefined) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }
  // A thread that ends between the listing and its read counts 0 (Node's threads live as long as it).
  const others = await Promise.all((await readdir(`/proc/${pid}/task`)).filter((t) => t !== String(pid)).map((t) => schedstat(t).catch(() => 0)));
  return (main + others.reduce((a, b) => a + b, 0)) / 1e9;
}

/** Prometheus text exposition → value by series (`name` or `name{labels}` as printed). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** One node of a {@link ComposeCluster}: its container, service, host URL of its HTTP port, and node id. */
export interface ClusterNode {
  container: string;
  service: 'peer' | 'supernode';
  url: string;
  /** Node id from /v1/status; empty for a baseline server, which has none. */
  id: string;
}

/**
 * The repository's Compose file (plus an optional overlay) under its own project name, scaled to
 * `peers` peers and the file's 2 supernodes. `down()` removes every container, the network and the
 * anonymous volumes; `downSync()` does the same from a signal handler.
 */
export class ComposeCluster {
  readonly compose: string[];
  readonly project: string;
  readonly peers: number;
  nodes: ClusterNode[] = [];
  constructor(root: string, project: string, peers: number, overlay?: string) {
    this.project = project;
    this.peers = peers;
    this.compose = ['compose', '-p', project, '-f', `${root}/docker-compose.yml`, ...(overlay ? ['-f', `${root}/${overlay}`] : [])];
  }
  /** `up --wait` (every container healthy), then each node's host URL. Seconds it took. */
  async up(): Promise<number> {
    const t0 = Date.now();
    await docker([...this.compose, 'up', '-d', '--scale', `peer=${this.peers}`, '--wait', '--wait-timeout', '300'], 330_000);
    for (const service of ['peer', 'supernode'] as const) {
      const ids = (await docker([...this.compose, 'ps', '-q', service])).split('\n').filter(Boolean);
      for (const container of ids) {
        this.nodes.push({ container, service, url: await hostUrl(container), id: '' });
      }
    }
    return (Date.now() - t0) / 1000;
  }
  /** Fills in every node's id from its /v1/status. */
  async readIds(get: (url: string) => Promise<{ id: string }>): Promise<void> {
    await Promise.all(this.nodes.map(async (n) => (n.id = (await get(`${n.url}/v1/status`)).id)));
  }
  /** Until every node lists every other node alive in /v1/peers. */
  async converged(get: (url: string) => Promise<{ peers: { id: string; state: string }[] }>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const views = await Promise.all(this.nodes.map((n) => get(`${n.url}/v1/peers`).catch(() => undefined)));
      const ok = views.every((v, i) => v !== undefined && this.nodes.every((o, j) => j === i || v.peers.some((p) => p.id === o.id && p.state === 'alive')));
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`cluster did not converge in ${timeoutMs} ms`);
      await sleep(500);
    }
  }
  down(): Promise<void> {
    return composeDown(this.compose);
  }
  downSync(): void {
    composeDownSync(this.compose);
  }
}
