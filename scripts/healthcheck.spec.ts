// The container health probe (deploy/docker/healthcheck/healthcheck.c) against a raw local server:
// its exit status is all the engine reads, so each case asserts on that (and on why, from stderr).
// The binary is compiled from the checkout's source by the same function scripts/build.ts uses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileHealthcheck } from './build-healthcheck.ts';

/** The probe's own deadline (DEADLINE_S in healthcheck.c); the engine's timeout is 3 s. */
const PROBE_DEADLINE_MS = 2_000;
const ENGINE_TIMEOUT_MS = 3_000;

interface ProbeResult {
  code: number | null;
  stderr: string;
  ms: number;
}

function runProbe(binary: string, port: number | string, args: string[] = []): Promise<ProbeResult> {
  const started = performance.now();
  const child = spawn(binary, args, { env: { PEERWEAVE_HTTP_PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, ms: performance.now() - started }));
  });
}

/** A server on 127.0.0.1 that hands each connection, once its request head is in, to `answer`. */
async function rawServer(answer: (socket: Socket, requestLine: string) => void): Promise<{ port: number; requests: string[]; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let head = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      if (head.includes('\r\n\r\n')) return;
      head += chunk;
      if (!head.includes('\r\n\r\n')) return;
      const requestLine = head.slice(0, head.indexOf('\r\n'));
      requests.push(requestLine);
      answer(socket, requestLine);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A server that answers every request with `response` (raw bytes) and closes. */
const answering = (response: string) => rawServer((socket) => socket.end(response, 'latin1'));

describe('container health probe', () => {
  let dir = '';
  let probe = '';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'peerweave-healthcheck-'));
    probe = join(dir, 'healthcheck');
    compileHealthcheck(probe);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on 200 and asks GET /healthz over HTTP/1.0', async () => {
    const server = await answering('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"status":"ok"}');
    try {
      const r = await runProbe(probe, server.port);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.deepEqual(server.requests, ['GET /healthz HTTP/1.0']);
    } finally {
      await server.close();
    }
  });

  it('probes the path given as its argument', async () => {
    const server = await answering('HTTP/1.0 204\r\n\r\n');
    try {
      const r = await runProbe(probe, server.port, ['/readyz']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(server.requests, ['GET /readyz HTTP/1.0']);
    } finally {
      await server.close();
    }
  });

  it('exits 1 on 503, saying what it got', async () => {
    const server = await answering('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
    try {
      const r = await runProbe(probe, server.port);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /not 2xx: HTTP\/1\.1 503 Service Unavailable/);
    } finally {
      await server.close();
    }
  });

  it('exits 1 when the connection is refused', async () => {
    // A port that was just free: listen, note it, close.
    const server = await answering('');
    const port = server.port;
    await server.close();
    const r = await runProbe(probe, port);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /connect: Connection refused/);
  });

  it('exits 1 within its deadline when the server accepts and never answers', async () => {
    const server = await rawServer(() => {});
    try {
      const r = await runProbe(probe, server.port);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no answer within 2 s/);
      assert.deepEqual(server.requests, ['GET /healthz HTTP/1.0'], 'it sent its request and then waited');
      assert.ok(r.ms >= PROBE_DEADLINE_MS - 100, `gave up after ${r.ms.toFixed(0)} ms, before its deadline`);
      assert.ok(r.ms < ENGINE_TIMEOUT_MS, `took ${r.ms.toFixed(0)} ms, past the engine's timeout`);
    } finally {
      await server.close();
    }
  });

  const malformed: Array<[string, string]> = [
    ['a 4-digit code', 'HTTP/1.1 2000 OK\r\n\r\n'],
    ['no code', 'HTTP/1.1 OK\r\n\r\n'],
    ['a 2-digit code', 'HTTP/1.1 20\r\n\r\n'],
    ['HTTP/2 framing of a status line', 'HTTP/2 200\r\n\r\n'],
    ['HTTP/1.2', 'HTTP/1.2 200 OK\r\n\r\n'],
    ['no space after the version', 'HTTP/1.1200 OK\r\n\r\n'],
    ['lower-case protocol', 'http/1.1 200 OK\r\n\r\n'],
    ['not HTTP at all', 'SSH-2.0-OpenSSH_9.2\r\n'],
    ['a line ended by LF only, then close', 'HTTP/1.1 200 OK\n\n'],
    ['a close before any byte', ''],
    ['a status line over 512 bytes', `HTTP/1.1 200 ${'x'.repeat(600)}\r\n\r\n`],
  ];
  for (const [what, response] of malformed) {
    it(`exits 1 on a malformed answer: ${what}`, async () => {
      const server = await answering(response);
      try {
        const r = await runProbe(probe, server.port);
        assert.equal(r.code, 1, `exit ${r.code}; stderr: ${r.stderr}`);
        assert.match(r.stderr, /^healthcheck: /);
      } finally {
        await server.close();
      }
    });
  }

  for (const port of ['http', '0', '65536', '80 ', '-1']) {
    it(`exits 1 without connecting when PEERWEAVE_HTTP_PORT is ${JSON.stringify(port)}`, async () => {
      const r = await runProbe(probe, port);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /PEERWEAVE_HTTP_PORT is not a port 1\.\.65535/);
    });
  }

  for (const path of ['healthz', '/a b', '/a\r\nX-Injected: 1']) {
    it(`refuses the path ${JSON.stringify(path)}`, async () => {
      const r = await runProbe(probe, 1, [path]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /usage: healthcheck \[\/path\]/);
    });
  }
});
