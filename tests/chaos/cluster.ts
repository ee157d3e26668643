// The chaos suite's cluster: the Compose file users run (`peer` scaled to N, 2 supernodes), started
// through Testcontainers as tests/e2e/compose.e2e.ts does (the local cluster CA and write token of
// .peerweave/, made by scripts/setup.sh), plus what faults need from the host: each container's
// PID (for nsenter), its address on the Compose network, and its published HTTP port, re-read after
// a restart (Docker gives a restarted container a new ephemeral port).
import '../e2e/support/env.ts';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DockerComposeEnvironment, type StartedDockerComposeEnvironment } from 'testcontainers';
import { waitFor } from '@peerweave/core/testing';
import { HTTP_PORT } from '../e2e/support/env.ts';
import { getJson, http } from '../e2e/support/http.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

/** `docker <args>`: stdout, trimmed; rejects with docker's stderr. */
export async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args, { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
}

export interface ChaosNode {
  /** Compose name: peer-1 … peer-N, supernode-1, supernode-2. */
  readonly name: string;
  readonly role: 'peer' | 'supernode';
  readonly containerId: string;
  /** Node id (hex), from /v1/status. */
  id: string;
  /** Address on the Compose network. */
  ip: string;
  /** Process id of the container's init, for `nsenter -t <pid> -n`; changes on restart. */
  pid: number;
  /** http://127.0.0.1:<published port>. */
  base: string;
}

export interface PeerView {
  self: string;
  peers: { id: string; state: string; incarnation: number }[];
}

interface Inspect {
  State: { Pid: number; Running: boolean; Paused: boolean };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }>; Ports: Record<string, { HostIp: string; HostPort: string }[] | null> };
}

export class ChaosCluster {
  readonly nodes: ChaosNode[] = [];
  /** Names taken out of the workload's rotation (paused, killed, restarting), as a load balancer's readiness probe would. */
  readonly out = new Set<string>();
  /** Names whose process is stopped or frozen on purpose: no view is expected to list them alive. */
  readonly down = new Set<string>();
  /** When each node last came back from a pause, kill or restart (ms since the epoch). */
  readonly backAt = new Map<string, number>();
  #env: StartedDockerComposeEnvironment | undefined;

  readonly peers: number;

  private constructor(peers: number) {
    this.peers = peers;
  }

  /** `docker compose up --scale peer=<peers>` through Testcontainers; waits until every view lists every node alive. */
  static async start(peers: number, log: (line: string) => void = () => {}): Promise<ChaosCluster> {
    const cluster = new ChaosCluster(peers);
    const started = Date.now();
    try {
      cluster.#env = await new DockerComposeEnvironment(root, 'docker-compose.yml')
        .withProjectName(`testcontainers-chaos-${randomUUID().slice(0, 8)}`)
        .withClientOptions({ commandOptions: ['--scale', `peer=${peers}`] })
        .withStartupTimeout(240_000)
        .up();
      const names = [...Array.from({ length: peers }, (_, i) => `peer-${i + 1}`), 'supernode-1', 'supernode-2'];
      for (const name of names) {
        const containerId = cluster.#env.getContainer(name).getId();
        cluster.nodes.push({ name, role: name.startsWith('peer') ? 'peer' : 'supernode', containerId, id: '', ip: '', pid: 0, base: '' });
      }
      await Promise.all(cluster.nodes.map((n) => cluster.refresh(n)));
      await Promise.all(
        cluster.nodes.map(async (n) => {
          n.id = (await getJson<{ id: string }>(`${n.base}/v1/status`, 10_000)).id;
        }),
      );
      await cluster.waitConverged(120_000);
      log(`cluster of ${peers} peers + 2 supernodes up and converged in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  /** Containers, network and volumes removed (the iptables rules live in the containers' namespaces and go with them). */
  async stop(): Promise<void> {
    const env = this.#env;
    this.#env = undefined;
    if (!env) return;
    // A frozen container cannot be stopped: thaw any left paused by an interrupted scenario.
    await Promise.all(this.nodes.map((n) => docker('unpause', n.containerId).catch(() => {})));
    await env.down({ timeout: 1_000, removeVolumes: true });
  }

  node(name: string): ChaosNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  get peerNodes(): ChaosNode[] {
    return this.nodes.filter((n) => n.role === 'peer');
  }

  /** Nodes whose process runs (not killed, not paused). */
  live(): ChaosNode[] {
    return this.nodes.filter((n) => !this.down.has(n.name));
  }

  /** Nodes the workload may send requests to. */
  serving(): ChaosNode[] {
    return this.nodes.filter((n) => !this.out.has(n.name) && !this.down.has(n.name));
  }

  /** Re-reads a container's PID, address and published port (after a start or restart). */
  async refresh(n: ChaosNode): Promise<void> {
    const [info] = JSON.parse(await docker('inspect', n.containerId)) as Inspect[];
    if (!info) throw new Error(`docker inspect ${n.name}: nothing`);
    n.pid = info.State.Pid;
    n.ip = Object.values(info.NetworkSettings.Networks)[0]?.IPAddress ?? '';
    const port = info.NetworkSettings.Ports[`${HTTP_PORT}/tcp`]?.find((p) => p.HostIp === '127.0.0.1' || p.HostIp === '0.0.0.0')?.HostPort;
    if (info.State.Running && (!port || !n.ip)) throw new Error(`${n.name}: no published port or address yet`);
    n.base = `http://127.0.0.1:${port}`;
  }

  async peersOf(n: ChaosNode, timeoutMs = 3_000): Promise<PeerView> {
    return getJson<PeerView>(`${n.base}/v1/peers`, timeoutMs);
  }

  /**
   * True when every live node's view lists every other live node alive and none dead (the issue's
   * convergence): `undefined` views (a node that did not answer in time) count as not converged.
   */
  async converged(): Promise<boolean> {
    return (await this.unconverged()).length === 0;
  }

  /** What keeps the views from converging: `observer: member state` (or `observer: no answer`). */
  async unconverged(): Promise<string[]> {
    const live = this.live();
    const byId = new Map(this.nodes.map((n) => [n.id, n.name]));
    const views = await Promise.all(live.map(async (n) => [n, await this.peersOf(n).catch(() => undefined)] as const));
    const out: string[] = [];
    for (const [n, v] of views) {
      if (!v) {
        out.push(`${n.name}: no answer`);
        continue;
      }
      const state = new Map(v.peers.map((p) => [p.id, p.state]));
      for (const m of live) if (m.id !== v.self && state.get(m.id) !== 'alive') out.push(`${n.name}: ${byId.get(m.id)} ${state.get(m.id) ?? 'unknown'}`);
    }
    return out;
  }

  /**
   * Polls {@link unconverged} every 250 ms; resolves with the milliseconds it took. `progress`, if
   * given, hears what is still missing about every 2 s.
   */
  async waitConverged(timeoutMs: number, progress?: (line: string) => void): Promise<number> {
    const t0 = Date.now();
    let told = t0;
    await waitFor(
      async () => {
        const missing = await this.unconverged();
        if (progress && missing.length > 0 && Date.now() - told >= 2_000) {
          told = Date.now();
          progress(`+${((told - t0) / 1000).toFixed(1)} s: ${missing.length} pairs not alive, e.g. ${missing.slice(0, 4).join(', ')}`);
        }
        return missing.length === 0;
      },
      { timeoutMs, intervalMs: 250, what: 'every live view to list every live node alive' },
    );
    return Date.now() - t0;
  }

  // ---- process faults (docker) ------------------------------------------------------------------

  async pause(n: ChaosNode): Promise<void> {
    this.out.add(n.name);
    this.down.add(n.name);
    await docker('pause', n.containerId);
  }

  async unpause(n: ChaosNode): Promise<void> {
    await docker('unpause', n.containerId);
    this.backAt.set(n.name, Date.now());
    this.down.delete(n.name);
    this.out.delete(n.name);
  }

  /** SIGKILL (kill -9): the process dies at once, its volume stays. */
  async kill(n: ChaosNode): Promise<void> {
    this.out.add(n.name);
    this.down.add(n.name);
    await docker('kill', '--signal', 'KILL', n.containerId);
  }

  /** Starts a killed node again and waits until it is ready (/readyz 200). */
  async startAgain(n: ChaosNode, timeoutMs = 60_000): Promise<void> {
    await docker('start', n.containerId);
    await this.#untilReady(n, timeoutMs);
  }

  /** `docker restart` (SIGTERM: the node leaves gracefully, then starts); ready again when it answers /readyz. */
  async restart(n: ChaosNode, timeoutMs = 90_000): Promise<number> {
    const t0 = Date.now();
    this.out.add(n.name);
    this.down.add(n.name);
    await docker('restart', '--time', '10', n.containerId);
    await this.#untilReady(n, timeoutMs);
    return Date.now() - t0;
  }

  async #untilReady(n: ChaosNode, timeoutMs: number): Promise<void> {
    await waitFor(
      async () => {
        try {
          await this.refresh(n);
          return (await http(`${n.base}/readyz`, { timeoutMs: 2_000 })).status === 200;
        } catch {
          return false;
        }
      },
      { timeoutMs, intervalMs: 250, what: `${n.name} ready again` },
    );
    this.backAt.set(n.name, Date.now());
    this.down.delete(n.name);
    this.out.delete(n.name);
  }
}
