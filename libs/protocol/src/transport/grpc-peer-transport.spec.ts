import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Client, credentials, status as Status, type ServiceError } from '@grpc/grpc-js';
import { NotFoundError, PeerweaveError } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { GrpcServer } from './grpc-server.ts';
import { GrpcPeerTransport, type GrpcPeerTransportInit } from './grpc-peer-transport.ts';
import { MAX_ADDRESS_LENGTH, MAX_UPDATES_PER_MESSAGE, ROUTING_METHODS } from '../routing/routing-codec.ts';
import type { PingResponse, RoutingHandler } from '../routing/routing-messages.ts';
import { ROUTING_SERVICE_NAME, routingServiceBinding, routingServiceDefinition } from '../routing/routing-service.ts';
import { BOB, contact, FIND_NODE, PING, PING_RESPONSE, sampleHandler, SAMPLES } from '../routing/routing-test-messages.ts';
import { deferred, recordingLogger, startTestServer, rejectsWithCode } from '../test-support.ts';

const SERVER_MAX_MESSAGE_BYTES = 16 * 1024;


/** A handler whose ping each test may swap; the other methods answer their samples. */
function switchableHandler(): RoutingHandler & { received: { method: string; request: unknown }[]; ping: RoutingHandler['ping']; onPing: RoutingHandler['ping'] | undefined } {
  const base = sampleHandler();
  const handler = {
    ...base,
    onPing: undefined as RoutingHandler['ping'] | undefined,
    ping: (request: Parameters<RoutingHandler['ping']>[0], context: Parameters<RoutingHandler['ping']>[1]) =>
      handler.onPing === undefined ? base.ping(request, context) : handler.onPing(request, context),
  };
  return handler;
}

/** A raw grpc-js call of PeerService/Ping with whatever message, bypassing our codec. */
function rawPing(address: string, message: unknown): Promise<{ code: number; details: string }> {
  const def = routingServiceDefinition().Ping;
  const client = new Client(address, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      def.path,
      def.requestSerialize as (m: unknown) => Buffer,
      def.responseDeserialize,
      message,
      { deadline: Date.now() + 5_000 },
      (err: ServiceError | null) => {
        client.close();
        resolve(err === null ? { code: Status.OK, details: '' } : { code: err.code, details: err.details });
      },
    );
  });
}

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('PeerService over gRPC with GrpcPeerTransport', () => {
  const logger = recordingLogger();
  const handler = switchableHandler();
  let server: GrpcServer;
  let other: GrpcServer;

  before(async () => {
    server = await startTestServer([routingServiceBinding(handler)], { logger, maxMessageBytes: SERVER_MAX_MESSAGE_BYTES });
    other = await startTestServer([routingServiceBinding(sampleHandler())]);
  });
  after(async () => {
    await server?.stop({ graceMs: 1_000 });
    await other?.stop({ graceMs: 1_000 });
  });

  function transport(t: TestContext, init: GrpcPeerTransportInit = {}): GrpcPeerTransport {
    const tr = new GrpcPeerTransport({ defaultDeadlineMs: 5_000, ...init });
    t.after(() => tr.close());
    return tr;
  }

  it('the server carries PeerService', () => {
    assert.equal(routingServiceBinding(handler).serviceName, ROUTING_SERVICE_NAME);
  });

  it('every method reaches the handler decoded and returns its answer', async (t) => {
    const tr = transport(t);
    for (const method of ROUTING_METHODS) {
      handler.received.length = 0;
      const { request, response } = SAMPLES[method];
      assert.deepEqual(await tr.request(server.address, method, request as never), response, method);
      assert.deepEqual(handler.received, [{ method, request }], method);
    }
  });

  it("the handler's context names the caller's connection as peer (host:port)", async (t) => {
    let peer: string | undefined;
    handler.onPing = async (_request, context) => {
      peer = context.peer;
      return PING_RESPONSE;
    };
    t.after(() => {
      handler.onPing = undefined;
    });
    await transport(t).request(server.address, 'ping', PING);
    assert.match(peer ?? '', /^127\.0\.0\.1:\d+$/);
    assert.notEqual(peer, server.address, 'the remote end, not ours');
  });

  it('reuses one channel per address', async (t) => {
    const tr = transport(t);
    await tr.request(server.address, 'ping', PING);
    await Promise.all([tr.request(server.address, 'ping', PING), tr.request(server.address, 'findNode', FIND_NODE)]);
    assert.equal(tr.channelCount, 1);
    await tr.request(other.address, 'ping', PING);
    assert.equal(tr.channelCount, 2);
  });

  it('closes channels left idle, and opens a new one when the address is called again', async (t) => {
    const clock = new ManualClock(1_000);
    const tr = transport(t, { clock, idleChannelMs: 60_000 });
    await tr.request(server.address, 'ping', PING);
    await tr.request(other.address, 'ping', PING);
    await clock.advance(40_000);
    await tr.request(other.address, 'ping', PING); // keeps `other` in use
    await clock.advance(40_000);
    assert.equal(tr.channelCount, 1, 'the idle channel is gone, the used one stays');
    await clock.advance(120_000);
    assert.equal(tr.channelCount, 0);
    assert.equal(clock.pending, 0, 'no sweep timer without channels');
    assert.deepEqual(await tr.request(server.address, 'ping', PING), PING_RESPONSE);
    assert.equal(tr.channelCount, 1);
  });

  it('a 31-byte id from a raw client gets INVALID_ARGUMENT and the server keeps serving', async (t) => {
    const sender = { id: Buffer.alloc(31), address: '10.0.0.1:7400', role: 'peer', incarnation: 1 };
    const answer = await rawPing(server.address, { sender, updates: [] });
    assert.equal(answer.code, Status.INVALID_ARGUMENT);
    assert.match(answer.details, /sender\.id: an id has 32 bytes, got 31/);
    const unknownState = await rawPing(server.address, {
      sender: { ...sender, id: Buffer.alloc(32) },
      updates: [{ state: 42, contact: { ...sender, id: Buffer.alloc(32) }, from: Buffer.alloc(32) }],
    });
    assert.equal(unknownState.code, Status.INVALID_ARGUMENT);
    assert.deepEqual(await transport(t).request(server.address, 'ping', PING), PING_RESPONSE);
  });

  it('a message above the server limit gets RESOURCE_EXHAUSTED', async (t) => {
    const updates = Array.from({ length: MAX_UPDATES_PER_MESSAGE }, (_, i) => ({
      state: 'alive' as const,
      contact: contact(i, 'x'.repeat(MAX_ADDRESS_LENGTH)),
      from: BOB.id,
    }));
    await rejectsWithCode(transport(t).request(server.address, 'ping', { ...PING, updates }), 'RESOURCE_EXHAUSTED');
  });

  it('a handler slower than the deadline: DEADLINE_EXCEEDED, and the handler signal aborts', async (t) => {
    const aborted = deferred<unknown>();
    handler.onPing = ({ sender: _ }, { signal }) => {
      signal.addEventListener('abort', () => aborted.resolve(signal.reason), { once: true });
      return new Promise<PingResponse>(() => {});
    };
    t.after(() => {
      handler.onPing = undefined;
    });
    await rejectsWithCode(transport(t).request(server.address, 'ping', PING, { deadlineMs: 200 }), 'DEADLINE_EXCEEDED');
    const reason = await aborted.promise;
    assert.ok(reason instanceof PeerweaveError);
  });

  it("the caller's signal cancels the call with ABORTED", async (t) => {
    const started = deferred();
    handler.onPing = () => {
      started.resolve();
      return new Promise<PingResponse>(() => {});
    };
    t.after(() => {
      handler.onPing = undefined;
    });
    const controller = new AbortController();
    const call = transport(t).request(server.address, 'ping', PING, { signal: controller.signal });
    await started.promise;
    controller.abort();
    await rejectsWithCode(call, 'ABORTED');
  });

  it("a handler's typed error reaches the caller with its code", async (t) => {
    handler.onPing = async () => {
      throw new NotFoundError('no such thing');
    };
    t.after(() => {
      handler.onPing = undefined;
    });
    await rejectsWithCode(transport(t).request(server.address, 'ping', PING), 'NOT_FOUND', /no such thing/);
  });

  it('an invalid response from the handler is our bug: INTERNAL to the caller, logged here', async (t) => {
    handler.onPing = async () => ({ ...PING_RESPONSE, sender: { ...BOB, address: '' } });
    t.after(() => {
      handler.onPing = undefined;
    });
    logger.entries.length = 0;
    await rejectsWithCode(transport(t).request(server.address, 'ping', PING), 'INTERNAL', /^internal error$/);
    assert.equal(logger.entries.filter((e) => e.level === 'error').length, 1);
  });

  it('an invalid request is refused before it leaves, with INVALID_ARGUMENT', async (t) => {
    const tr = transport(t);
    await rejectsWithCode(tr.request(server.address, 'ping', { ...PING, target: 'nope' }), 'INVALID_ARGUMENT', /target/);
    assert.equal(tr.channelCount, 0);
  });

  it('an address that cannot be dialled: INVALID_ARGUMENT', async (t) => {
    const tr = transport(t);
    await rejectsWithCode(tr.request('', 'ping', PING), 'INVALID_ARGUMENT');
    await rejectsWithCode(tr.request('x'.repeat(MAX_ADDRESS_LENGTH + 1), 'ping', PING), 'INVALID_ARGUMENT');
    assert.equal(tr.channelCount, 0);
  });

  it('an unreachable address: UNAVAILABLE before the deadline', async (t) => {
    const address = `127.0.0.1:${await unusedPort()}`;
    await rejectsWithCode(transport(t).request(address, 'ping', PING, { deadlineMs: 3_000 }), 'UNAVAILABLE');
  });

  it('disconnect(address) closes that channel only, aborting its calls; the next call opens a new connection', async (t) => {
    const peers: string[] = [];
    const started = deferred();
    let hang = false;
    handler.onPing = (_request, context) => {
      peers.push(context.peer);
      if (!hang) return Promise.resolve(PING_RESPONSE);
      started.resolve();
      return new Promise<PingResponse>(() => {});
    };
    t.after(() => {
      handler.onPing = undefined;
    });
    const tr = transport(t);
    assert.equal(tr.connected(server.address), false, 'no channel yet');
    await tr.request(other.address, 'ping', PING);
    await tr.request(server.address, 'ping', PING);
    assert.equal(tr.connected(server.address), true);
    hang = true;
    const call = tr.request(server.address, 'ping', PING);
    await started.promise;
    hang = false;
    tr.disconnect(server.address);
    assert.equal(tr.connected(server.address), false);
    await rejectsWithCode(call, 'ABORTED');
    assert.equal(tr.channelCount, 1, 'the other channel stays');
    tr.disconnect('127.0.0.1:1');
    assert.deepEqual(await tr.request(server.address, 'ping', PING), PING_RESPONSE);
    assert.equal(tr.channelCount, 2);
    assert.equal(peers.length, 3, 'the pings to `server` (`other` has its own handler)');
    assert.equal(peers[0], peers[1], 'one connection before');
    assert.notEqual(peers[2], peers[0], 'a new connection (another source port) after');
  });

  it('resetIfIdle(address) leaves a channel with a call in flight or a block stream open, and closes an idle one', async (t) => {
    const peers: string[] = [];
    const started = deferred();
    const release = deferred();
    let hang = false;
    handler.onPing = (_request, context) => {
      peers.push(context.peer);
      if (!hang) return Promise.resolve(PING_RESPONSE);
      started.resolve();
      return release.promise.then(() => PING_RESPONSE);
    };
    t.after(() => {
      handler.onPing = undefined;
    });
    const tr = transport(t);
    assert.equal(tr.resetIfIdle(server.address), false, 'no channel');
    await tr.request(server.address, 'ping', PING);
    hang = true;
    const call = tr.request(server.address, 'ping', PING);
    await started.promise;
    hang = false;
    assert.equal(tr.resetIfIdle(server.address), false, 'a call in flight');
    release.resolve();
    assert.deepEqual(await call, PING_RESPONSE, 'the call was not aborted');
    const reader = tr.openBlockReader(server.address);
    assert.equal(tr.resetIfIdle(server.address), false, 'a block stream open');
    reader.close();
    assert.equal(tr.resetIfIdle(server.address), true, 'idle');
    assert.equal(tr.channelCount, 0);
    await tr.request(server.address, 'ping', PING);
    assert.equal(peers.length, 3);
    assert.equal(peers[0], peers[1], 'one connection before');
    assert.notEqual(peers[2], peers[0], 'a new connection after');
  });

  it('close() aborts calls in flight and refuses later ones', async (t) => {
    const started = deferred();
    handler.onPing = () => {
      started.resolve();
      return new Promise<PingResponse>(() => {});
    };
    t.after(() => {
      handler.onPing = undefined;
    });
    const tr = transport(t);
    const call = tr.request(server.address, 'ping', PING);
    await started.promise;
    await tr.close();
    await rejectsWithCode(call, 'ABORTED');
    await rejectsWithCode(tr.request(server.address, 'ping', PING), 'ABORTED');
    assert.equal(tr.channelCount, 0);
  });
});

describe('GrpcPeerTransport: lost connections', () => {
  /** A PeerService in a child process, as another node would be: its kernel closes its sockets when it is killed. */
  async function childServer(t: TestContext): Promise<{ address: string; kill: () => Promise<void> }> {
    const lib = (path: string): string => JSON.stringify(new URL(path, import.meta.url).href);
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { startTestServer } from ${lib('../test-support.ts')};
         import { routingServiceBinding } from ${lib('../routing/routing-service.ts')};
         import { sampleHandler } from ${lib('../routing/routing-test-messages.ts')};
         const server = await startTestServer([routingServiceBinding(sampleHandler())]);
         process.stdout.write(server.address + '\\n');`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    t.after(() => child.kill('SIGKILL'));
    let out = '';
    for await (const chunk of child.stdout!) {
      out += String(chunk);
      if (out.includes('\n')) break;
    }
    return {
      address: out.trim(),
      kill: async () => {
        child.kill('SIGKILL');
        if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
      },
    };
  }

  it('tells its listeners the address of a peer whose process was SIGKILLed', async (t) => {
    const peer = await childServer(t);
    const tr = new GrpcPeerTransport({ defaultDeadlineMs: 5_000 });
    t.after(() => tr.close());
    const lost: string[] = [];
    const told = deferred<void>();
    tr.onConnectionLost((address) => {
      lost.push(address);
      told.resolve();
    });
    await tr.request(peer.address, 'ping', PING);
    await peer.kill();
    await told.promise;
    assert.deepEqual(lost, [peer.address]);
  });

  it('a peer that stops gracefully is reported too; a removed listener hears nothing', async (t) => {
    const server = await startTestServer([routingServiceBinding(sampleHandler())]);
    const tr = new GrpcPeerTransport({ defaultDeadlineMs: 5_000 });
    t.after(() => tr.close());
    const lost: string[] = [];
    const removed: string[] = [];
    const told = deferred<void>();
    tr.onConnectionLost((address) => {
      lost.push(address);
      told.resolve();
    });
    const remove = tr.onConnectionLost((address) => removed.push(address));
    await tr.request(server.address, 'ping', PING);
    remove();
    await server.stop({ graceMs: 100 });
    await told.promise;
    assert.deepEqual(lost, [server.address]);
    assert.deepEqual(removed, []);
  });

  it('says nothing when this side closes its channels', async (t) => {
    const server = await startTestServer([routingServiceBinding(sampleHandler())]);
    t.after(() => server.stop({ graceMs: 100 }));
    const tr = new GrpcPeerTransport({ defaultDeadlineMs: 5_000 });
    const lost: string[] = [];
    tr.onConnectionLost((address) => lost.push(address));
    await tr.request(server.address, 'ping', PING);
    await tr.close();
    await server.stop({ graceMs: 100 });
    // A lost connection is reported within a few turns of the event loop; give it some.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(lost, []);
  });
});
