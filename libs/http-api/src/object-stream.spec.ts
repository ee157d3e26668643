import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { releasableChunk } from '@peerweave/core';
import { startStream } from './object-stream.ts';

const CHUNK = 256 * 1024;

interface Source {
  readonly chunks: Uint8Array[];
  /** Chunks the body took from the source. */
  pulled: number;
  /** Chunks whose release ran, in order. */
  readonly released: number[];
  /** The source's finally ran (it ended, or was stopped). */
  closed: boolean;
}

function source(count: number, options: { failAt?: number; extraBytes?: number } = {}): Source & { iterable: AsyncIterable<Uint8Array> } {
  const s: Source = { chunks: [], pulled: 0, released: [], closed: false };
  for (let i = 0; i < count; i++) s.chunks.push(Buffer.alloc(CHUNK, i + 1));
  async function* gen(): AsyncGenerator<Uint8Array> {
    try {
      for (let i = 0; i < count; i++) {
        if (i === options.failAt) throw new Error('a holder went away');
        s.pulled++;
        yield releasableChunk(s.chunks[i]!, () => s.released.push(i));
      }
      if (options.extraBytes) yield new Uint8Array(options.extraBytes);
    } finally {
      s.closed = true;
    }
  }
  return Object.assign(s, { iterable: gen() });
}

/** A server whose one route streams `make()`'s source through startStream, announcing `announced` bytes. */
async function serve(make: () => AsyncIterable<Uint8Array>, announced: number) {
  const app = Fastify();
  app.get('/object', async (req, reply) => {
    const controller = new AbortController();
    req.raw.once('close', () => controller.abort());
    const body = await startStream(make(), announced, controller.signal);
    return reply.header('content-length', String(announced)).send(body);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, port: (app.server.address() as AddressInfo).port };
}

/** GETs /object; with `destroyAfter`, goes away once it has read that many bytes. */
function get(port: number, options: { destroyAfter?: number } = {}) {
  return new Promise<{ status: number; bytes: number; sha256: string; complete: boolean }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/object' }, (res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
        if (options.destroyAfter !== undefined && bytes >= options.destroyAfter) {
          req.destroy();
          resolve({ status: res.statusCode!, bytes, sha256: '', complete: false });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode!, bytes, sha256: hash.digest('hex'), complete: res.complete }));
      res.on('error', () => resolve({ status: res.statusCode!, bytes, sha256: '', complete: false }));
      res.on('aborted', () => resolve({ status: res.statusCode!, bytes, sha256: '', complete: false }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('startStream (an object’s response body)', () => {
  it('sends every chunk in order and releases each once the socket has taken it', async () => {
    const s = source(64);
    const expected = createHash('sha256');
    for (const c of s.chunks) expected.update(c);
    const { app, port } = await serve(() => s.iterable, 64 * CHUNK);
    try {
      const res = await get(port);
      assert.equal(res.status, 200);
      assert.equal(res.bytes, 64 * CHUNK);
      assert.equal(res.complete, true);
      assert.equal(res.sha256, expected.digest('hex'));
      await until(() => s.released.length === 64);
      assert.deepEqual(s.released, [...Array(64).keys()], 'each chunk released once, in the order written');
      assert.equal(s.closed, true);
    } finally {
      await app.close();
    }
  });

  it('stops pulling from the source while the client does not read (back-pressure)', async () => {
    const s = source(400); // 100 MiB: far more than the socket buffers hold
    const { app, port } = await serve(() => s.iterable, 400 * CHUNK);
    let paused: (() => void) | undefined;
    try {
      const finished = new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/object' }, (res) => {
          res.pause();
          paused = () => {
            let bytes = 0;
            res.on('data', (c: Buffer) => (bytes += c.length));
            res.on('end', () => resolve(bytes));
            res.resume();
          };
        });
        req.on('error', reject);
        req.end();
      });
      await until(() => paused !== undefined && s.pulled > 0);
      // The body writes until the response says it is full, then waits for 'drain': with the
      // client not reading, the pull count settles far below the 400 chunks.
      for (let still = 0, last = -1; still < 5; still = s.pulled === last ? still + 1 : 0) {
        last = s.pulled;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(s.pulled < 64, `pulled ${s.pulled} of 400 chunks with nobody reading`);
      paused!();
      assert.equal(await finished, 400 * CHUNK);
      await until(() => s.released.length === 400);
    } finally {
      await app.close();
    }
  });

  it('a source failing mid-stream truncates the response (never a short 200) and releases what was sent', async () => {
    const s = source(16, { failAt: 8 });
    const { app, port } = await serve(() => s.iterable, 16 * CHUNK);
    try {
      const res = await get(port);
      assert.equal(res.status, 200);
      assert.equal(res.complete, false);
      assert.ok(res.bytes <= 8 * CHUNK);
      assert.equal(s.closed, true);
      // Each chunk handed to the socket gets its write callback, written or not, and only then.
      await until(() => s.released.length === 8);
    } finally {
      await app.close();
    }
  });

  it('a source longer than announced is cut off and stopped', async () => {
    const s = source(4, { extraBytes: 10 });
    const { app, port } = await serve(() => s.iterable, 4 * CHUNK);
    try {
      const res = await get(port);
      assert.ok(res.bytes <= 4 * CHUNK, 'never more than announced');
      await until(() => s.closed);
    } finally {
      await app.close();
    }
  });

  it('a source shorter than announced truncates the response', async () => {
    const s = source(4);
    const { app, port } = await serve(() => s.iterable, 5 * CHUNK);
    try {
      const res = await get(port);
      assert.equal(res.complete, false);
      assert.equal(res.bytes, 4 * CHUNK);
    } finally {
      await app.close();
    }
  });

  it('a client that goes away stops the source', async () => {
    const s = source(400);
    const { app, port } = await serve(() => s.iterable, 400 * CHUNK);
    try {
      const res = await get(port, { destroyAfter: CHUNK });
      assert.equal(res.complete, false);
      await until(() => s.closed);
      assert.ok(s.pulled < 400, `pulled ${s.pulled}`);
    } finally {
      await app.close();
    }
  });

  it('read without a pipe, yields the same chunks', async () => {
    const s = source(3);
    const body = await startStream(s.iterable, 3 * CHUNK, new AbortController().signal);
    const parts: Buffer[] = [];
    for await (const c of body) parts.push(c as Buffer);
    assert.deepEqual(Buffer.concat(parts), Buffer.concat(s.chunks));
    assert.equal(s.released.length, 0, 'nothing releases a chunk nobody wrote out');
  });

  it('an early failure rejects before any header is sent', async () => {
    const failing: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('not found')) }),
    };
    await assert.rejects(startStream(failing, 10, new AbortController().signal), /not found/);
  });
});
