import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { ConnectionCounter } from './connection-limit.ts';
import { routingServiceBinding } from '../routing/routing-service.ts';
import { PING, PING_RESPONSE, sampleHandler } from '../routing/routing-test-messages.ts';
import type { PingResponse } from '../routing/routing-messages.ts';
import { GrpcPeerTransport } from './grpc-peer-transport.ts';
import { deferred, recordingLogger, startTestServer } from '../test-support.ts';

describe('ConnectionCounter', () => {
  it('counts per key up to the limit, and frees a slot when one closes', () => {
    const counter = new ConnectionCounter(2);
    assert.deepEqual([counter.open('a'), counter.open('a'), counter.open('a'), counter.open('b')], [true, true, false, true]);
    counter.close('a');
    assert.equal(counter.count('a'), 1);
    assert.equal(counter.open('a'), true);
    counter.close('b');
    assert.equal(counter.count('b'), 0);
  });

  it('0 is no limit; a negative or fractional limit is refused', () => {
    const counter = new ConnectionCounter(0);
    for (let i = 0; i < 1_000; i++) assert.equal(counter.open('a'), true);
    assert.throws(() => new ConnectionCounter(-1), RangeError);
    assert.throws(() => new ConnectionCounter(1.5), RangeError);
  });
});

/** The HTTP/2 client preface and an empty SETTINGS frame: a server that serves the connection answers with its SETTINGS. */
const HTTP2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/**
 * Whether the server closed a raw TCP connection (refused) rather than serving it: the preface is
 * sent, and the answer is whichever comes first, the server's first bytes or the close. No timer:
 * both outcomes are events.
 */
async function closedAtOnce(socket: Socket): Promise<boolean> {
  const closed = once(socket, 'close').then(() => true);
  const served = once(socket, 'data').then(() => false);
  if (!socket.destroyed) socket.write(HTTP2_PREFACE);
  return Promise.race([closed, served]);
}

describe('GrpcServer limits', () => {
  it('closes a connection beyond maxConnectionsPerPeer from one address, at once, and warns', async (t) => {
    const logger = recordingLogger();
    const server = await startTestServer([routingServiceBinding(sampleHandler())], { maxConnectionsPerPeer: 2, logger });
    t.after(() => server.stop({ graceMs: 100 }));
    const sockets: Socket[] = [];
    t.after(() => sockets.forEach((s) => s.destroy()));
    for (let i = 0; i < 3; i++) {
      const socket = connect(server.port, '127.0.0.1');
      socket.on('error', () => {});
      await once(socket, 'connect');
      sockets.push(socket);
    }
    assert.equal(await closedAtOnce(sockets[2]!), true, 'the third is refused');
    assert.equal(sockets[0]!.destroyed, false);
    assert.ok(logger.entries.some((e) => e.level === 'warn' && e.msg === 'connections refused: too many open from one address'));
    // A slot frees when one closes.
    sockets[0]!.destroy();
    await once(sockets[0]!, 'close');
    const again = connect(server.port, '127.0.0.1');
    again.on('error', () => {});
    sockets.push(again);
    await once(again, 'connect');
    assert.equal(await closedAtOnce(again), false);
  });

  it('a peer beyond maxConcurrentStreams on its connection waits for a stream to end, it is not refused', async (t) => {
    const gate = deferred();
    let running = 0;
    let most = 0;
    const handler = {
      ...sampleHandler(),
      ping: async (): Promise<PingResponse> => {
        running++;
        most = Math.max(most, running);
        await gate.promise;
        running--;
        return PING_RESPONSE;
      },
    };
    const server = await startTestServer([routingServiceBinding(handler)], { maxConcurrentStreams: 2 });
    t.after(() => server.stop({ graceMs: 100 }));
    const transport = new GrpcPeerTransport({ pingStream: false, defaultDeadlineMs: 5_000 });
    t.after(() => transport.close());
    const calls = Array.from({ length: 6 }, () => transport.request(server.address, 'ping', PING));
    while (running < 2) await new Promise((resolve) => setImmediate(resolve));
    gate.resolve();
    const answers = await Promise.all(calls);
    assert.equal(answers.length, 6);
    assert.equal(most, 2, 'never more than 2 handled at once on one connection');
  });
});
