import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { PeerweaveError } from '@peerweave/core';
import { ClientChannel } from './client-channel.ts';
import { GrpcServer } from './grpc-server.ts';
import { createHealthClient } from './health-client.ts';
import { createNodeClient } from '../node/node-client.ts';
import type { NodeInfoData, NodeServiceHandler } from '../node/node-messages.ts';
import { NODE_SERVICE_NAME, nodeServiceBinding } from '../node/node-service.ts';
import { healthPackageDefinition } from '../proto-packages.ts';
import { deferred, listServicesByReflection, recordingLogger, startTestServer } from '../test-support.ts';

const INFO: NodeInfoData = {
  nodeId: '0'.repeat(64),
  publicKey: new Uint8Array(32),
  role: 'supernode',
  version: '0.1.0',
  httpAddresses: [],
  grpcAddresses: [],
  startedAtMs: 0,
};
const quickHandler: NodeServiceHandler = { getInfo: async () => INFO };

describe('GrpcServer health and reflection', () => {
  let server: GrpcServer | undefined;
  const health = () => {
    assert.ok(server);
    return createHealthClient(server.address, { defaultDeadlineMs: 5_000 });
  };

  before(async () => {
    server = await startTestServer([nodeServiceBinding(quickHandler)], { reflection: true });
  });
  after(() => server?.stop({ graceMs: 1_000 }));

  it('binds a real port when asked for port 0', () => {
    assert.ok(server);
    assert.ok(server.port > 0);
    assert.equal(server.address, `127.0.0.1:${server.port}`);
  });

  it('reports the server and its services SERVING after start', async (t) => {
    const c = health();
    t.after(() => c.close());
    assert.equal(await c.check(), 'SERVING');
    assert.equal(await c.check(''), 'SERVING');
    assert.equal(await c.check(NODE_SERVICE_NAME), 'SERVING');
  });

  it('reports NOT_SERVING for a service set not serving, and back', async (t) => {
    assert.ok(server);
    const c = health();
    t.after(() => c.close());
    server.setServing(NODE_SERVICE_NAME, false);
    assert.equal(await c.check(NODE_SERVICE_NAME), 'NOT_SERVING');
    assert.equal(await c.check(''), 'SERVING');
    server.setServing(NODE_SERVICE_NAME, true);
    assert.equal(await c.check(NODE_SERVICE_NAME), 'SERVING');
  });

  it('reports SERVICE_UNKNOWN for a name it does not know (the server answers NOT_FOUND)', async (t) => {
    const c = health();
    t.after(() => c.close());
    assert.equal(await c.check('peerweave.nope.v1.Nothing'), 'SERVICE_UNKNOWN');
  });

  it('lists the node and health services through reflection', async () => {
    assert.ok(server);
    const services = await listServicesByReflection(server.address);
    assert.ok(services.includes('peerweave.node.v1.NodeService'), services.join(', '));
    assert.ok(services.includes('grpc.health.v1.Health'), services.join(', '));
  });

  it('serves no reflection unless asked for', async (t) => {
    const plain = await startTestServer([nodeServiceBinding(quickHandler)]);
    t.after(() => plain.stop({ graceMs: 100 }));
    await assert.rejects(listServicesByReflection(plain.address), { code: 12 }); // UNIMPLEMENTED
  });

  it('refuses services added after start', () => {
    assert.ok(server);
    assert.throws(() => server?.addService(nodeServiceBinding(quickHandler)), (err: unknown) => {
      assert.ok(err instanceof PeerweaveError);
      assert.equal(err.code, 'FAILED_PRECONDITION');
      return true;
    });
  });
});

describe('GrpcServer lifecycle', () => {
  it('refuses the same service twice', (t) => {
    const server = new GrpcServer({ host: '127.0.0.1', port: 0, maxMessageBytes: 65_536, keepaliveMs: 10_000 });
    t.after(() => server.stop());
    server.addService(nodeServiceBinding(quickHandler));
    assert.throws(() => server.addService(nodeServiceBinding(quickHandler)), { code: 'ALREADY_EXISTS' });
  });

  it('stop() of an idle server finishes, is idempotent, and the port is closed', async (t) => {
    const server = await startTestServer([nodeServiceBinding(quickHandler)]);
    t.after(() => server.stop({ graceMs: 100 }));
    const address = server.address;
    await server.stop({ graceMs: 5_000 });
    await server.stop({ graceMs: 5_000 });
    const c = createNodeClient(address, { defaultDeadlineMs: 1_000 });
    t.after(() => c.close());
    await assert.rejects(c.getInfo(), PeerweaveError);
  });

  it('stop() lets an in-flight call finish within graceMs', async (t) => {
    let release!: () => void;
    const started = deferred();
    const server = await startTestServer([
      nodeServiceBinding({
        getInfo: () => {
          started.resolve();
          return new Promise<NodeInfoData>((resolve) => {
            release = () => resolve(INFO);
          });
        },
      }),
    ]);
    t.after(() => server.stop({ graceMs: 100 }));
    const c = createNodeClient(server.address, { defaultDeadlineMs: 10_000 });
    t.after(() => c.close());
    const call = c.getInfo();
    await started.promise;
    const stopped = server.stop({ graceMs: 10_000 });
    release();
    assert.deepEqual((await call).role, 'supernode');
    await stopped;
  });

  it('stop() reports NOT_SERVING first, then cuts calls still running after graceMs', async (t) => {
    const logger = recordingLogger();
    const started = deferred();
    const handlerAborted = deferred();
    const server = await startTestServer(
      [
        nodeServiceBinding({
          getInfo: ({ signal }) => {
            signal.addEventListener('abort', () => handlerAborted.resolve(), { once: true });
            started.resolve();
            return new Promise<NodeInfoData>(() => {}); // never answers
          },
        }),
      ],
      { logger },
    );
    t.after(() => server.stop({ graceMs: 100 }));

    // A Watch stream sees every status change of the whole server as it happens.
    const channel = new ClientChannel(server.address);
    t.after(() => channel.close());
    const { Watch: watch } = healthPackageDefinition()['grpc.health.v1.Health'] as unknown as {
      Watch: {
        path: string;
        requestSerialize: (v: unknown) => Buffer;
        responseDeserialize: (b: Buffer) => { status: string };
      };
    };
    const statuses: string[] = [];
    const sawServing = deferred();
    const sawNotServing = deferred();
    const stream: ClientReadableStream<{ status: string }> = channel.client.makeServerStreamRequest(
      watch.path,
      watch.requestSerialize,
      watch.responseDeserialize,
      { service: '' },
    );
    stream.on('data', ({ status }: { status: string }) => {
      statuses.push(status);
      if (status === 'SERVING') sawServing.resolve();
      if (status === 'NOT_SERVING') sawNotServing.resolve();
    });
    stream.on('error', () => {}); // cut by the forced shutdown
    await sawServing.promise;

    const c = createNodeClient(server.address, { defaultDeadlineMs: 10_000 });
    t.after(() => c.close());
    const call = c.getInfo();
    await started.promise;

    await server.stop({ graceMs: 200 });
    await sawNotServing.promise;
    assert.deepEqual(statuses, ['SERVING', 'NOT_SERVING']);
    await assert.rejects(call, { code: 'UNAVAILABLE', message: 'server shutting down' });
    await handlerAborted.promise; // the handler is told its call is gone
    assert.ok(logger.entries.some((e) => e.level === 'warn' && /grace period/.test(e.msg ?? '')));
  });

  it('start() fails with UNAVAILABLE when the port is taken', async (t) => {
    const first = await startTestServer([]);
    t.after(() => first.stop({ graceMs: 100 }));
    const second = new GrpcServer({ host: '127.0.0.1', port: first.port, maxMessageBytes: 65_536, keepaliveMs: 10_000 });
    t.after(() => second.stop({ graceMs: 100 }));
    await assert.rejects(second.start(), { code: 'UNAVAILABLE' });
  });
});
