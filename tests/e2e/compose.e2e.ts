// End to end through the Compose file users run: 20 peers and 2 supernodes. The foundation checks
// (every node answers, distinct ids) and the membership checks (everyone sees everyone; a killed
// peer is seen dead everywhere within 5 s and alive again after a restart; a short pause kills
// nobody) share one cluster, because starting 22 containers is the expensive part.
import './support/env.ts';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DockerComposeEnvironment, GenericContainer, Wait, getContainerRuntimeClient, type StartedDockerComposeEnvironment } from 'testcontainers';
import { waitFor } from '@peerweave/core/testing';
import { createClusterCa } from '@peerweave/identity';
import { HTTP_PORT, IMAGE } from './support/env.ts';
import { counterAt, getJson, http } from './support/http.ts';
import { caFiles } from './support/peers.ts';
import { startContainer } from './support/start.ts';

const PEERS = 20;
const NODES = PEERS + 2;
/** The outsider's failed join pings watched for: the `peer` name's addresses, in about 10 join rounds. */
const OUTSIDER_FAILED_PINGS = PEERS * 10;
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Status {
  id: string;
  role: string;
}
interface Peers {
  self: string;
  peers: { id: string; state: string; incarnation: number }[];
}

describe(`docker compose up --scale peer=${PEERS}`, { timeout: 600_000 }, () => {
  let env: StartedDockerComposeEnvironment | undefined;
  const names = [...Array.from({ length: PEERS }, (_, i) => `peer-${i + 1}`), 'supernode-1', 'supernode-2'];
  const ids = new Map<string, string>();
  const url = (name: string, path: string): string => {
    const c = env!.getContainer(name);
    return `http://${c.getHost()}:${c.getMappedPort(HTTP_PORT)}${path}`;
  };
  const peersOf = (name: string): Promise<Peers> => getJson<Peers>(url(name, '/v1/peers'), 2_000);
  const stateIn = (view: Peers, id: string): string | undefined => view.peers.find((p) => p.id === id)?.state;
  const docker = async (name: string) => (await getContainerRuntimeClient()).container.getById(env!.getContainer(name).getId());

  before(async () => {
    env = await new DockerComposeEnvironment(root, 'docker-compose.yml')
      .withProjectName(`testcontainers-pw-${randomUUID().slice(0, 8)}`)
      .withClientOptions({ commandOptions: ['--scale', `peer=${PEERS}`] })
      .withStartupTimeout(180_000)
      .up();
  });

  after(async () => {
    await env?.down({ timeout: 1_000, removeVolumes: true });
  });

  it(`starts ${PEERS} healthy peers with distinct ids, and 2 supernodes`, async () => {
    const statuses = await Promise.all(names.map((n) => getJson<Status>(url(n, '/v1/status'))));
    statuses.forEach((s, i) => ids.set(names[i]!, s.id));
    assert.ok(statuses.slice(0, PEERS).every((s) => s.role === 'peer'));
    assert.ok(statuses.slice(PEERS).every((s) => s.role === 'supernode'));
    assert.equal(new Set(statuses.map((s) => s.id)).size, NODES, 'every node has its own id');
  });

  it('every node lists every other node as alive', async () => {
    await waitFor(
      async () => {
        const views = await Promise.all(names.map(peersOf));
        return views.every((v) => {
          const alive = new Set(v.peers.filter((p) => p.state === 'alive').map((p) => p.id));
          return [...ids.values()].every((id) => id === v.self || alive.has(id));
        });
      },
      { timeoutMs: 60_000, intervalMs: 500, what: `all ${NODES} nodes to list the other ${NODES - 1} alive` },
    );
  });

  it('a lookup through any node finds the node whose id is the key', async () => {
    for (const [from, to] of [
      ['peer-1', 'peer-15'],
      ['peer-9', 'supernode-2'],
      ['supernode-1', 'peer-4'],
    ] as const) {
      // Right after start-up 22 containers share 2 cores: a query slower than its deadline drops
      // that node from one lookup (as Kademlia should), so the condition is waited for, bounded.
      let last: { closest: { id: string }[]; partial: boolean } | undefined;
      await waitFor(
        async () => {
          last = await getJson<{ closest: { id: string }[]; partial: boolean }>(url(from, `/v1/peers/closest?key=${ids.get(to)!}`));
          return last.closest[0]?.id === ids.get(to) && !last.partial;
        },
        { timeoutMs: 20_000, intervalMs: 500, what: `${from} looking up ${to}` },
      ).catch(() => {});
      assert.equal(last?.closest[0]?.id, ids.get(to), `${from} looking up ${to}`);
      assert.equal(last?.partial, false);
    }
  });

  it('a peer paused for less than the suspicion timeout is declared dead by nobody', async () => {
    const victim = 'peer-3';
    const id = ids.get(victim)!;
    const observers = names.filter((n) => n !== victim);
    const container = await docker(victim);
    let declaredDead: string | undefined;
    const watch = async (): Promise<void> => {
      for (const view of await Promise.all(observers.map(peersOf))) {
        const s = stateIn(view, id);
        if (s === 'dead' || s === 'left') declaredDead = `${view.self.slice(0, 12)} says ${s}`;
      }
    };
    await container.pause();
    const pausedAt = Date.now();
    try {
      while (Date.now() - pausedAt < 1_000) await watch();
    } finally {
      await container.unpause();
    }
    // Keep watching until the network has settled: the victim refuted any suspicion.
    await waitFor(
      async () => {
        await watch();
        const views = await Promise.all(observers.map(peersOf));
        return views.every((v) => stateIn(v, id) === 'alive');
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'every observer to see the paused peer alive again' },
    );
    assert.equal(declaredDead, undefined, `a short pause must not kill: ${declaredDead}`);
  });

  it('a peer killed with SIGKILL is listed dead by every other node within 5 s', async () => {
    const victim = 'peer-7';
    const id = ids.get(victim)!;
    const observers = names.filter((n) => n !== victim);
    const killedAt = Date.now();
    await (await docker(victim)).kill({ signal: 'SIGKILL' });
    const detectedAfter = new Map<string, number>();
    await waitFor(
      async () => {
        const views = await Promise.all(observers.filter((n) => !detectedAfter.has(n)).map(async (n) => [n, await peersOf(n)] as const));
        for (const [n, view] of views) {
          if (stateIn(view, id) === 'dead') detectedAfter.set(n, Date.now() - killedAt);
        }
        return detectedAfter.size === observers.length;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'every observer to list the killed peer dead' },
    );
    const worst = Math.max(...detectedAfter.values());
    assert.ok(worst <= 5_000, `slowest observer took ${worst} ms (${JSON.stringify(Object.fromEntries(detectedAfter))})`);
  });

  it('the killed peer, started again, is alive again everywhere with its old id', async () => {
    const victim = 'peer-7';
    const container = await docker(victim);
    const state = (await container.inspect()) as { State: { Running: boolean } };
    if (!state.State.Running) await container.start();
    const id = ids.get(victim)!;
    await waitFor(
      async () => {
        const views = await Promise.all(names.filter((n) => n !== victim).map(peersOf));
        return views.every((v) => stateIn(v, id) === 'alive');
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'every node to list the restarted peer alive' },
    );
  });

  it('an outsider on the Compose network, the same image with its own CA, is in no table while it tries to join (about 10 join rounds) and reads nothing the cluster holds', async () => {
    // Issue #15: admission is the cluster CA. The outsider joins the way the members do (through
    // the `peer` service name), with a CA of its own: every handshake fails, at both ends.
    const put = await http<{ cid: string }>(url('peer-2', '/v1/objects?name=members-only.txt'), { method: 'POST', body: 'held by the members', timeoutMs: 30_000 });
    assert.equal(put.status, 201, put.text);
    const info = (await (await docker('peer-1')).inspect()) as { NetworkSettings: { Networks: Record<string, unknown> } };
    const network = Object.keys(info.NetworkSettings.Networks)[0]!;
    const admission = caFiles(await createClusterCa({ commonName: 'an outsider CA' }));
    const outsider = await startContainer(
      new GenericContainer(IMAGE)
        .withNetworkMode(network)
        .withExposedPorts(HTTP_PORT)
        .withEnvironment({ PEERWEAVE_PRESET: 'lan', PEERWEAVE_JOIN: 'peer', ...admission.env })
        .withCopyContentToContainer(admission.files)
        .withWaitStrategy(Wait.forHealthCheck())
        .withStartupTimeout(60_000),
    );
    try {
      const base = `http://${outsider.getHost()}:${outsider.getMappedPort(HTTP_PORT)}`;
      const outsiderId = (await getJson<Status>(`${base}/v1/status`)).id;
      // peer-7 was restarted by the test before: its published port changed, so it is not polled.
      const members = names.filter((n) => n !== 'peer-7');
      // Watched while it tries: every member's view is checked until the outsider failed to reach
      // the `peer` name's 20 addresses in about 10 join rounds (0.25, 0.5, 1, 2, 4 s apart, then
      // every 5 s: 25–30 s of trying), counted by its peerweave_routing_join_pings_total.
      const failedPings = (): Promise<number> => counterAt(base, 'peerweave_routing_join_pings_total', 'outcome="failed"');
      const listedBy = new Set<string>();
      await waitFor(
        async () => {
          for (const [n, view] of await Promise.all(members.map(async (n) => [n, await peersOf(n)] as const))) {
            if (view.peers.some((p) => p.id === outsiderId)) listedBy.add(n);
          }
          return (await failedPings()) >= OUTSIDER_FAILED_PINGS;
        },
        { timeoutMs: 120_000, intervalMs: 2_000, what: `the outsider's ${OUTSIDER_FAILED_PINGS} failed join pings` },
      );
      assert.deepEqual([...listedBy], [], 'members list the outsider');
      assert.equal(await counterAt(base, 'peerweave_routing_join_pings_total', 'outcome="answered"'), 0, 'a member answered the outsider');
      const own = await getJson<Peers>(`${base}/v1/peers`);
      assert.deepEqual(own.peers.filter((p) => p.state === 'alive').map((p) => p.id), [], 'the outsider knows no live member');
      const read = await http(`${base}/v1/objects/${put.body.cid}`, { timeoutMs: 60_000 });
      assert.notEqual(read.status, 200, 'the outsider read what the cluster holds');
    } finally {
      await outsider.stop({ remove: true, removeVolumes: true });
    }
  });
});
