// End to end against the image built from this checkout: three peers on one Docker network.
import './support/env.ts';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Network, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { createHealthClient } from '@peerweave/protocol';
import { waitFor } from '@peerweave/core/testing';
import { getJson, http } from './support/http.ts';
import { grpcAddress, httpBase, removeAll, signalAndWait, startPeer, suiteClientCredentials } from './support/peers.ts';

interface Status {
  id: string;
  role: string;
  version: string;
  uptimeSeconds: number;
  addresses: { http: string[]; grpc: string[] };
}

describe('peer image', { timeout: 240_000 }, () => {
  let network: StartedNetwork;
  const peers: StartedTestContainer[] = [];

  before(async () => {
    network = await new Network().start();
    peers.push(...(await Promise.all([0, 1, 2].map((i) => startPeer({ network, name: `peer-${i}` })))));
  });

  after(async () => {
    await removeAll(peers);
    await network?.stop().catch(() => {});
  });

  it('three peers answer /healthz and /readyz', async () => {
    for (const p of peers) {
      const health = await http<{ status: string }>(`${httpBase(p)}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(health.body, { status: 'ok' });
      const ready = await http<{ ready: boolean }>(`${httpBase(p)}/readyz`);
      assert.equal(ready.status, 200);
    }
  });

  it('each peer reports a distinct 256-bit id, its role and addresses in /v1/status', async () => {
    const statuses = await Promise.all(peers.map((p) => getJson<Status>(`${httpBase(p)}/v1/status`)));
    for (const s of statuses) {
      assert.match(s.id, /^[0-9a-f]{64}$/);
      assert.equal(s.role, 'peer');
      assert.ok(s.addresses.grpc.length > 0 && s.addresses.http.length > 0);
      assert.ok(s.uptimeSeconds >= 0);
    }
    assert.equal(new Set(statuses.map((s) => s.id)).size, 3);
  });

  it('/metrics carries peerweave_ metrics and the process metrics', async () => {
    const r = await http(`${httpBase(peers[0]!)}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(r.text, /^peerweave_node_info\{/m);
    assert.match(r.text, /^process_resident_memory_bytes /m);
  });

  it('the node runs on jemalloc (the image preloads it: see the Dockerfile)', async () => {
    // PID 1 is the node itself (the image's CMD, no init here); its mappings name every shared library.
    const r = await peers[0]!.exec(['node', '-e', "process.stdout.write(require('fs').readFileSync('/proc/1/maps', 'utf8'))"]);
    assert.equal(r.exitCode, 0, r.output);
    assert.match(r.output, /\/app\/lib\/peer\/libjemalloc\.so\.2/);
  });

  it('the gRPC health service says SERVING to a grpc-js client holding a cluster certificate', async () => {
    const client = createHealthClient(grpcAddress(peers[1]!), { credentials: await suiteClientCredentials() });
    try {
      assert.equal(await client.check(''), 'SERVING');
    } finally {
      client.close();
    }
  });

  it('bad input gets a stable error code, not a crash', async () => {
    const base = httpBase(peers[0]!);
    const missing = await http<{ code: string }>(`${base}/no/such/route`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'NOT_FOUND');
    const malformed = await http<{ code: string }>(`${base}/v1/log-level`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"level":',
    });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.code, 'INVALID_JSON');
    const huge = await http<{ code: string }>(`${base}/v1/log-level`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ level: 'x'.repeat(2 * 1024 * 1024) }),
    });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.code, 'PAYLOAD_TOO_LARGE');
    assert.equal((await http(`${base}/healthz`)).status, 200, 'still alive after bad input');
  });

  it('a restart keeps the id (the key lives in the data volume)', async () => {
    const p = peers[2]!;
    const before = await getJson<Status>(`${httpBase(p)}/v1/status`);
    await p.restart({ timeout: 10_000 });
    const afterRestart = await waitFor(() => getJson<Status>(`${httpBase(p)}/v1/status`, 2_000), {
      timeoutMs: 60_000,
      what: 'the restarted peer to answer',
    });
    assert.equal(afterRestart.id, before.id);
  });

  it('SIGTERM ends a peer with exit code 0 within 10 s', async () => {
    const { exitCode, elapsedMs } = await signalAndWait(peers[0]!, 'SIGTERM');
    assert.equal(exitCode, 0);
    assert.ok(elapsedMs < 10_000, `took ${elapsedMs} ms`);
  });
});
