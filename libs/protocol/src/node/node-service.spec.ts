import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { NotFoundError, PeerweaveError } from '@peerweave/core';
import { ClientChannel } from '../transport/client-channel.ts';
import type { GrpcServer } from '../transport/grpc-server.ts';
import { createNodeClient } from './node-client.ts';
import type { NodeInfoData, NodeServiceHandler } from './node-messages.ts';
import { nodeServiceBinding, nodeServiceDefinition } from './node-service.ts';
import { deferred, recordingLogger, startTestServer, rejectsWithCode } from '../test-support.ts';
import { unaryCall } from '../transport/unary-call.ts';

const INFO: NodeInfoData = {
  nodeId: 'ab'.repeat(32),
  publicKey: new Uint8Array(32).map((_, i) => i),
  role: 'peer',
  version: '0.1.0',
  httpAddresses: ['http://127.0.0.1:8080'],
  grpcAddresses: ['127.0.0.1:7400'],
  startedAtMs: 1_764_000_000_123,
};

const SERVER_MAX_MESSAGE_BYTES = 64 * 1024;


/** A handler whose behaviour each test swaps in; getInfo delegates to `current`. */
function switchableHandler(): NodeServiceHandler & { current: NodeServiceHandler['getInfo'] } {
  const handler: NodeServiceHandler & { current: NodeServiceHandler['getInfo'] } = {
    current: async () => INFO,
    getInfo: (options) => handler.current(options),
  };
  return handler;
}

describe('NodeService over a real GrpcServer', () => {
  const logger = recordingLogger();
  const handler = switchableHandler();
  let server: GrpcServer;

  before(async () => {
    server = await startTestServer([nodeServiceBinding(handler)], {
      logger,
      maxMessageBytes: SERVER_MAX_MESSAGE_BYTES,
    });
  });
  after(() => server?.stop({ graceMs: 1_000 }));

  function client(t: TestContext, init: Parameters<typeof createNodeClient>[1] = {}) {
    const c = createNodeClient(server.address, { defaultDeadlineMs: 5_000, ...init });
    t.after(() => c.close());
    return c;
  }

  it('GetInfo returns the handler data', async (t) => {
    handler.current = async () => INFO;
    const info = await client(t).getInfo();
    assert.deepEqual(info, INFO);
    assert.equal(Object.getPrototypeOf(info.publicKey), Uint8Array.prototype);
  });

  it('sends only protocol fields, whatever else the handler returns', async (t) => {
    handler.current = async () => ({ ...INFO, secret: 'private key' }) as NodeInfoData;
    assert.deepEqual(await client(t).getInfo(), INFO);
  });

  it('a handler slower than the deadline: DEADLINE_EXCEEDED on the client, signal aborted on the server', async (t) => {
    let serverSignal: AbortSignal | undefined;
    const serverAborted = new Promise<unknown>((resolve) => {
      handler.current = ({ signal }) => {
        serverSignal = signal;
        signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
        return new Promise<NodeInfoData>(() => {}); // never answers
      };
    });
    await rejectsWithCode(client(t).getInfo({ deadlineMs: 100 }), 'DEADLINE_EXCEEDED');
    const reason = await serverAborted;
    assert.equal(serverSignal?.aborted, true);
    assert.ok(reason instanceof PeerweaveError);
    assert.equal(reason.code, 'DEADLINE_EXCEEDED');
  });

  it('uses the default deadline of the client when the call names none', async (t) => {
    handler.current = () => new Promise<NodeInfoData>(() => {});
    await rejectsWithCode(client(t, { defaultDeadlineMs: 100 }).getInfo(), 'DEADLINE_EXCEEDED');
  });

  it('a caller abort gives ABORTED and aborts the server-side signal', async (t) => {
    const controller = new AbortController();
    const serverAborted = new Promise<unknown>((resolve) => {
      handler.current = ({ signal }) => {
        signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
        controller.abort(); // the caller gives up once the call is running on the server
        return new Promise<NodeInfoData>(() => {});
      };
    });
    await rejectsWithCode(client(t).getInfo({ signal: controller.signal }), 'ABORTED');
    const reason = await serverAborted;
    assert.ok(reason instanceof PeerweaveError);
    assert.equal(reason.code, 'ABORTED');
  });

  it('an already aborted signal rejects without calling', async (t) => {
    let called = false;
    handler.current = async () => {
      called = true;
      return INFO;
    };
    await rejectsWithCode(client(t).getInfo({ signal: AbortSignal.abort() }), 'ABORTED');
    assert.equal(called, false);
  });

  it('close() cancels calls in flight with ABORTED', async (t) => {
    const started = deferred();
    handler.current = () => {
      started.resolve();
      return new Promise<NodeInfoData>(() => {});
    };
    const c = client(t, { defaultDeadlineMs: 10_000 });
    const call = c.getInfo();
    await started.promise;
    c.close();
    await rejectsWithCode(call, 'ABORTED', 'client closed');
    await rejectsWithCode(c.getInfo(), 'ABORTED', 'client closed');
  });

  it('a PeerweaveError from the handler reaches the client with its code and message', async (t) => {
    handler.current = async () => {
      throw new NotFoundError('no such node here');
    };
    await rejectsWithCode(client(t).getInfo(), 'NOT_FOUND', 'no such node here');
  });

  it('a plain Error gives "internal error" to the client and is logged at error level', async (t) => {
    handler.current = async () => {
      throw new Error('ENOENT: /var/secret/key.pem');
    };
    await assert.rejects(client(t).getInfo(), (err: unknown) => {
      assert.ok(err instanceof PeerweaveError);
      assert.equal(err.code, 'INTERNAL');
      assert.equal(err.message, 'internal error');
      assert.equal(err.details?.['grpcStatus'], 'UNKNOWN');
      assert.doesNotMatch(JSON.stringify(err.details), /secret/);
      return true;
    });
    const logged = logger.entries.find((e) => e.level === 'error');
    assert.ok(logged, 'the failure is logged');
    assert.match(String((logged.obj['err'] as Error).message), /secret/);
    assert.equal(logged.obj['method'], 'peerweave.node.v1.NodeService/GetInfo');
  });

  it('a handler that throws synchronously is handled the same way', async (t) => {
    handler.current = () => {
      throw new TypeError('boom');
    };
    await rejectsWithCode(client(t).getInfo(), 'INTERNAL', 'internal error');
  });

  it('a request over the server maxMessageBytes gives RESOURCE_EXHAUSTED', async (t) => {
    handler.current = async () => INFO;
    // NodeService requests are empty; send raw bytes on its path to exercise the server's limit.
    const raw = new ClientChannel(server.address, { maxMessageBytes: 4 * SERVER_MAX_MESSAGE_BYTES });
    t.after(() => raw.close());
    const rawGetInfo = { ...nodeServiceDefinition().GetInfo, requestSerialize: (b: Buffer) => b };
    const tooBig = Buffer.alloc(SERVER_MAX_MESSAGE_BYTES + 1);
    await rejectsWithCode(unaryCall(raw, rawGetInfo as never, tooBig, { deadlineMs: 5_000 }), 'RESOURCE_EXHAUSTED');
  });

  it('a response over the client maxMessageBytes gives RESOURCE_EXHAUSTED', async (t) => {
    handler.current = async () => ({ ...INFO, httpAddresses: Array.from({ length: 500 }, (_, i) => `http://host-${i}.example:8080`) });
    await rejectsWithCode(client(t, { maxMessageBytes: 1024 }).getInfo(), 'RESOURCE_EXHAUSTED');
  });

  it('rejects a deadline that is not a positive number', async (t) => {
    await rejectsWithCode(client(t).getInfo({ deadlineMs: 0 }), 'INVALID_ARGUMENT');
    assert.throws(() => createNodeClient(server.address, { defaultDeadlineMs: Number.NaN }), PeerweaveError);
  });
});

describe('NodeService client without a server', () => {
  it('gives UNAVAILABLE or DEADLINE_EXCEEDED, never hangs', async (t) => {
    const server = await startTestServer([]);
    t.after(() => server.stop({ graceMs: 100 }));
    const address = server.address;
    await server.stop({ graceMs: 100 });
    const c = createNodeClient(address, { defaultDeadlineMs: 2_000 });
    t.after(() => c.close());
    await assert.rejects(c.getInfo(), (err: unknown) => {
      assert.ok(err instanceof PeerweaveError);
      assert.ok(['UNAVAILABLE', 'DEADLINE_EXCEEDED'].includes(err.code), err.code);
      return true;
    });
  });
});
