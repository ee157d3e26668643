// One node in-process: the HTTP API and the peer protocol answer about the same identity.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNodeConfig } from '@peerweave/config';
import { createHealthClient, createNodeClient } from '@peerweave/protocol';
import { startNode } from './node.ts';

describe('startNode', () => {
  it('answers status over HTTP and GetInfo over gRPC with the same id; the id survives a restart', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-node-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const config = loadNodeConfig({ PEERWEAVE_PRESET: 'test', PEERWEAVE_DATA_DIR: dir, PEERWEAVE_LOG_LEVEL: 'silent' });

    const node = await startNode(config);
    t.after(() => node.stop());
    const status = (await (await fetch(`${node.httpUrl}/v1/status`)).json()) as { id: string; role: string };
    assert.equal(status.id, node.id);
    assert.equal(status.role, 'peer');

    const client = createNodeClient(node.grpcAddress, {});
    const health = createHealthClient(node.grpcAddress);
    t.after(() => {
      client.close();
      health.close();
    });
    const info = await client.getInfo();
    assert.equal(info.nodeId, node.id);
    assert.equal(info.publicKey.length, 32);
    assert.equal(await health.check(''), 'SERVING');

    await node.stop();
    const again = await startNode(config);
    t.after(() => again.stop());
    assert.equal(again.id, node.id);
  });

  it('reads PEERWEAVE_GRPC_REFLECTION: off by default, true/1 and false/0, anything else refused', () => {
    const base = { PEERWEAVE_PRESET: 'test' };
    assert.equal(loadNodeConfig(base).grpcReflection, false);
    for (const raw of ['true', '1', 'TRUE']) assert.equal(loadNodeConfig({ ...base, PEERWEAVE_GRPC_REFLECTION: raw }).grpcReflection, true, raw);
    for (const raw of ['false', '0']) assert.equal(loadNodeConfig({ ...base, PEERWEAVE_GRPC_REFLECTION: raw }).grpcReflection, false, raw);
    assert.throws(() => loadNodeConfig({ ...base, PEERWEAVE_GRPC_REFLECTION: 'yes' }), /PEERWEAVE_GRPC_REFLECTION="yes" is invalid/);
  });

  it('closes both listeners on stop()', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-node-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const node = await startNode(
      loadNodeConfig({ PEERWEAVE_PRESET: 'test', PEERWEAVE_DATA_DIR: dir, PEERWEAVE_LOG_LEVEL: 'silent' }),
    );
    await node.stop();
    await assert.rejects(fetch(`${node.httpUrl}/readyz`));
    const client = createHealthClient(node.grpcAddress);
    t.after(() => client.close());
    await assert.rejects(client.check('', { deadlineMs: 500 }), { code: 'UNAVAILABLE' });
  });

  it('stop() checkpoints the block store: the commit log is empty and a restarted node serves what it stored', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-node-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const config = loadNodeConfig({
      PEERWEAVE_PRESET: 'test',
      PEERWEAVE_DATA_DIR: dir,
      PEERWEAVE_LOG_LEVEL: 'silent',
      // Alone: this node is the whole replica set.
      PEERWEAVE_REPLICATION_FACTOR: '1',
      PEERWEAVE_WRITE_QUORUM: '1',
    });
    const node = await startNode(config);
    const body = new Uint8Array(300_000).map((_, i) => i % 251);
    const res = await fetch(`${node.httpUrl}/v1/objects`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(res.status, 201);
    const { cid } = (await res.json()) as { cid: string };
    await node.stop();
    assert.equal((await stat(join(dir, 'blocks', 'commit.log'))).size, 0, 'checkpointed and truncated');
    const again = await startNode(config);
    t.after(() => again.stop());
    const back = new Uint8Array(await (await fetch(`${again.httpUrl}/v1/objects/${cid}`)).arrayBuffer());
    assert.deepEqual(back, body);
  });
});
