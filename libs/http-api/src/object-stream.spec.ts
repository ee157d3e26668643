import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request, type ClientRequest, type ServerResponse } from 'node:http';
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

function source(count: number, options: { failAt?: number; extraBytes?: number; onPull?: () => void } = {}): Source & { iterable: AsyncIterable<Uint8Array> } {
  const s: Source = { chunks: [], pulled: 0, released: [], closed: false };
  for (let i = 0; i < count; i++) s.chunks.push(Buffer.alloc(CHUNK, i + 1));
  async function* gen(): AsyncGenerator<Uint8Array> {
    try {
      for (let i = 0; i < count; i++) {
        if (i === options.failAt) throw new Error('a holder went away');
        options.onPull?.();
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

/**
 * Runs `fn` against a server whose one route streams `source` through startStream, announcing
 * `announced` bytes; `response()` is the route's response once a request came in. Closes the server after.
 */
async function served<T>(
  source: AsyncIterable<Uint8Array>,
  announced: number,
  fn: (port: number, response: () => ServerResponse | undefined) => Promise<T>,
): Promise<T> {
  const app = Fastify();
  let raw: ServerResponse | undefined;
  app.get('/object', async (req, reply) => {
    raw = reply.raw;
    const controller = new AbortController();
    req.raw.once('close', () => controller.abort());
    const body = await startStream(source, announced, controller.signal);
    return reply.header('content-length', String(announced)).send(body);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    return await fn((app.server.address() as AddressInfo).port, () => raw);
  } finally {
    await app.close();
  }
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
    await served(s.iterable, 64 * CHUNK, async (port) => {
      const res = await get(port);
      assert.equal(res.status, 200);
      assert.equal(res.bytes, 64 * CHUNK);
      assert.equal(res.complete, true);
      assert.equal(res.sha256, expected.digest('hex'));
      await until(() => s.released.length === 64);
      assert.deepEqual(s.released, [...Array(64).keys()], 'each chunk released once, in the order written');
      assert.equal(s.closed, true);
    });
  });

  it('stops pulling from the source while the client does not read (back-pressure)', async () => {
    // A chunk pulled while the response says it is full would be one written past its limit.
    let full: () => boolean = () => false;
    let pulledWhileFull = 0;
    const s = source(400, { onPull: () => void (full() && pulledWhileFull++) }); // 100 MiB: far more than the socket buffers hold
    let paused: (() => void) | undefined;
    let client: ClientRequest | undefined;
    await served(s.iterable, 400 * CHUNK, async (port, response) => {
      full = () => response()?.writableNeedDrain === true;
      const finished = new Promise<number>((resolve, reject) => {
        client = request({ host: '127.0.0.1', port, path: '/object' }, (res) => {
          res.pause();
          paused = () => {
            let bytes = 0;
            res.on('data', (c: Buffer) => (bytes += c.length));
            res.on('end', () => resolve(bytes));
            res.resume();
          };
        });
        client.on('error', reject);
        client.end();
      });
      await until(() => paused !== undefined && s.pulled > 0);
      // The body writes until the response says it is full, then waits for 'drain' and pulls
      // nothing more: with the client not reading, that happens far below the 400 chunks.
      // (Or the whole source, if nothing held it back: the response has ended then.)
      await until(() => full() || s.pulled === 400);
      try {
        assert.ok(s.pulled < 64, `pulled ${s.pulled} of 400 chunks with nobody reading`);
      } catch (err) {
        client!.destroy(); // lets the server close
        throw err;
      }
      paused!();
      assert.equal(await finished, 400 * CHUNK);
      await until(() => s.released.length === 400);
      assert.equal(pulledWhileFull, 0, 'nothing pulled while the response waited for drain');
    });
  });

  it('a source failing mid-stream truncates the response (never a short 200) and releases what was sent', async () => {
    const s = source(16, { failAt: 8 });
    await served(s.iterable, 16 * CHUNK, async (port) => {
      const res = await get(port);
      assert.equal(res.status, 200);
      assert.equal(res.complete, false);
      assert.ok(res.bytes <= 8 * CHUNK);
      assert.equal(s.closed, true);
      // Each chunk handed to the socket gets its write callback, written or not, and only then.
      await until(() => s.released.length === 8);
    });
  });

  it('a source longer than announced is cut off and stopped', async () => {
    const s = source(4, { extraBytes: 10 });
    await served(s.iterable, 4 * CHUNK, async (port) => {
      const res = await get(port);
      assert.ok(res.bytes <= 4 * CHUNK, 'never more than announced');
      await until(() => s.closed);
    });
  });

  it('a source shorter than announced truncates the response', async () => {
    const s = source(4);
    await served(s.iterable, 5 * CHUNK, async (port) => {
      const res = await get(port);
      assert.equal(res.complete, false);
      assert.equal(res.bytes, 4 * CHUNK);
    });
  });

  it('a client that goes away stops the source', async () => {
    const s = source(400);
    await served(s.iterable, 400 * CHUNK, async (port) => {
      const res = await get(port, { destroyAfter: CHUNK });
      assert.equal(res.complete, false);
      await until(() => s.closed);
      assert.ok(s.pulled < 400, `pulled ${s.pulled}`);
    });
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
