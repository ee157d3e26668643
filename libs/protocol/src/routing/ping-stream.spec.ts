import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { status as Status } from '@grpc/grpc-js';
import { NotFoundError, PeerweaveError } from '@peerweave/core';
import { ClientChannel } from '../transport/client-channel.ts';
import type { GrpcServer } from '../transport/grpc-server.ts';
import type { PongFrame__Output } from '../generated/peerweave/routing/v1/PongFrame.ts';
import { PEER_CODECS } from '../peer-codec.ts';
import type { PingResponse, RoutingHandler, RoutingMethods } from './routing-messages.ts';
import { ROUTING_SERVICE, routingServiceBinding, routingServiceDefinition } from './routing-service.ts';
import { ROUTING_CODECS } from './routing-codec.ts';
import { PING, PING_RESPONSE, sampleHandler } from './routing-test-messages.ts';
import { MAX_PINGS_IN_FLIGHT, PingStreamClient } from './ping-stream.ts';
import { deferred, rawBidiStream, recordingLogger, startTestServer, rejectsWithCode } from '../test-support.ts';
import { serviceBinding, type ServiceBinding } from '../service-binding.ts';

const WIRE_PING = PEER_CODECS.ping.encodeRequest(PING);


function pingClient(t: TestContext, address: string): PingStreamClient {
  const channel = new ClientChannel(address, { defaultDeadlineMs: 2_000 });
  t.after(() => channel.close());
  const def = routingServiceDefinition();
  return new PingStreamClient(channel, {
    stream: def.PingStream as never,
    unary: def.Ping as never,
  });
}

/** A routing handler whose ping each test may replace. */
function switchable(): RoutingHandler & { onPing: RoutingHandler['ping'] | undefined; pings: number } {
  const base = sampleHandler();
  const handler = {
    ...base,
    pings: 0,
    onPing: undefined as RoutingHandler['ping'] | undefined,
    ping: (request: Parameters<RoutingHandler['ping']>[0], context: Parameters<RoutingHandler['ping']>[1]) => {
      handler.pings++;
      return handler.onPing === undefined ? base.ping(request, context) : handler.onPing(request, context);
    },
  };
  return handler;
}

/** PeerService as a node from before PingStream served it: the unary methods only. */
function oldPeerServiceBinding(handler: RoutingHandler): ServiceBinding {
  const definition = (): ReturnType<typeof ROUTING_SERVICE.definition> => {
    const { PingStream: _, ...unary } = ROUTING_SERVICE.definition();
    return unary;
  };
  return serviceBinding<RoutingMethods>({ ...ROUTING_SERVICE, definition }, ROUTING_CODECS, handler);
}

describe('PingStream: SWIM probes over one long-lived stream', () => {
  const logger = recordingLogger();
  const handler = switchable();
  let server: GrpcServer;
  let old: GrpcServer;

  before(async () => {
    server = await startTestServer([routingServiceBinding(handler)], { logger });
    old = await startTestServer([oldPeerServiceBinding(sampleHandler())]);
  });
  after(async () => {
    await server?.stop({ graceMs: 1_000 });
    await old?.stop({ graceMs: 1_000 });
  });

  it('answers many pings over one stream, each decoded as a unary Ping would be', async (t) => {
    const client = pingClient(t, server.address);
    const before = handler.pings;
    const answers = await Promise.all(Array.from({ length: 5 }, () => client.ping(WIRE_PING)));
    for (let i = 0; i < 20; i++) answers.push(await client.ping(WIRE_PING));
    assert.equal(handler.pings - before, 25);
    assert.equal(client.opened, 1);
    assert.equal(client.unsupported, false);
    for (const answer of answers) assert.deepEqual(PEER_CODECS.ping.decodeResponse(answer), PING_RESPONSE);
  });

  it("a handler's typed error fails that ping with its code, and the stream goes on", async (t) => {
    const client = pingClient(t, server.address);
    await client.ping(WIRE_PING);
    handler.onPing = async () => {
      throw new NotFoundError('this node is not BOB');
    };
    t.after(() => {
      handler.onPing = undefined;
    });
    await rejectsWithCode(client.ping(WIRE_PING), 'NOT_FOUND', /not BOB/);
    handler.onPing = undefined;
    await client.ping(WIRE_PING);
    assert.equal(client.opened, 1);
  });

  it('an unexpected failure is masked as "internal error" and logged by the server', async (t) => {
    const client = pingClient(t, server.address);
    handler.onPing = async () => {
      throw new Error('secret path /etc/x');
    };
    t.after(() => {
      handler.onPing = undefined;
    });
    const logged = logger.entries.length;
    await assert.rejects(client.ping(WIRE_PING), (err: unknown) => err instanceof PeerweaveError && !/secret/.test(err.message));
    assert.ok(logger.entries.slice(logged).some((e) => e.level === 'error'));
  });

  it('a stuck handler: DEADLINE_EXCEEDED at the caller, the handler signal aborts, the slot frees', async (t) => {
    const client = pingClient(t, server.address);
    const aborted = deferred<unknown>();
    handler.onPing = (_request, { signal }) => {
      signal.addEventListener('abort', () => aborted.resolve(signal.reason), { once: true });
      return new Promise<PingResponse>(() => {});
    };
    t.after(() => {
      handler.onPing = undefined;
    });
    await rejectsWithCode(client.ping(WIRE_PING, { deadlineMs: 150 }), 'DEADLINE_EXCEEDED');
    const reason = await aborted.promise;
    assert.ok(reason instanceof PeerweaveError && reason.code === 'DEADLINE_EXCEEDED');
    // More stuck pings than a stream's slots, one after the other: each slot frees at its deadline.
    for (let i = 0; i <= MAX_PINGS_IN_FLIGHT; i++) {
      await rejectsWithCode(client.ping(WIRE_PING, { deadlineMs: 30 }), 'DEADLINE_EXCEEDED');
    }
    handler.onPing = undefined;
    await client.ping(WIRE_PING);
    assert.equal(client.opened, 1);
  });

  it("the caller's signal fails the ping with ABORTED", async (t) => {
    const client = pingClient(t, server.address);
    const started = deferred();
    handler.onPing = () => {
      started.resolve();
      return new Promise<PingResponse>(() => {});
    };
    t.after(() => {
      handler.onPing = undefined;
    });
    const controller = new AbortController();
    const ping = client.ping(WIRE_PING, { signal: controller.signal, deadlineMs: 1_000 });
    await started.promise;
    controller.abort();
    await rejectsWithCode(ping, 'ABORTED');
  });

  it('a peer that does not serve PingStream is pinged with unary Ping', async (t) => {
    const client = pingClient(t, old.address);
    const first = await client.ping(WIRE_PING);
    assert.deepEqual(PEER_CODECS.ping.decodeResponse(first), PING_RESPONSE);
    assert.equal(client.unsupported, true);
    await client.ping(WIRE_PING);
    assert.equal(client.opened, 1, 'not reopened once UNIMPLEMENTED');
  });

  it('a frame without a ping gets INVALID_ARGUMENT, more than the slots RESOURCE_EXHAUSTED; the stream goes on', async (t) => {
    const { call, next } = rawBidiStream<PongFrame__Output>(t, server.address, routingServiceDefinition().PingStream as never);
    call.write({ seq: 7 });
    const bad = await next();
    assert.equal(bad.seq, 7);
    assert.equal(bad.status, Status.INVALID_ARGUMENT);

    const release = deferred();
    handler.onPing = async (request, context) => {
      await release.promise;
      return sampleHandler().ping(request, context);
    };
    t.after(() => {
      handler.onPing = undefined;
    });
    for (let seq = 100; seq <= 100 + MAX_PINGS_IN_FLIGHT; seq++) call.write({ seq, ping: WIRE_PING, timeoutMs: 5_000 });
    const refused = await next();
    assert.equal(refused.seq, 100 + MAX_PINGS_IN_FLIGHT);
    assert.equal(refused.status, Status.RESOURCE_EXHAUSTED);
    release.resolve();
    const seqs = new Set<number>();
    for (let i = 0; i < MAX_PINGS_IN_FLIGHT; i++) {
      const frame = await next();
      assert.equal(frame.status, Status.OK);
      assert.deepEqual(PEER_CODECS.ping.decodeResponse(frame.pong!), PING_RESPONSE);
      seqs.add(frame.seq);
    }
    assert.equal(seqs.size, MAX_PINGS_IN_FLIGHT);
  });

  it('a stopping server ends its ping streams at once; the next ping reaches the restarted node', async (t) => {
    const h = switchable();
    const first = await startTestServer([routingServiceBinding(h)]);
    const address = first.address;
    const client = pingClient(t, address);
    await client.ping(WIRE_PING);
    const started = Date.now();
    await first.stop({ graceMs: 10_000 });
    assert.ok(Date.now() - started < 5_000, `stop took ${Date.now() - started} ms with a ping stream open`);
    const port = Number(address.split(':').pop());
    const second = await startTestServer([routingServiceBinding(h)], { port });
    t.after(() => second.stop({ graceMs: 1_000 }));
    // The channel reconnects on its own; pings in the meantime fail as unary ones would.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await client.ping(WIRE_PING, { deadlineMs: 500 });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
    }
    assert.ok(client.opened >= 2, 'a new stream after the restart');
  });
});
