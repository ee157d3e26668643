// Peer processes on this machine, without Docker, for the datapath section (bench/datapath.ts):
// each is `node dist/lib/peer/main.mjs` (the bundle `npm run build` makes, as the image runs it:
// no source maps, NODE_ENV=production and the image's malloc tunable), with its own data
// directory, loopback HTTP and gRPC ports, and PEERWEAVE_SEEDS naming nodes started before it.
// A preloaded guard makes each exit when its stdin closes (the bench ended, however it ended) or
// after a safety timeout. Also: the RSS of another process, and Prometheus text parsing.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Agent, request } from 'undici';
import { createClusterCa } from '@peerweave/identity';

const KiB = 1024;

/**
 * What the image runs, read from the Dockerfile so the two cannot drift apart (they did: nodes here
 * once ran glibc without the image's flags): its CMD's node flags (between `node` and the bundle)
 * and the ENV values that shape memory and CPU. The data directory is set per node.
 */
function imageRuntime(): { env: Record<string, string>; nodeArgs: string[] } {
  // Instructions only: the Dockerfile's comments quote flags and values too.
  const text = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
  const cmd = /^CMD (\[.*\])$/m.exec(text)?.[1];
  const argv = cmd === undefined ? undefined : (JSON.parse(cmd) as string[]);
  if (argv?.[0] !== 'node') throw new Error('bench/local-peers: the Dockerfile has no `CMD ["node", ...]` line');
  const env: Record<string, string> = {};
  for (const name of ['NODE_ENV', 'MALLOC_CONF', 'GLIBC_TUNABLES']) {
    const value = new RegExp(`\\b${name}=(\\S+)`).exec(text)?.[1];
    if (value === undefined) throw new Error(`bench/local-peers: the Dockerfile sets no ${name}`);
    env[name] = value;
  }
  return { env, nodeArgs: argv.slice(1, -1) };
}

const { env: IMAGE_ENV, nodeArgs: IMAGE_NODE_ARGS } = imageRuntime();

/**
 * The image preloads the jemalloc the build puts beside the bundle (LD_PRELOAD, Dockerfile); a
 * bundle built without it runs on glibc's malloc with the tunables above, as the image would.
 */
function allocatorEnv(bundle: string): Record<string, string> {
  const jemalloc = join(dirname(bundle), 'libjemalloc.so.2');
  return existsSync(jemalloc) ? { LD_PRELOAD: jemalloc } : {};
}

/** Preloaded into every peer process: exit with the bench (stdin closed) or after `ms`. */
function guard(ms: number): string {
  const js =
    "process.stdin.on('end',()=>process.exit(0));process.stdin.on('error',()=>process.exit(0));process.stdin.resume();" +
    `setTimeout(()=>process.exit(3),${ms}).unref();`;
  return `data:text/javascript,${encodeURIComponent(js)}`;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  srv.close();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface PeerProcess {
  name: string;
  pid: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** 127.0.0.1:<port>, what PEERWEAVE_SEEDS of later nodes name. */
  grpc: string;
  dataDir: string;
  log: string;
  child: ChildProcess;
  /** Its node id, once `started()` returned. */
  id: string;
}

export interface LocalPeersInit {
  /** dist/lib/peer/main.mjs */
  bundle: string;
  /** Where data directories go (a folder this object may fill and the caller removes). */
  dir: string;
  /** Where each node's log goes (default `dir`). */
  logDir?: string;
  /** PEERWEAVE_* for every node (preset, replication…); each node's own come on top. */
  env: Record<string, string>;
  safetyMs: number;
  /** Sees every process started, so the caller can kill them on a signal. */
  onChild?: (child: ChildProcess) => void;
}

/** A set of peer processes; `killAll()` ends them (SIGKILL: their data directories are thrown away). */
export class LocalPeers {
  readonly #init: LocalPeersInit;
  readonly peers: PeerProcess[] = [];
  readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 8, headersTimeout: 0, bodyTimeout: 0 });

  #ca: Promise<Record<string, string>> | undefined;

  constructor(init: LocalPeersInit) {
    this.#init = init;
  }

  /**
   * A node needs a cluster certificate or PEERWEAVE_INSECURE=true. Unless the caller's env names
   * either, every node of this set gets one fresh CA (files in `dir`) and issues itself a
   * certificate: the benches measure mutual TLS, as users run it (bench/mtls.ts compares the two).
   */
  #admission(env: Record<string, string>): Promise<Record<string, string>> {
    if (env.PEERWEAVE_CLUSTER_CA !== undefined || env.PEERWEAVE_INSECURE !== undefined) return Promise.resolve({});
    return (this.#ca ??= (async () => {
      const ca = await createClusterCa({ commonName: 'peerweave bench CA' });
      const cert = join(this.#init.dir, 'bench-ca.crt');
      const key = join(this.#init.dir, 'bench-ca.key');
      writeFileSync(cert, ca.certPem);
      writeFileSync(key, ca.keyPem, { mode: 0o600 });
      return { PEERWEAVE_CLUSTER_CA: cert, PEERWEAVE_CLUSTER_CA_KEY: key };
    })());
  }

  /**
   * Starts one node joining through `seeds` (none for the first); resolves once it answers
   * /v1/status. Ports are picked free just before; a node that lost one to another process in
   * between is started again on others.
   */
  async start(name: string, seeds: readonly PeerProcess[], env: Record<string, string> = {}): Promise<PeerProcess> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#start(name, seeds, env);
      } catch (err) {
        if (attempt >= 3 || !(err instanceof Error && err.message.includes('EADDRINUSE'))) throw err;
      }
    }
  }

  async #start(name: string, seeds: readonly PeerProcess[], env: Record<string, string>): Promise<PeerProcess> {
    const dataDir = join(this.#init.dir, name);
    mkdirSync(dataDir, { recursive: true });
    const admission = await this.#admission({ ...this.#init.env, ...env });
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const log = join(this.#init.logDir ?? this.#init.dir, `${name}.log`);
    const fd = openSync(log, 'a');
    // Nothing of the bench's own PEERWEAVE_* reaches a node.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PEERWEAVE_')));
    // BENCH_NODE_ARGS adds flags to every node process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them.
    const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...IMAGE_NODE_ARGS, ...extra, '--import', guard(this.#init.safetyMs), this.#init.bundle], {
      stdio: ['pipe', fd, fd],
      env: {
        ...inherited,
        ...IMAGE_ENV,
        ...allocatorEnv(this.#init.bundle),
        ...admission,
        ...this.#init.env,
        PEERWEAVE_DATA_DIR: dataDir,
        PEERWEAVE_HTTP_HOST: '127.0.0.1',
        PEERWEAVE_HTTP_PORT: String(httpPort),
        PEERWEAVE_GRPC_HOST: '127.0.0.1',
        PEERWEAVE_GRPC_PORT: String(grpcPort),
        PEERWEAVE_ADVERTISE_HOST: '127.0.0.1',
        PEERWEAVE_SEEDS: seeds.map((s) => s.grpc).join(','),
        ...env,
      },
    });
    closeSync(fd);
    this.#init.onChild?.(child);
    child.stdin!.on('error', () => undefined);
    const peer: PeerProcess = { name, pid: child.pid!, url: `http://127.0.0.1:${httpPort}`, grpc: `127.0.0.1:${grpcPort}`, dataDir, log, child, id: '' };
    const deadline = Date.now() + 30_000;
    try {
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) at start: ${this.tail(peer)}`);
        const status = await this.json<{ id: string }>(peer, '/v1/status', 1_000).catch(() => undefined);
        if (status) {
          peer.id = status.id;
          this.peers.push(peer);
          return peer;
        }
        if (Date.now() > deadline) throw new Error(`${name} did not answer in 30 s: ${this.tail(peer)}`);
        await sleep(50);
      }
    } catch (err) {
      this.kill(peer);
      throw err;
    }
  }

  /** Until each of `nodes` lists every other of `peers` alive (default: all of them). */
  async converged(timeoutMs: number, nodes: readonly PeerProcess[] = this.peers, peers: readonly PeerProcess[] = this.peers): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const views = await Promise.all(nodes.map((n) => this.json<{ peers: { id: string; state: string }[] }>(n, '/v1/peers', 2_000).catch(() => undefined)));
      const ok = views.every((v, i) => v !== undefined && peers.every((o) => o === nodes[i] || v.peers.some((p) => p.id === o.id && p.state === 'alive')));
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`nodes did not list each other alive within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  async json<T>(peer: PeerProcess, path: string, timeoutMs = 30_000): Promise<T> {
    const res = await request(`${peer.url}${path}`, { dispatcher: this.agent, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${peer.name} ${path} → ${res.statusCode} ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }

  async metrics(peer: PeerProcess): Promise<Metrics> {
    const res = await request(`${peer.url}/metrics`, { dispatcher: this.agent, signal: AbortSignal.timeout(10_000) });
    return parseMetrics(await res.body.text());
  }

  /** The last lines of a node's log, for error messages. */
  tail(peer: PeerProcess, chars = 600): string {
    try {
      return readFileSync(peer.log, 'utf8').slice(-chars).trim() || '(empty log)';
    } catch {
      return '(no log)';
    }
  }

  kill(peer: PeerProcess): void {
    peer.child.stdin?.destroy();
    if (peer.child.exitCode === null && peer.child.signalCode === null) peer.child.kill('SIGKILL');
  }

  async killAll(): Promise<void> {
    const exits = this.peers.filter((p) => p.child.exitCode === null && p.child.signalCode === null).map((p) => once(p.child, 'exit'));
    if (process.env.BENCH_NODE_ARGS) {
      // Profiling: closing stdin makes each node exit by itself, which writes its profile.
      for (const p of this.peers) p.child.stdin?.end();
      await Promise.race([Promise.all(exits), sleep(10_000)]);
    }
    for (const p of this.peers) this.kill(p);
    await Promise.race([Promise.all(exits), sleep(5_000)]);
    await this.agent.close();
  }
}

/** Prometheus text: series name → [labels, value][]. */
export type Metrics = Map<string, [Record<string, string>, number][]>;

export function parseMetrics(text: string): Metrics {
  const out: Metrics = new Map();
  for (const line of text.split('\n')) {
    // A labelled counter nothing incremented yet has its TYPE line and no sample: it is 0, not absent.
    const declared = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) /.exec(line);
    if (declared && !out.has(declared[1]!)) out.set(declared[1]!, []);
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    const list = out.get(m[1]!) ?? [];
    list.push([labels, Number(m[3])]);
    out.set(m[1]!, list);
  }
  return out;
}

/** Sum of a series over the label sets matching `where`; undefined when the node exports no such series. */
export function metricSum(m: Metrics, name: string, where: Record<string, string> = {}): number | undefined {
  const series = m.get(name);
  if (series === undefined) return undefined;
  return series.filter(([labels]) => Object.entries(where).every(([k, v]) => labels[k] === v)).reduce((s, [, v]) => s + v, 0);
}

function procStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const kib = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib);
  } catch {
    return undefined;
  }
}

/**
 * The RSS of process `pid` from now until `end()`: its RSS now, and the highest since, from the
 * kernel's high-water mark (VmHWM, reset by writing 5 to /proc/<pid>/clear_refs) and from samples
 * every 20 ms (either alone if the other is not available).
 */
export function rssSampler(pid: number): { end(): { start: number; peak: number } } {
  const start = (procStatusKiB(pid, 'VmRSS') ?? 0) * KiB;
  let kernel = false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    kernel = procStatusKiB(pid, 'VmHWM') !== undefined;
  } catch {
    kernel = false;
  }
  let peak = start;
  const sample = (): void => {
    peak = Math.max(peak, (procStatusKiB(pid, 'VmRSS') ?? 0) * KiB);
  };
  const timer = setInterval(sample, 20);
  let result: { start: number; peak: number } | undefined;
  return {
    end: () => {
      if (result) return result;
      clearInterval(timer);
      sample();
      const hwm = kernel ? (procStatusKiB(pid, 'VmHWM') ?? 0) * KiB : 0;
      result = { start, peak: Math.max(peak, hwm) };
      return result;
    },
  };
}

/** Bytes the process `pid` has sent on its TCP sockets now open, by socket (`ss -tinp`); undefined without `ss`. */
export async function tcpBytesSent(pid: number): Promise<Map<string, number> | undefined> {
  const out = await new Promise<string | undefined>((resolve) =>
    execFile('ss', ['-tinpH'], { maxBuffer: 16 * 1024 * 1024, timeout: 10_000 }, (err, stdout) => resolve(err ? undefined : stdout)),
  );
  if (out === undefined) return undefined;
  // Each socket: a line "STATE recv send local peer users:((...pid=N...))", then an indented info line.
  const sockets = new Map<string, number>();
  const lines = out.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.includes(`pid=${pid},`)) continue;
    const cols = line.trim().split(/\s+/);
    const key = `${cols[3]}>${cols[4]}`;
    const info = lines[i + 1] ?? '';
    // A socket that never sent anything has no bytes_sent field.
    sockets.set(key, Number(/bytes_sent:(\d+)/.exec(info)?.[1] ?? 0));
  }
  return sockets;
}

/** Bytes the process wrote through write(2) and friends so far (sockets and files), from /proc/<pid>/io. */
export function procWchar(pid: number): number | undefined {
  try {
    const v = /wchar:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1];
    return v === undefined ? undefined : Number(v);
  } catch {
    return undefined;
  }
}

