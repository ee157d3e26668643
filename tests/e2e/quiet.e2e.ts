// End to end for issue #12 ("A quiet node"): after a burst of small puts the cluster is back to its
// idle CPU within 30 s, and no healthy node is declared dead on the way.
//
// At the size: the Compose file's 20 peers + 2 supernodes and 2 000 puts from 32 clients.
// It ran at 8 + 2 and 900 puts while a 22-container burst still caused false deaths now and then
// (one CI run of three on 2026-12-05 morning, one bench run of three that afternoon). Since the
// SWIM ack deadline follows the round trips a prober observes, a suspicion needs three accusers
// before its minimum timeout and a refutation is pushed at once (issue #12), the quiet bench's
// burst at 1505c68 counted 3 suspicions in all (0.10 per node per minute) and no death.
//
// On a noisy 2-core machine the comparison is generous and per node: in a 10 s window ending at
// most 30 s after the last put, every node's process CPU (Δ process_cpu_seconds_total from its own
// /metrics) is at most 2× its own pre-burst idle rate + 1 % of a core. The idle rate is measured
// once every node has made its start-up memory release, then until the CPU stopped falling;
// /metrics is read at the same 2 s cadence as afterwards, so reading it costs the same in both.
// Until 2026-12-07 the test also waited for every node's first bucket refresh check (up 3/8 of the
// refresh interval + 10 s, ~235 s): a refresh then looked up every bucket its join did not use in
// full, ~0.3 s of CPU per node, and when it fell in the 30 s after the burst a few nodes stayed
// "busy" (2026-12-06: 3 of 6 runs failed or passed only at 27 s, with 5–12 lookups on those
// nodes). Since 42ad553 a refresh lookup whose first round names nobody new ends there (α queries
// per bucket in a cluster whose tables hold everyone), a few milliseconds of CPU.
//
// Deaths are counted from the nodes' own "member dead" log lines (each node logs every death it
// applies), which also catches a member that was declared dead and refuted it a second later;
// /v1/peers and the dead-members gauge must list nobody dead at the end either.
import './support/env.ts';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DockerComposeEnvironment, type StartedDockerComposeEnvironment } from 'testcontainers';
import { waitFor } from '@peerweave/core/testing';
import { HTTP_PORT } from './support/env.ts';
import { getJson, http } from './support/http.ts';

const PEERS = 20;
const NODES = PEERS + 2;
const PUTS = 2000;
const CLIENTS = 32;
const OBJECT_BYTES = 4 * 1024;
const SAMPLE_MS = 2_000;
const WINDOW_MS = 10_000;
const RETURN_DEADLINE_MS = 30_000;
/** Per node: back to idle when its rate is at most IDLE_FACTOR × its idle rate + IDLE_SLACK cores. */
const IDLE_FACTOR = 2;
const IDLE_SLACK = 0.01;
const root = fileURLToPath(new URL('../..', import.meta.url));
const exec = promisify(execFile);

interface Sample {
  at: number;
  cpu: number[];
  suspicions: number[];
  dead: number[];
  releases: number[];
}

const metric = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (line === undefined) throw new Error(`no ${series} in /metrics`);
  return Number(line.slice(series.length + 1));
};

describe(`a quiet node: ${PEERS} peers + 2 supernodes after ${PUTS} puts`, { timeout: 600_000 }, () => {
  let env: StartedDockerComposeEnvironment | undefined;
  const names = [...Array.from({ length: PEERS }, (_, i) => `peer-${i + 1}`), 'supernode-1', 'supernode-2'];
  const ids = new Map<string, string>();
  const url = (name: string, path: string): string => {
    const c = env!.getContainer(name);
    return `http://${c.getHost()}:${c.getMappedPort(HTTP_PORT)}${path}`;
  };
  const sample = async (): Promise<Sample> => {
    const texts = await Promise.all(names.map(async (n) => (await http<string>(url(n, '/metrics'), { timeoutMs: 10_000 })).text));
    return {
      at: performance.now(),
      cpu: texts.map((t) => metric(t, 'process_cpu_seconds_total')),
      suspicions: texts.map((t) => metric(t, 'peerweave_swim_suspicions_total')),
      dead: texts.map((t) => metric(t, 'peerweave_swim_members{state="dead"}')),
      releases: texts.map((t) => metric(t, 'peerweave_memory_releases_total')),
    };
  };
  /** Cores per node between two samples. */
  const rates = (a: Sample, b: Sample): number[] => b.cpu.map((c, i) => (c - a.cpu[i]!) / ((b.at - a.at) / 1000));
  const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;
  let idleFrom = 0;
  let idle: number[] = [];
  let burstStart: Sample | undefined;
  let burstEnd: Sample | undefined;

  before(async () => {
    env = await new DockerComposeEnvironment(root, 'docker-compose.yml')
      .withProjectName(`testcontainers-pw-quiet-${randomUUID().slice(0, 8)}`)
      .withClientOptions({ commandOptions: ['--scale', `peer=${PEERS}`] })
      .withStartupTimeout(180_000)
      .up();
  });

  after(async () => {
    await env?.down({ timeout: 1_000, removeVolumes: true });
  });

  it(`converges: all ${NODES} nodes list the other ${NODES - 1} alive`, async () => {
    for (const n of names) ids.set(n, (await getJson<{ id: string }>(url(n, '/v1/status'))).id);
    await waitFor(
      async () => {
        const views = await Promise.all(names.map((n) => getJson<{ self: string; peers: { id: string; state: string }[] }>(url(n, '/v1/peers'))));
        return views.every((v) => [...ids.values()].every((id) => id === v.self || v.peers.some((p) => p.id === id && p.state === 'alive')));
      },
      { timeoutMs: 90_000, intervalMs: 500, what: `all ${NODES} nodes to list the other ${NODES - 1} alive` },
    );
  });

  it('settles to an idle rate: the CPU stops falling once start-up work is done', async (t) => {
    // Start-up work first: each node's start-up memory release (a full collection once the node has
    // been quiet for a few seconds; see libs/telemetry memory-release.ts).
    await waitFor(async () => (await sample()).releases.every((r) => r >= 1), {
      timeoutMs: 180_000,
      intervalMs: SAMPLE_MS,
      what: 'every node past its start-up memory release',
    });
    // Successive 10 s windows of the cluster's summed CPU, until two agree within 30 % (+ 0.5 % of a
    // core); start-up (self-lookup, JIT, first anti-entropy rounds) makes the first ones higher.
    let prev = await sample();
    let prevRate: number | undefined;
    await waitFor(
      async () => {
        const cur = await sample();
        const rate = rates(prev, cur).reduce((a, b) => a + b, 0);
        prev = cur;
        const last = prevRate;
        prevRate = rate;
        return last !== undefined && Math.abs(rate - last) <= 0.3 * Math.max(rate, last) + 0.005;
      },
      { timeoutMs: 180_000, intervalMs: WINDOW_MS, what: 'two successive 10 s windows of cluster CPU to agree' },
    );
    // The idle reference: 30 s read at the same cadence as after the burst.
    idleFrom = Date.now();
    const first = await sample();
    let last = first;
    while (last.at - first.at < 30_000) {
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
      last = await sample();
    }
    idle = rates(first, last);
    t.diagnostic(`idle per node: ${idle.map(pct).join(', ')} of a core; Σ ${pct(idle.reduce((a, b) => a + b, 0))}`);
    assert.equal(idle.length, NODES);
  });

  it(`after ${PUTS} × 4 KiB puts from ${CLIENTS} clients every node is back to idle within 30 s`, async (t) => {
    assert.equal(idle.length, NODES, 'the idle rate was measured');
    burstStart = await sample();
    const peers = names.slice(0, PEERS);
    let next = 0;
    let acknowledged = 0;
    const failures = new Map<string, number>();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        while (next < PUTS) {
          next++;
          const r = await http(url(peers[client % PEERS]!, '/v1/objects'), {
            method: 'POST',
            body: randomBytes(OBJECT_BYTES),
            headers: { 'content-type': 'application/octet-stream' },
            timeoutMs: 30_000,
          }).catch((err: unknown) => ({ status: 0, text: String(err) }));
          if (r.status === 201) acknowledged++;
          else failures.set(`${r.status} ${r.text.slice(0, 80)}`, (failures.get(`${r.status} ${r.text.slice(0, 80)}`) ?? 0) + 1);
        }
      }),
    );
    const burstSeconds = (performance.now() - t0) / 1000;
    burstEnd = await sample();
    const during = rates(burstStart, burstEnd);
    t.diagnostic(`burst: ${acknowledged}/${PUTS} acknowledged in ${burstSeconds.toFixed(1)} s; Σ CPU ${pct(during.reduce((a, b) => a + b, 0))}; failures ${JSON.stringify(Object.fromEntries(failures))}`);
    // The burst must have been real work, or being idle after it proves nothing.
    assert.ok(acknowledged >= 0.95 * PUTS, `only ${acknowledged} of ${PUTS} puts acknowledged: ${JSON.stringify(Object.fromEntries(failures))}`);

    const samples: Sample[] = [burstEnd];
    let worst = '';
    await waitFor(
      async () => {
        const cur = await sample();
        samples.push(cur);
        const from = samples.findLast((s) => cur.at - s.at >= WINDOW_MS);
        if (from === undefined) return false;
        const now = rates(from, cur);
        const over = now.flatMap((r, i) => (r > IDLE_FACTOR * idle[i]! + IDLE_SLACK ? [`${names[i]} ${pct(r)} (idle ${pct(idle[i]!)})`] : []));
        worst = over.join(', ');
        if (over.length > 0) return false;
        t.diagnostic(`back to idle ${((cur.at - burstEnd!.at) / 1000).toFixed(1)} s after the last put: ${now.map(pct).join(', ')}`);
        return true;
      },
      { timeoutMs: RETURN_DEADLINE_MS, intervalMs: SAMPLE_MS, what: `every node within ${IDLE_FACTOR}× its idle CPU + ${100 * IDLE_SLACK} % of a core` },
    ).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}; still busy: ${worst}`);
    });
  });

  it('no node was declared dead, during the burst or after it', async (t) => {
    assert.ok(burstStart, 'the burst ran');
    const end = await sample();
    const suspicions = end.suspicions.reduce((a, b, i) => a + b - burstStart!.suspicions[i]!, 0);
    t.diagnostic(`suspicions since the burst started: ${suspicions} (${((suspicions / NODES / ((end.at - burstStart.at) / 60_000)) || 0).toFixed(2)} per node per minute)`);
    const deaths: string[] = [];
    for (const n of names) {
      const { stdout } = await exec('docker', ['logs', '--since', String(Math.floor(idleFrom / 1000) - 1), env!.getContainer(n).getId()], { maxBuffer: 64 * 1024 * 1024 });
      for (const line of stdout.split('\n')) {
        if (!line.includes('"member dead"')) continue;
        const e = JSON.parse(line) as { time: string; member: string };
        if (Date.parse(e.time) >= idleFrom) deaths.push(`${n} declared ${e.member.slice(0, 12)} dead at ${e.time}`);
      }
    }
    assert.deepEqual(deaths, [], 'no member declared dead since the idle window began');
    const views = await Promise.all(names.map((n) => getJson<{ count: number }>(url(n, '/v1/peers?state=dead'))));
    assert.deepEqual(views.map((v) => v.count), names.map(() => 0), 'nobody lists a dead member');
    assert.deepEqual(end.dead, names.map(() => 0), 'peerweave_swim_members{state="dead"} is 0 everywhere');
  });
});
