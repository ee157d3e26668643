// Routing figures for `npm run bench`: convergence and failure detection of the real image under
// Compose, and the simulator at scale.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { docker, percentile, waitHealthy } from './docker.ts';

const exec = promisify(execFile);

interface PeersView {
  self: string;
  peers: { id: string; state: string }[];
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) throw new Error(`${url} → ${res.status}`);
  return (await res.json()) as T;
}

export interface ClusterFigures {
  healthySeconds: number;
  convergedSeconds: number;
  detectionMs: number[];
}

/**
 * `up` of 20 peers + 2 supernodes; seconds until all are healthy and until every node lists every
 * other alive; then `kills` times: SIGKILL one peer and record, for every other node, how long
 * until it lists the victim dead (restarting the victim in between).
 */
export async function clusterFigures(root: string, kills: number): Promise<ClusterFigures> {
  const project = `pwbench-routing-${process.pid}`;
  const compose = ['compose', '-p', project, '-f', `${root}/docker-compose.yml`];
  const started = Date.now();
  try {
    await docker([...compose, 'up', '-d', '--scale', 'peer=20']);
    const ids = (await docker([...compose, 'ps', '-q'])).split('\n').filter(Boolean);
    await waitHealthy(ids, 300_000);
    const healthySeconds = (Date.now() - started) / 1000;
    const urls = new Map<string, string>();
    for (const id of ids) {
      const port = (await docker(['port', id, '8080/tcp'])).split('\n')[0]!.split(':').pop();
      urls.set(id, `http://127.0.0.1:${port}`);
    }
    const nodeIds = new Map<string, string>();
    for (const [c, u] of urls) nodeIds.set(c, (await getJson<{ id: string }>(`${u}/v1/status`)).id);
    const allAlive = async (): Promise<boolean> => {
      const views = await Promise.all([...urls.values()].map((u) => getJson<PeersView>(`${u}/v1/peers`).catch(() => undefined)));
      return views.every((v) => v !== undefined && [...nodeIds.values()].every((id) => id === v.self || v.peers.some((p) => p.id === id && p.state === 'alive')));
    };
    while (!(await allAlive())) {
      if (Date.now() - started > 300_000) throw new Error('cluster did not converge in 300 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const convergedSeconds = (Date.now() - started) / 1000;

    const detectionMs: number[] = [];
    const peers = [...urls.keys()].slice(0, 20);
    for (let k = 0; k < kills; k++) {
      const victim = peers[(k * 7 + 3) % peers.length]!;
      const victimId = nodeIds.get(victim)!;
      const observers = [...urls.entries()].filter(([c]) => c !== victim);
      const t0 = Date.now();
      await docker(['kill', '-s', 'KILL', victim]);
      const seen = new Map<string, number>();
      while (seen.size < observers.length && Date.now() - t0 < 60_000) {
        await Promise.all(
          observers
            .filter(([c]) => !seen.has(c))
            .map(async ([c, u]) => {
              const v = await getJson<PeersView>(`${u}/v1/peers`).catch(() => undefined);
              if (v?.peers.some((p) => p.id === victimId && p.state === 'dead')) seen.set(c, Date.now() - t0);
            }),
        );
        await new Promise((r) => setTimeout(r, 50));
      }
      detectionMs.push(...seen.values());
      await docker(['start', victim]).catch(() => '');
      // Let it rejoin and the network settle before the next kill.
      const t1 = Date.now();
      await new Promise((r) => setTimeout(r, 1_000));
      const port = (await docker(['port', victim, '8080/tcp'])).split('\n')[0]!.split(':').pop();
      urls.set(victim, `http://127.0.0.1:${port}`);
      while (!(await allAlive().catch(() => false)) && Date.now() - t1 < 60_000) await new Promise((r) => setTimeout(r, 200));
    }
    return { healthySeconds, convergedSeconds, detectionMs };
  } finally {
    await docker([...compose, 'down', '--volumes', '--timeout', '1']);
  }
}

export interface SimFigures {
  holdersLeft: number;
  nodes: number;
  hops: { p50: number; p90: number; p99: number; max: number };
  lookupSuccess: number;
  table: { mean: number };
  messagesPerNodePerSecond: number;
  detectionSimSeconds: number;
  falseDeaths: number;
  realSeconds: number;
}

export async function simFigures(root: string, nodes: number, lookups: number): Promise<SimFigures> {
  const { stdout } = await exec(
    process.execPath,
    [
      '--max-old-space-size=14000',
      `${root}/apps/sim/src/main.ts`,
      '--nodes',
      String(nodes),
      '--lookups',
      String(lookups),
      // At 10 000 nodes a simulated second costs several real ones: bound the slow phases.
      ...(nodes >= 10_000 ? ['--kill', '0', '--loss-periods', '10'] : []),
      '--json',
    ],
    { timeout: 1_800_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as SimFigures;
}

export { percentile };
