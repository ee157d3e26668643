// End to end for the Compose profile `monitoring`: 20 peers, 2 supernodes and the Prometheus the
// profile adds (image from scripts/setup.d/20-prometheus.sh, config and rules from deploy/prometheus).
// Prometheus finds every node by DNS and scrapes it healthy; a put through the HTTP API shows in the
// put-rate recording rule; a `docker kill`ed peer raises PeerweaveNodeDown (pending or firing)
// within the alert's `for`. All 22 nodes, as in the issue: starting them is most of the ~1.5 min.
import './support/env.ts';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { DockerComposeEnvironment, getContainerRuntimeClient, type StartedDockerComposeEnvironment } from 'testcontainers';
import { waitFor } from '@peerweave/core/testing';
import { HTTP_PORT } from './support/env.ts';
import { getJson, http } from './support/http.ts';

const PEERS = 20;
const NODES = PEERS + 2;
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Targets {
  data: { activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] };
}
interface Vector {
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}
interface Alerts {
  data: { alerts: { labels: Record<string, string>; state: 'pending' | 'firing' }[] };
}

/** An alert's `for` from deploy/prometheus/rules, in milliseconds. */
async function alertFor(name: string): Promise<number> {
  const doc = parse(await readFile(`${root}/deploy/prometheus/rules/peerweave-alerts.yml`, 'utf8')) as { groups: { rules: { alert?: string; for?: string }[] }[] };
  const rule = doc.groups.flatMap((g) => g.rules).find((r) => r.alert === name);
  const m = /^(\d+)([sm])$/.exec(rule?.for ?? '');
  assert.ok(m, `${name} has a for of seconds or minutes`);
  return Number(m[1]) * (m[2] === 'm' ? 60_000 : 1_000);
}

describe(`docker compose --profile monitoring up --scale peer=${PEERS}`, { timeout: 300_000 }, () => {
  const project = `testcontainers-pwmon-${randomUUID().slice(0, 8)}`;
  let env: StartedDockerComposeEnvironment | undefined;
  let prometheus = '';
  const nodeUrl = (name: string, path: string): string => {
    const c = env!.getContainer(name);
    return `http://${c.getHost()}:${c.getMappedPort(HTTP_PORT)}${path}`;
  };
  const query = async (promql: string): Promise<Vector['data']['result']> =>
    (await getJson<Vector>(`${prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`)).data.result;

  before(async () => {
    env = await new DockerComposeEnvironment(root, 'docker-compose.yml')
      .withProjectName(project)
      .withProfiles('monitoring')
      // An ephemeral host port: a cluster of the user's may hold 9090.
      .withEnvironment({ PEERWEAVE_PROMETHEUS_PORT: '0' })
      .withClientOptions({ commandOptions: ['--scale', `peer=${PEERS}`] })
      .withStartupTimeout(180_000)
      .up();
    const c = env.getContainer('prometheus-1');
    prometheus = `http://${c.getHost()}:${c.getMappedPort(9090)}`;
  });

  after(async (t) => {
    // Testcontainers' down() does not pass the profile, so Prometheus would stay and hold the
    // network: down the whole project, profile included (this runs also when before() failed).
    const down = (): Promise<unknown> =>
      promisify(execFile)(
        'docker',
        ['compose', '-p', project, '-f', `${root}/docker-compose.yml`, '--profile', 'monitoring', 'down', '--volumes', '--remove-orphans', '--timeout', '1'],
        { cwd: root },
      );
    // Docker 20.10 sometimes keeps a stale endpoint of the container this test SIGKILLed and then
    // refuses to remove the network ("has active endpoints") although no container is left on it
    // (seen once, in a fresh-clone CI run on 2026-12-05; minutes later `docker network rm` and
    // `network disconnect -f` still failed: only a daemon restart clears it). If that network is
    // all that is left (no container, no volume of the project), say so rather than fail a run
    // whose tests passed; the next run's tests/e2e/support/cleanup.ts removes it when it can.
    try {
      await down();
    } catch (err) {
      if (!String((err as { stderr?: string }).stderr ?? err).includes('has active endpoints')) throw err;
      const run = async (args: string[]): Promise<string> => (await promisify(execFile)('docker', args)).stdout.trim();
      const containers = await run(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]);
      const volumes = await run(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]);
      if (containers !== '' || volumes !== '') throw err;
      t.diagnostic(`docker kept the network of ${project} with a stale endpoint (a daemon bug); no container or volume is left`);
    }
  });

  it(`lists all ${NODES} nodes as healthy targets with their role; count(up == 1) is ${NODES}`, async () => {
    // The addresses Docker gave the nodes: discovery must have found exactly these.
    const client = await getContainerRuntimeClient();
    const expected = new Map<string, string>();
    for (const c of (await client.container.list()).filter((c) => c.Labels['com.docker.compose.project'] === project)) {
      const service = c.Labels['com.docker.compose.service']!;
      if (service === 'prometheus') continue;
      const ip = Object.values(c.NetworkSettings.Networks)[0]!.IPAddress;
      expected.set(`${ip}:${HTTP_PORT}`, service);
    }
    assert.equal(expected.size, NODES);
    let last: Targets['data']['activeTargets'] = [];
    await waitFor(
      async () => {
        last = (await getJson<Targets>(`${prometheus}/api/v1/targets?state=active`)).data.activeTargets.filter((t) => t.labels.job!.startsWith('peerweave'));
        return last.length === NODES && last.every((t) => t.health === 'up');
      },
      { timeoutMs: 60_000, intervalMs: 1_000, what: `${NODES} healthy peerweave targets` },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; targets: ${JSON.stringify(last.map((t) => [t.labels.instance, t.health, t.lastError]))}`);
    });
    assert.deepEqual(
      Object.fromEntries(last.map((t) => [t.labels.instance, t.labels.role]).sort()),
      Object.fromEntries([...expected].sort()),
      'every container found, each with its role',
    );
    assert.ok(last.every((t) => t.labels.job === `peerweave-${t.labels.role}`));
    const up = await waitFor(
      async () => {
        const r = await query('count(up{job=~"peerweave.*"} == 1)');
        return r[0]?.value[1] === String(NODES) ? r : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 1_000, what: `count(up == 1) = ${NODES}` },
    );
    assert.equal(up[0]!.value[1], String(NODES));
  });

  it('a put through the HTTP API shows in the put-rate recording rule', async () => {
    const rate = async (): Promise<number> => Number((await query('cluster:peerweave_content_puts:rate1m{outcome="ok"}'))[0]?.value[1] ?? 0);
    assert.equal(await rate(), 0, 'no put yet');
    const put = await http<{ cid: string }>(nodeUrl('peer-4', `/v1/objects?name=monitoring.txt`), {
      method: 'POST',
      body: `watched by Prometheus ${randomUUID()}`,
      headers: { 'content-type': 'text/plain' },
      timeoutMs: 20_000,
    });
    assert.equal(put.status, 201, put.text);
    // One scrape (5 s) and one evaluation (5 s) after the put, with slack for 22 containers on 2 cores.
    const seen = await waitFor(async () => ((await rate()) > 0 ? rate() : undefined), { timeoutMs: 30_000, intervalMs: 1_000, what: 'the put in cluster:peerweave_content_puts:rate1m' });
    assert.ok(seen > 0);
  });

  it('after docker kill of a peer, PeerweaveNodeDown is pending or firing within its `for`', async () => {
    const forMs = await alertFor('PeerweaveNodeDown');
    const client = await getContainerRuntimeClient();
    const killedAt = Date.now();
    await client.container.getById(env!.getContainer('peer-9').getId()).kill({ signal: 'SIGKILL' });
    const state = await waitFor(
      async () => (await getJson<Alerts>(`${prometheus}/api/v1/alerts`)).data.alerts.find((a) => a.labels.alertname === 'PeerweaveNodeDown')?.state,
      { timeoutMs: forMs, intervalMs: 500, what: `PeerweaveNodeDown within its for (${forMs} ms)` },
    );
    const elapsed = Date.now() - killedAt;
    assert.ok(state === 'pending' || state === 'firing');
    assert.ok(elapsed <= forMs, `${state} after ${elapsed} ms`);
    const dead = await query('max(peerweave_swim_members{state="dead"})');
    assert.equal(dead[0]?.value[1], '1', 'one node listed dead');
  });
});
