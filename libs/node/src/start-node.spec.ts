// One node in-process: its components' order, the roll-back of a failed start, and the HTTP API and
// the peer protocol answering about the same identity.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Startable } from '@peerweave/core';
import { loadNodeConfig, type NodeConfig } from '@peerweave/config';
import { createHealthClient, createNodeClient } from '@peerweave/protocol';
import type { LifecycleWrap } from './lifecycle.ts';
import type { NodeStores } from './node-stores.ts';
import { NODE_COMPONENTS, startNode as start } from './start-node.ts';

const startNode = (config: NodeConfig) => start({ config });
const testConfig = (dir: string) => loadNodeConfig({ PEERWEAVE_PRESET: 'test', PEERWEAVE_INSECURE: 'true', PEERWEAVE_DATA_DIR: dir, PEERWEAVE_LOG_LEVEL: 'silent' });

/** A wrap that records each component's start and stop. */
function recorded(events: string[]): LifecycleWrap {
  return (name: string, component: Startable) => ({
    start: async () => {
      await component.start();
      events.push(`start ${name}`);
    },
    stop: async () => {
      events.push(`stop ${name}`);
      await component.stop();
    },
  });
}

describe('startNode', () => {
  it('starts its components in order and stops them in reverse', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-node-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const events: string[] = [];
    const node = await start({ config: testConfig(dir), wrap: recorded(events) });
    t.after(() => node.stop());
    assert.deepEqual(events, NODE_COMPONENTS.map((c) => `start ${c}`));
    events.length = 0;
    await node.stop();
    assert.deepEqual(events, [...NODE_COMPONENTS].reverse().map((c) => `stop ${c}`));
  });

  it('when routing fails to start, stops what had started: the gRPC server and the stores (databases and block store closed)', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-node-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const events: string[] = [];
    let stores: NodeStores | undefined;
    let blocksClosed = false;
    let opened: { db: NodeStores['db']; searchIndex: NodeStores['searchIndex']; blocks: NodeStores['blocks'] } | undefined;
    const record = recorded(events);
    const wrap: LifecycleWrap = (name, component) => {
      if (name === 'stores') stores = component as NodeStores;
      if (name !== 'routing') return record(name, component);
      opened = { db: stores!.db, searchIndex: stores!.searchIndex, blocks: stores!.blocks };
      const close = opened.blocks.close.bind(opened.blocks);
      opened.blocks.close = async () => {
        blocksClosed = true;
        await close();
      };
      return { start: async () => Promise.reject(new Error('routing refused to start')), stop: () => component.stop() };
    };
    await assert.rejects(start({ config: testConfig(dir), wrap }), /routing refused to start/);
    assert.deepEqual(events, ['start certificates', 'start stores', 'start grpc', 'stop grpc', 'stop stores', 'stop certificates']);
    assert.throws(() => opened!.db.recordCount(), /not open/, 'the content database is closed');
    assert.throws(() => opened!.searchIndex.count(), /not open/, 'the search index is closed');
    assert.throws(() => stores!.blocks, { code: 'NOT_READY' });
    assert.ok(blocksClosed, 'the block store is closed');
    // Nothing is left holding the data directory: a node starts on it at once.
    const again = await start({ config: testConfig(dir) });
    await again.stop();
  });

  it('answers status over HTTP and GetInfo over gRPC with the same id; the id survives a restart', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-node-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const config = loadNodeConfig({ PEERWEAVE_PRESET: 'test', PEERWEAVE_INSECURE: 'true', PEERWEAVE_DATA_DIR: dir, PEERWEAVE_LOG_LEVEL: 'silent' });

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
      loadNodeConfig({ PEERWEAVE_PRESET: 'test', PEERWEAVE_INSECURE: 'true', PEERWEAVE_DATA_DIR: dir, PEERWEAVE_LOG_LEVEL: 'silent' }),
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
      PEERWEAVE_INSECURE: 'true',
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

describe('startNode: the HTTP routes over the real components', () => {
  it('an upload is in the search index at once, found by /v1/search, with its providers from /v1/objects/:cid/providers', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-node-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const node = await startNode(
      loadNodeConfig({ PEERWEAVE_PRESET: 'test', PEERWEAVE_INSECURE: 'true', PEERWEAVE_DATA_DIR: dir, PEERWEAVE_LOG_LEVEL: 'silent', PEERWEAVE_REPLICATION_FACTOR: '1', PEERWEAVE_WRITE_QUORUM: '1' }),
    );
    t.after(() => node.stop());
    const put = await fetch(`${node.httpUrl}/v1/objects?name=holiday.jpg&keywords=beach,sunset`, { method: 'POST', body: new Uint8Array(1_000).fill(7), headers: { 'content-type': 'image/jpeg' } });
    assert.equal(put.status, 201);
    const { cid } = (await put.json()) as { cid: string };

    const status = (await (await fetch(`${node.httpUrl}/v1/search/status`)).json()) as { indexEntries: number };
    assert.equal(status.indexEntries, 1, 'RecordIndexSync indexed the stored record');
    const found = (await (await fetch(`${node.httpUrl}/v1/search?q=sunset&timeoutMs=500`)).json()) as {
      query: string;
      responders: number;
      hits: { cid: string; name: string; keywords: string[]; holders: string[]; responders: string[] }[];
    };
    assert.equal(found.query, 'sunset');
    assert.equal(found.responders, 1, 'this node answered (counted)');
    assert.deepEqual(found.hits.map((h) => [h.cid, h.name, h.holders, h.responders]), [[cid, 'holiday.jpg', [node.id], [node.id]]]);

    const providers = (await (await fetch(`${node.httpUrl}/v1/objects/${cid}/providers`)).json()) as { cid: string; replicas: string[]; providers: unknown[] };
    assert.deepEqual(providers, { cid, replicas: [node.id], providers: [] });
  });
});
