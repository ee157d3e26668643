import assert from 'node:assert/strict';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { waitFor } from '@peerweave/core/testing';
import { serverTimeoutOptions } from './server-timeouts.ts';
import { MemoryContent, contentApp } from './testing/memory-content.ts';

const HEADERS_MS = 1_500;
const IDLE_MS = 1_000;

/** Resolves with what the server sent and how long after `since` the connection closed. */
function closed(socket: Socket, since: number): Promise<{ text: string; afterMs: number }> {
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('utf8').on('data', (c: string) => (text += c));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ text, afterMs: Date.now() - since }));
  });
}

describe('server timeouts', () => {
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    app = await contentApp(new MemoryContent(1_048_576), { timeouts: { headersMs: HEADERS_MS, idleMs: IDLE_MS } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  after(() => app.close());

  it('the defaults: no total request limit (long uploads), a headers limit, an idle limit', () => {
    const o = serverTimeoutOptions();
    assert.equal(o.requestTimeout, 0);
    assert.equal(o.http.requestTimeout, 0);
    assert.equal(o.http.headersTimeout, 15_000);
    assert.equal(o.connectionTimeout, 60_000);
    assert.equal(o.http.connectionsCheckingInterval, 1_000);
  });

  it('a client that sends its headers one byte a second is cut off with 408 after the headers timeout', async () => {
    const socket = connect(port, '127.0.0.1');
    const started = Date.now();
    const done = closed(socket, started);
    const request = 'GET /v1/objects HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(100) + '\r\n\r\n';
    let i = 0;
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write(request[i++]!);
    }, 1_000);
    socket.write(request[i++]!);
    const { text, afterMs } = await done;
    clearInterval(drip);
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.match(text, /"code":"DEADLINE_EXCEEDED"/);
    assert.ok(i < request.length, 'cut before the headers were complete');
    assert.ok(afterMs >= HEADERS_MS - 100 && afterMs < HEADERS_MS + 2_000, `closed after ${afterMs} ms`);
  });

  it('an upload that keeps sending is not cut, however long it takes past the idle and headers timeouts', async () => {
    const socket = connect(port, '127.0.0.1');
    const started = Date.now();
    const done = closed(socket, started);
    socket.write('POST /v1/objects HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n');
    const chunks = 12; // one every 250 ms: 3 s in all, twice the headers timeout, three times the idle one
    let sent = 0;
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        if (sent === chunks) {
          clearInterval(tick);
          socket.write('0\r\n\r\n');
          resolve();
          return;
        }
        socket.write(`a\r\n${'0123456789'}\r\n`);
        sent++;
      }, 250);
    });
    const { text, afterMs } = await done;
    assert.match(text, /^HTTP\/1\.1 201 /, text);
    assert.match(text, /"size":120/);
    assert.ok(afterMs > 2 * HEADERS_MS - 100, `took ${afterMs} ms`);
  });

  it('a keep-alive connection idle between requests for longer than the headers timeout still takes the next request', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    let text = '';
    socket.on('data', (c: string) => (text += c));
    const responses = () => text.split('HTTP/1.1 200').length - 1;
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => responses() === 1, { what: 'the first response' });
    // Idle past the headers timeout (and the idle timeout, which keep-alive replaces between requests).
    const idleUntil = Date.now() + HEADERS_MS + 500;
    await waitFor(() => Date.now() >= idleUntil || socket.destroyed, { timeoutMs: HEADERS_MS + 2_000, intervalMs: 100 });
    assert.equal(socket.destroyed, false, 'the idle keep-alive connection was closed');
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await waitFor(() => responses() === 2, { what: 'the second response' });
    socket.destroy();
  });

  it('an upload that stops sending is closed after the idle timeout', async () => {
    const socket = connect(port, '127.0.0.1');
    const done = closed(socket, Date.now());
    socket.write('POST /v1/objects HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n' + 'x'.repeat(100));
    const stalled = Date.now();
    const { afterMs } = await done;
    const idle = Date.now() - stalled;
    assert.ok(idle >= IDLE_MS - 100 && idle < IDLE_MS + 2_000, `closed ${idle} ms after the last byte (${afterMs} ms)`);
  });
});
