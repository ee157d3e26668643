// End to end for admission by mutual TLS (issue #15 item 2), against the image built from this
// checkout: two peers holding the same cluster CA (self-issue mode) and an outsider with its own CA
// on one Docker network, the outsider seeded with the members' addresses. The members find each
// other; the outsider is in neither's table and reads nothing through its own HTTP API; from the
// host, a plaintext client and a client of the other CA fail at the handshake, one admitted by
// the CA gets through.
import './support/env.ts';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Network, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { createClusterCa, type ClusterCa } from '@peerweave/identity';
import { createCredentials, createHealthClient } from '@peerweave/protocol';
import { waitFor } from '@peerweave/core/testing';
import { GRPC_PORT } from './support/env.ts';
import { counterAt, getJson, http } from './support/http.ts';
import { grpcAddress, httpBase, memberMaterial, removeAll, startPeer } from './support/peers.ts';

/**
 * The outsider is watched until this many of its join pings failed (peerweave_routing_join_pings_total):
 * two seeds a round, rounds 0.25, 0.5, 1, 2, 4 s apart and then every join interval (5 s), so about
 * 10 rounds and 25–30 s of trying.
 */
const OUTSIDER_FAILED_PINGS = 20;

interface Peers {
  self: string;
  peers: { id: string; state: string }[];
}

function admittedBy(network: StartedNetwork, ca: ClusterCa, name: string, seeds: string[]) {
  return startPeer({ network, name, ca, env: { PEERWEAVE_SEEDS: seeds.map((s) => `${s}:${GRPC_PORT}`).join(',') } });
}

async function health(address: string, credentials: ReturnType<typeof createCredentials>): Promise<string> {
  const client = createHealthClient(address, { credentials });
  try {
    return await client.check('', { deadlineMs: 3_000 });
  } catch (err) {
    return (err as { code?: string }).code ?? 'no code';
  } finally {
    client.close();
  }
}

describe('admission by mutual TLS', { timeout: 240_000 }, () => {
  let network: StartedNetwork;
  const containers: StartedTestContainer[] = [];
  let cluster: ClusterCa;
  let other: ClusterCa;
  let a: StartedTestContainer;
  let b: StartedTestContainer;
  let outsider: StartedTestContainer;

  before(async () => {
    network = await new Network().start();
    [cluster, other] = await Promise.all([createClusterCa(), createClusterCa()]);
    const started = await Promise.allSettled([
      admittedBy(network, cluster, 'member-a', ['member-b']),
      admittedBy(network, cluster, 'member-b', ['member-a']),
      admittedBy(network, other, 'outsider', ['member-a', 'member-b']),
    ]);
    for (const s of started) if (s.status === 'fulfilled') containers.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    [a, b, outsider] = containers as [StartedTestContainer, StartedTestContainer, StartedTestContainer];
  });

  after(async () => {
    await removeAll(containers);
    await network?.stop().catch(() => {});
  });

  it('the members find each other; the outsider is in no member table, and none in its own', async () => {
    const [viewA, viewB, viewO] = (await Promise.all([a, b, outsider].map((c) => getJson<Peers>(`${httpBase(c)}/v1/peers`)))) as [Peers, Peers, Peers];
    await waitFor(
      async () => {
        const [pa, pb] = (await Promise.all([a, b].map((c) => getJson<Peers>(`${httpBase(c)}/v1/peers`, 2_000)))) as [Peers, Peers];
        return pa.peers.some((p) => p.id === viewB.self && p.state === 'alive') && pb.peers.some((p) => p.id === viewA.self && p.state === 'alive');
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'both members to list each other alive' },
    );
    // Watched while it tries: every view is checked until the outsider failed its seeds often enough.
    const seen = new Set<string>();
    await waitFor(
      async () => {
        const views = await Promise.all([a, b, outsider].map((c) => getJson<Peers>(`${httpBase(c)}/v1/peers`, 2_000)));
        if (views[0]!.peers.some((p) => p.id === viewO.self)) seen.add('the outsider is in member a’s table');
        if (views[1]!.peers.some((p) => p.id === viewO.self)) seen.add('the outsider is in member b’s table');
        if (views[2]!.peers.some((p) => p.state === 'alive')) seen.add('the outsider lists a member alive');
        return (await counterAt(httpBase(outsider), 'peerweave_routing_join_pings_total', 'outcome="failed"')) >= OUTSIDER_FAILED_PINGS;
      },
      { timeoutMs: 120_000, intervalMs: 1_000, what: `the outsider's ${OUTSIDER_FAILED_PINGS} failed join pings` },
    );
    assert.deepEqual([...seen], []);
    assert.equal(await counterAt(httpBase(outsider), 'peerweave_routing_join_pings_total', 'outcome="answered"'), 0, 'a member answered the outsider');
  });

  it('the outsider cannot read through its own HTTP API what the cluster holds', async () => {
    const put = await http<{ cid: string }>(`${httpBase(a)}/v1/objects`, { method: 'POST', body: randomBytes(4096), headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    const read = await http(`${httpBase(b)}/v1/objects/${put.body.cid}`);
    assert.equal(read.status, 200, 'a member reads it');
    // It answers with an error or not at all within the deadline; never with the bytes.
    const denied = await http(`${httpBase(outsider)}/v1/objects/${put.body.cid}`, { timeoutMs: 30_000 }).then(
      (r) => r.status,
      () => 'no answer',
    );
    assert.notEqual(denied, 200);
  });

  it('from the host: plaintext and the other CA fail at the handshake, a certificate from the cluster CA gets through', async () => {
    const address = grpcAddress(a);
    assert.equal(await health(address, createCredentials({ insecure: true })), 'UNAVAILABLE');
    assert.equal(await health(address, createCredentials({ tls: await memberMaterial(other) })), 'UNAVAILABLE');
    assert.equal(await health(address, createCredentials({ tls: await memberMaterial(cluster) })), 'SERVING');
  });
});
