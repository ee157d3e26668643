// The node's peer protocol under its cluster certificate (issue #15 item 2): mutual TLS when it has
// one, plaintext without (or with PEERWEAVE_INSECURE=true), and the refusal the lead switches on.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, before } from 'node:test';
import { loadNodeConfig, type NodeConfig } from '@peerweave/config';
import { Identity, createClusterCa, issueNodeCertificate, privateKeyPem, type ClusterCa } from '@peerweave/identity';
import { GrpcPeerTransport, createCredentials, type PeerCallContext, type RoutingHandler, type TlsMaterial } from '@peerweave/protocol';
import { silentLogger } from '@peerweave/core';
import { PeerEndpoint, peerCredentialsInit, type PeerCertificates } from './peer-endpoint.ts';
import { startNode } from './start-node.ts';
import { waitFor } from '@peerweave/core/testing';

const config = (env: Record<string, string> = {}): NodeConfig => loadNodeConfig({ PEERWEAVE_PRESET: 'test', PEERWEAVE_LOG_LEVEL: 'silent', ...env });

async function nodeMaterial(ca: ClusterCa, identity = Identity.generate()): Promise<{ identity: Identity; material: TlsMaterial }> {
  const certPem = await issueNodeCertificate(ca, identity);
  return { identity, material: { caPem: ca.certPem, certPem, keyPem: privateKeyPem(identity) } };
}

function fixed(material: TlsMaterial | undefined): PeerCertificates & { renew(m: TlsMaterial): void } {
  const listeners = new Set<(m: TlsMaterial) => void>();
  return {
    current: () => material,
    onRenewed: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
    renew: (m) => listeners.forEach((l) => l(m)),
  };
}

function pingFrom(id: string) {
  return { sender: { id, address: '127.0.0.1:1', role: 'peer', incarnation: 1 }, updates: [], target: '' };
}

describe('peerCredentialsInit', () => {
  let material: TlsMaterial;
  before(async () => {
    material = (await nodeMaterial(await createClusterCa())).material;
  });

  it('mutual TLS with a certificate; plaintext only with PEERWEAVE_INSECURE=true (required by default)', () => {
    assert.deepEqual(Object.keys(peerCredentialsInit({ insecure: false }, fixed(material))), ['tls', 'onRenewed']);
    assert.throws(() => peerCredentialsInit({ insecure: false }, fixed(undefined)), { code: 'INVALID_CONFIG' });
    assert.throws(() => peerCredentialsInit({ insecure: false }, undefined), { code: 'INVALID_CONFIG' });
    assert.deepEqual(peerCredentialsInit({ insecure: false }, undefined, false), { insecure: true });
    assert.deepEqual(peerCredentialsInit({ insecure: true }, fixed(material)), { insecure: true });
  });

  it('when mTLS is required, a node without a certificate is a ConfigError naming what to set; PEERWEAVE_INSECURE=true still allows plaintext', () => {
    assert.throws(() => peerCredentialsInit({ insecure: false }, fixed(undefined), true), {
      code: 'INVALID_CONFIG',
      message: /^peer connections need a cluster certificate: set PEERWEAVE_CLUSTER_CA with PEERWEAVE_CLUSTER_CA_KEY \(or PEERWEAVE_TLS_CERT\), or PEERWEAVE_INSECURE=true/,
    });
    assert.deepEqual(peerCredentialsInit({ insecure: true }, undefined, true), { insecure: true });
    assert.ok('tls' in peerCredentialsInit({ insecure: false }, fixed(material), true));
  });

  it('PEERWEAVE_INSECURE is a boolean, false by default; a bad value is refused naming it', () => {
    assert.equal(config().insecure, false);
    assert.equal(config({ PEERWEAVE_INSECURE: 'true' }).insecure, true);
    assert.throws(() => config({ PEERWEAVE_INSECURE: 'yes' }), /PEERWEAVE_INSECURE/);
  });
});

describe('PeerEndpoint', () => {
  it('with certificates it serves mutual TLS: the handler sees the caller id, an outsider and a plaintext caller are refused', async (t) => {
    const ca = await createClusterCa();
    const server = await nodeMaterial(ca);
    const client = await nodeMaterial(ca);
    const outsider = await nodeMaterial(await createClusterCa());
    const endpoint = new PeerEndpoint({ config: config(), logger: silentLogger, certificates: fixed(server.material), info: () => { throw new Error('unused'); }, stopping: () => false, graceMs: () => 100 });
    const seen: (string | undefined)[] = [];
    endpoint.routing.bind({
      ping: async (_r: unknown, context: PeerCallContext) => (seen.push(context.callerId), { sender: { id: server.identity.id.toHex(), address: 'x:1', role: 'peer', incarnation: 1 }, updates: [] }),
    } as unknown as RoutingHandler);
    await endpoint.start();
    t.after(() => endpoint.stop());
    const address = `127.0.0.1:${endpoint.port}`;
    const dial = (credentials: ReturnType<typeof createCredentials>) => {
      const tr = new GrpcPeerTransport({ credentials, defaultDeadlineMs: 2_000 });
      t.after(() => tr.close());
      return tr;
    };
    const clientId = client.identity.id.toHex();
    const answer = await dial(createCredentials({ tls: client.material })).request(address, 'ping', pingFrom(clientId), { expectId: server.identity.id.toHex() });
    assert.equal(answer.sender.id, server.identity.id.toHex());
    assert.deepEqual(seen, [clientId]);
    await assert.rejects(dial(createCredentials({ tls: outsider.material })).request(address, 'ping', pingFrom(outsider.identity.id.toHex())), { code: 'UNAVAILABLE' });
    await assert.rejects(dial(createCredentials({ insecure: true })).request(address, 'ping', pingFrom(clientId)), { code: 'UNAVAILABLE' });
    assert.equal(seen.length, 1);
  });
});

describe('startNode with a cluster CA (self-issued certificates)', () => {
  it('two nodes holding the same CA find each other over mutual TLS; one with PEERWEAVE_INSECURE=true cannot join them', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-mtls-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const ca = await createClusterCa();
    await writeFile(join(dir, 'ca.crt'), ca.certPem);
    await writeFile(join(dir, 'ca.key'), ca.keyPem);
    const admitted = { PEERWEAVE_CLUSTER_CA: join(dir, 'ca.crt'), PEERWEAVE_CLUSTER_CA_KEY: join(dir, 'ca.key') };
    const a = await startNode({ config: config({ ...admitted, PEERWEAVE_DATA_DIR: join(dir, 'a') }) });
    t.after(() => a.stop());
    const seed = a.grpcAddress;
    const b = await startNode({ config: config({ ...admitted, PEERWEAVE_DATA_DIR: join(dir, 'b'), PEERWEAVE_SEEDS: seed }) });
    t.after(() => b.stop());
    const plain = await startNode({ config: config({ ...admitted, PEERWEAVE_DATA_DIR: join(dir, 'c'), PEERWEAVE_SEEDS: seed, PEERWEAVE_INSECURE: 'true' }) });
    t.after(() => plain.stop());
    const knows = (node: typeof a, other: typeof a): boolean => node.routing.peers().some((p) => p.id === other.id && p.state === 'alive');
    await waitFor(() => knows(a, b) && knows(b, a), { timeoutMs: 10_000, intervalMs: 50, what: 'a and b to find each other' });
    assert.equal(knows(a, plain), false, 'a plaintext node is not admitted');
    assert.equal(knows(plain, a), false);
  });
});
