// Routing figures for `npm run bench`: convergence and failure detection of the real image under
// Compose (the simulator's are in sim.ts).
import { docker, hostUrl, percentile, waitHealthy } from './docker.ts';
import { localAuth } from '../tests/e2e/support/local-token.ts';

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
  /** Wall time of GET /v1/search from random nodes, through the supernodes (mode auto). */
  searchMs: number[];
  /** The same searches forced to flood the overlay (TTL 4). */
  floodMs: number[];
  /** Searches whose answer held the file searched for: through supernodes, by flooding. */
  searchFound: number;
  floodFound: number;
}

interface SearchStatusView {
  attachedTo: unknown[];
  role: string;
}

/**
 * Search latency in the cluster: `files` small files, each with its own keyword, put on different
 * nodes; then searches for them from random nodes, through the supernodes and by flooding.
 */
async function searchLatency(urls: string[], files: number, rounds: number): Promise<Pick<ClusterFigures, 'searchMs' | 'floodMs' | 'searchFound' | 'floodFound'>> {
  const until = Date.now() + 90_000;
  for (;;) {
    const views = await Promise.all(urls.map((u) => getJson<SearchStatusView>(`${u}/v1/search/status`).catch(() => undefined)));
    if (views.every((v) => v !== undefined && (v.role === 'supernode' || v.attachedTo.length > 0))) break;
    if (Date.now() > until) throw new Error('peers did not attach to supernodes within 90 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  const tag = Math.random().toString(36).slice(2, 8);
  const stored: { keyword: string; cid: string }[] = [];
  for (let i = 0; i < files; i++) {
    const keyword = `bench${tag}x${i}`;
    const res = await fetch(`${urls[i % urls.length]}/v1/objects?name=${keyword}.txt&keywords=${keyword},bench`, {
      method: 'POST',
      headers: localAuth(),
      body: `file ${i} ${tag}`,
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status !== 201) throw new Error(`put for the search bench → ${res.status}`);
    stored.push({ keyword, cid: ((await res.json()) as { cid: string }).cid });
  }
  await new Promise((r) => setTimeout(r, 2_000)); // incremental publishes reach the supernodes
  const out = { searchMs: [] as number[], floodMs: [] as number[], searchFound: 0, floodFound: 0 };
  for (let i = 0; i < rounds; i++) {
    const { keyword, cid } = stored[i % stored.length]!;
    for (const [mode, into] of [['auto', out.searchMs], ['flood', out.floodMs]] as const) {
      const url = `${urls[(i * 7 + (mode === 'flood' ? 3 : 0)) % urls.length]}/v1/search?q=${keyword}&mode=${mode}`;
      const t0 = performance.now();
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      const body = (await res.json()) as { hits?: { cid: string }[] };
      into.push(performance.now() - t0);
      if (body.hits?.some((h) => h.cid === cid)) out[mode === 'flood' ? 'floodFound' : 'searchFound']++;
      else console.error(`  search for ${keyword} (${mode}) from ${url.split('/v1')[0]} missed: ${JSON.stringify(body).slice(0, 300)}`);
    }
  }
  return out;
}

/**
 * `up` of 20 peers + 2 supernodes; seconds until all are healthy and until every node lists every
 * other alive; search latency through the supernodes and by flooding; then `kills` times: SIGKILL one peer and record, for every other node, how long
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
      urls.set(id, await hostUrl(id));
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
    const search = await searchLatency([...urls.values()], 20, Number(process.env.BENCH_SEARCHES ?? 100));

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
      urls.set(victim, await hostUrl(victim));
      while (!(await allAlive().catch(() => false)) && Date.now() - t1 < 60_000) await new Promise((r) => setTimeout(r, 200));
    }
    return { healthySeconds, convergedSeconds, detectionMs, ...search };
  } finally {
    await docker([...compose, 'down', '--volumes', '--timeout', '1']);
  }
}

export { percentile };
