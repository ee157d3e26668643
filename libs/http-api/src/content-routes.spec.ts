import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { InvalidCidError, NotFoundError, silentLogger, UnavailableError, type LogLevel } from '@peerweave/core';
import type { ByteRange, ContentRoutesInit, ObjectInfo, PutOutcome, UploadMeta } from './content-routes-init.ts';
import { build } from './http-api.ts';
import { contentRoutes } from './routes/content-routes.ts';
import { CAR_CONTENT_TYPE, gatewayRoutes } from './routes/gateway-routes.ts';

const IMMUTABLE = 'public, max-age=29030400, immutable';
const MAX = 1024;
const CHUNK = 100;

/** An in-memory object store; counts calls and keeps the signals it was given. */
class FakeContent implements ContentRoutesInit {
  readonly maxObjectBytes = MAX;
  bufferedBodyMaxBytes: number | undefined;
  readonly objects = new Map<string, { bytes: Buffer; info: ObjectInfo }>();
  readonly calls = { put: 0, stat: 0, read: 0, list: 0, remove: 0, getBlock: 0, car: 0 };
  readonly putSignals: AbortSignal[] = [];
  readonly putErrors: unknown[] = [];
  readonly readSignals: AbortSignal[] = [];
  /** Called with each chunk put() receives. */
  onPutChunk: (chunk: Uint8Array) => void = () => {};

  add(bytes: Buffer | string, meta: Partial<UploadMeta> = {}): string {
    const b = Buffer.from(bytes);
    const cid = cidOf(b);
    this.objects.set(cid, {
      bytes: b,
      info: {
        cid,
        name: meta.name ?? '',
        contentType: meta.contentType ?? 'application/octet-stream',
        size: b.byteLength,
        blocks: Math.max(1, Math.ceil(b.byteLength / 256)),
        keywords: meta.keywords ?? [],
        created: '2026-01-02T03:04:05.000Z',
        uploader: 'ab'.repeat(32),
      },
    });
    return cid;
  }

  async put(body: AsyncIterable<Uint8Array>, meta: UploadMeta, options: { signal: AbortSignal }): Promise<PutOutcome> {
    this.calls.put++;
    this.putSignals.push(options.signal);
    const chunks: Uint8Array[] = [];
    try {
      for await (const chunk of body) {
        chunks.push(chunk);
        this.onPutChunk(chunk);
      }
    } catch (err) {
      this.putErrors.push(err);
      throw err;
    }
    const cid = this.add(Buffer.concat(chunks), meta);
    const { info } = this.objects.get(cid)!;
    return { cid, size: info.size, blocks: info.blocks, replicas: 3 };
  }

  async stat(cid: string): Promise<ObjectInfo> {
    this.calls.stat++;
    return this.get(cid).info;
  }

  read(cid: string, range: ByteRange | undefined, options: { signal: AbortSignal }): AsyncIterable<Uint8Array> {
    this.calls.read++;
    this.readSignals.push(options.signal);
    const get = () => this.get(cid).bytes;
    return (async function* () {
      const bytes = get();
      const slice = range === undefined ? bytes : bytes.subarray(range.offset, range.offset + range.length);
      for (let i = 0; i < slice.byteLength; i += CHUNK) yield slice.subarray(i, i + CHUNK);
    })();
  }

  async list(options: { limit: number; after?: string }): Promise<{ objects: ObjectInfo[]; next?: string }> {
    this.calls.list++;
    const all = [...this.objects.keys()].sort().filter((cid) => options.after === undefined || cid > options.after);
    const page = all.slice(0, options.limit).map((cid) => this.objects.get(cid)!.info);
    return all.length > options.limit ? { objects: page, next: page.at(-1)!.cid } : { objects: page };
  }

  async remove(cid: string): Promise<void> {
    this.calls.remove++;
    this.get(cid);
    this.objects.delete(cid);
  }

  async getBlock(cid: string): Promise<Uint8Array> {
    this.calls.getBlock++;
    return new Uint8Array(this.get(cid).bytes);
  }

  car(cid: string): AsyncIterable<Uint8Array> {
    this.calls.car++;
    const get = () => this.get(cid).bytes;
    return (async function* () {
      const bytes = get();
      yield Buffer.from('CARv1-header;');
      yield bytes;
    })();
  }

  private get(cid: string): { bytes: Buffer; info: ObjectInfo } {
    if (!cid.startsWith('baf')) throw new InvalidCidError(`${cid} is not a CID`);
    const found = this.objects.get(cid);
    if (found === undefined) throw new NotFoundError(`no object ${cid}`);
    return found;
  }
}

function cidOf(bytes: Uint8Array): string {
  return `bafkrei${createHash('sha256').update(bytes).digest('hex').slice(0, 52)}`;
}

async function harness(fake = new FakeContent()): Promise<{ app: FastifyInstance; fake: FakeContent }> {
  let level: LogLevel = 'info';
  const app = await build({
    logger: silentLogger,
    status: () => {
      throw new Error('unused');
    },
    readiness: () => ({ ready: true }),
    metrics: { contentType: 'text/plain', text: async () => '' },
    getLogLevel: () => level,
    setLogLevel: (l) => {
      level = l;
    },
    plugins: [contentRoutes(fake), gatewayRoutes(fake)],
  });
  return { app, fake };
}

async function listening(fake = new FakeContent()): Promise<{ app: FastifyInstance; fake: FakeContent; port: number }> {
  const { app } = await harness(fake);
  await app.listen({ port: 0, host: '127.0.0.1' });
  after(() => app.close());
  return { app, fake, port: (app.server.address() as AddressInfo).port };
}

function assertError(res: { statusCode: number; json: () => unknown }, status: number, code: string): void {
  assert.equal(res.statusCode, status);
  const body = res.json() as { code: string; message: string };
  assert.equal(body.code, code);
  assert.ok(body.message.length > 0);
}

/** Writes a raw HTTP/1.1 request with a chunked body; resolves with everything the server sent. */
function chunkedUpload(
  port: number,
  chunks: Buffer[],
  options: { end: boolean; destroyWhen?: Promise<unknown> },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
    socket.write('POST /v1/objects?name=big.bin HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n');
    for (const c of chunks) socket.write(`${c.byteLength.toString(16)}\r\n${c.toString('latin1')}\r\n`, 'latin1');
    if (options.end) socket.write('0\r\n\r\n');
    void options.destroyWhen?.then(() => socket.destroy());
  });
}

/** GET over a real socket: the response head, the bytes that arrived, and whether it was complete. */
function download(
  port: number,
  path: string,
  onData: (res: IncomingMessage, chunk: Buffer) => void = () => {},
): Promise<{ res: IncomingMessage; body: Buffer; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const body: Buffer[] = [];
      res.on('data', (d: Buffer) => {
        body.push(d);
        onData(res, d);
      });
      res.on('error', () => {});
      res.on('close', () => resolve({ res, body: Buffer.concat(body), complete: res.complete }));
    });
    req.on('error', reject);
    req.end();
  });
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

const TEXT = Buffer.from('0123456789'.repeat(30)); // 300 bytes: several read chunks.

describe('uploads: POST/PUT /v1/objects', () => {
  it('streams the raw body to put() and answers 201 with Location', async () => {
    const { app, fake } = await harness();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/objects?name=notes.txt&type=text/plain&keywords=%20cats,dogs,,%20',
      headers: { 'content-type': 'application/octet-stream' },
      payload: TEXT,
    });
    assert.equal(res.statusCode, 201);
    const cid = cidOf(TEXT);
    assert.deepEqual(res.json(), { cid, size: 300, blocks: 2, replicas: 3 });
    assert.equal(res.headers.location, `/v1/objects/${cid}`);
    const stored = fake.objects.get(cid)!;
    assert.deepEqual(stored.bytes, TEXT);
    assert.equal(fake.putSignals[0]!.aborted, false);
    assert.deepEqual(
      { name: stored.info.name, contentType: stored.info.contentType, keywords: stored.info.keywords },
      { name: 'notes.txt', contentType: 'text/plain', keywords: ['cats', 'dogs'] },
    );
  });

  it('PUT works too, with metadata from headers (what curl -T sends)', async () => {
    const { app, fake } = await harness();
    const res = await app.inject({
      method: 'PUT',
      url: '/v1/objects',
      headers: { 'x-peerweave-name': 'photo.png', 'x-peerweave-keywords': 'holiday, beach', 'content-type': 'image/png' },
      payload: Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    });
    assert.equal(res.statusCode, 201);
    const info = fake.objects.get((res.json() as PutOutcome).cid)!.info;
    assert.equal(info.name, 'photo.png');
    assert.equal(info.contentType, 'image/png');
    assert.deepEqual(info.keywords, ['holiday', 'beach']);

    const byDisposition = await app.inject({
      method: 'PUT',
      url: '/v1/objects',
      headers: { 'content-disposition': 'attachment; filename="../report.pdf"' },
      payload: 'pdf',
    });
    assert.equal(fake.objects.get((byDisposition.json() as PutOutcome).cid)!.info.name, 'report.pdf');
  });

  it('stores a JSON body as bytes, even when it is not valid JSON', async () => {
    const { app, fake } = await harness();
    for (const payload of ['{"a": 1,  "b": [true]}', '{"unterminated', '']) {
      const res = await app.inject({ method: 'POST', url: '/v1/objects', headers: { 'content-type': 'application/json' }, payload });
      assert.equal(res.statusCode, 201, payload);
      const stored = fake.objects.get((res.json() as PutOutcome).cid)!;
      assert.equal(stored.bytes.toString(), payload);
      assert.equal(stored.info.contentType, 'application/json');
    }
  });

  it('takes any content type; form-urlencoded (curl --data-binary) and none become octet-stream', async () => {
    const { app, fake } = await harness();
    const table: [Record<string, string>, string][] = [
      [{ 'content-type': 'application/x-www-form-urlencoded' }, 'application/octet-stream'],
      [{}, 'application/octet-stream'],
      [{ 'content-type': 'text/plain; charset=utf-8' }, 'text/plain; charset=utf-8'],
      [{ 'content-type': 'multipart/form-data; boundary=x' }, 'multipart/form-data; boundary=x'],
    ];
    for (const [i, [headers, expected]] of table.entries()) {
      const res = await app.inject({ method: 'POST', url: '/v1/objects', headers, payload: `body ${i}` });
      assert.equal(res.statusCode, 201, JSON.stringify(headers));
      assert.equal(fake.objects.get((res.json() as PutOutcome).cid)!.info.contentType, expected);
    }
  });

  it('an empty body is an empty object', async () => {
    const { app, fake } = await harness();
    const res = await app.inject({ method: 'POST', url: '/v1/objects' });
    assert.equal(res.statusCode, 201);
    assert.equal((res.json() as PutOutcome).size, 0);
    assert.equal(fake.calls.put, 1);
  });

  it('a ?type= that is not a media type is 400 INVALID_ARGUMENT', async () => {
    const { app, fake } = await harness();
    const res = await app.inject({ method: 'POST', url: '/v1/objects?type=nonsense', payload: 'x' });
    assertError(res, 400, 'INVALID_ARGUMENT');
    assert.match((res.json() as { message: string }).message, /querystring\.type/);
    assert.equal(fake.calls.put, 0);
  });

  it('a Content-Length over maxObjectBytes is 413 before anything is read', async () => {
    const { app, fake } = await harness();
    const res = await app.inject({ method: 'PUT', url: '/v1/objects', payload: Buffer.alloc(MAX + 1) });
    assertError(res, 413, 'PAYLOAD_TOO_LARGE');
    assert.equal(res.headers.connection, 'close');
    assert.equal(fake.calls.put, 0);
    // Exactly the limit is fine, and the app's own bodyLimit (1 MiB) does not apply here.
    assert.equal((await app.inject({ method: 'PUT', url: '/v1/objects', payload: Buffer.alloc(MAX) })).statusCode, 201);
  });

  it('a chunked body that streams past maxObjectBytes is 413 and closes the connection', { timeout: 10_000 }, async () => {
    const { fake, port } = await listening();
    const response = await chunkedUpload(port, [Buffer.alloc(600, 1), Buffer.alloc(600, 2)], { end: false });
    assert.match(response, /^HTTP\/1\.1 413 /);
    assert.match(response, /\r\nconnection: close\r\n/i);
    assert.match(response, /"code":"PAYLOAD_TOO_LARGE"/);
    assert.equal(fake.putErrors.length, 1);
    assert.equal((fake.putErrors[0] as { code: string }).code, 'PAYLOAD_TOO_LARGE');
    assert.equal(fake.objects.size, 0);
  });

  it('a chunked body within the limit is stored', { timeout: 10_000 }, async () => {
    const { fake, port } = await listening();
    const response = await chunkedUpload(port, [Buffer.from('hello '), Buffer.from('world')], { end: true });
    assert.match(response, /^HTTP\/1\.1 201 /);
    assert.equal(fake.objects.get(cidOf(Buffer.from('hello world')))?.info.name, 'big.bin');
    // The connection closed after a complete response: nothing was aborted.
    assert.equal(fake.putSignals[0]!.aborted, false);
  });

  it('a client that disconnects mid-upload aborts the signal given to put()', { timeout: 10_000 }, async () => {
    const fake = new FakeContent();
    const { port } = await listening(fake);
    let firstChunk!: () => void;
    const gotFirstChunk = new Promise<void>((resolve) => (firstChunk = resolve));
    fake.onPutChunk = () => firstChunk();
    await chunkedUpload(port, [Buffer.from('partial')], { end: false, destroyWhen: gotFirstChunk });
    await untilAborted(fake.putSignals[0]!);
    assert.equal(fake.putSignals[0]!.aborted, true);
    await waitFor(() => fake.putErrors.length === 1);
    assert.equal((fake.putErrors[0] as { code: string }).code, 'ABORTED');
  });

  it('leaves the JSON parsing of other routes alone', async () => {
    const { app } = await harness();
    const ok = await app.inject({ method: 'PUT', url: '/v1/log-level', payload: { level: 'debug' } });
    assert.equal(ok.statusCode, 200);
    const text = await app.inject({ method: 'PUT', url: '/v1/log-level', headers: { 'content-type': 'text/plain' }, payload: 'x' });
    assertError(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

/** Polls a condition on the event loop (no timer sleeps): for effects that happen after a reply. */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('downloads: GET/HEAD /v1/objects/:cid', () => {
  it('streams the bytes with content, caching and range headers', async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT, { contentType: 'text/plain; charset=utf-8' });
    const res = await app.inject({ url: `/v1/objects/${cid}` });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.rawPayload, TEXT);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(res.headers['content-length'], '300');
    assert.equal(res.headers.etag, `"${cid}"`);
    assert.equal(res.headers['accept-ranges'], 'bytes');
    assert.equal(res.headers['cache-control'], IMMUTABLE);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['content-security-policy'], 'sandbox');
    assert.equal(fake.calls.read, 1);
    assert.equal(fake.readSignals[0]!.aborted, false);
  });

  it('serves one range as 206, ignores bad or multiple ranges, and 416s ranges outside', async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT);
    const empty = fake.add('');
    const table: [string, string, number, string | undefined, Buffer | undefined][] = [
      [cid, 'bytes=0-9', 206, 'bytes 0-9/300', TEXT.subarray(0, 10)],
      [cid, 'bytes=295-', 206, 'bytes 295-299/300', TEXT.subarray(295)],
      [cid, 'bytes=-7', 206, 'bytes 293-299/300', TEXT.subarray(293)],
      [cid, 'bytes=100-1000', 206, 'bytes 100-299/300', TEXT.subarray(100)],
      [cid, 'bytes=300-', 416, 'bytes */300', undefined],
      [cid, 'bytes=-0', 416, 'bytes */300', undefined],
      [empty, 'bytes=0-', 416, 'bytes */0', undefined],
      [cid, 'bytes=9-2', 200, undefined, TEXT],
      [cid, 'bytes=0-1,5-6', 200, undefined, TEXT],
      [cid, 'pages=1-2', 200, undefined, TEXT],
    ];
    for (const [id, range, status, contentRange, body] of table) {
      const res = await app.inject({ url: `/v1/objects/${id}`, headers: { range } });
      assert.equal(res.statusCode, status, range);
      assert.equal(res.headers['content-range'], contentRange, range);
      if (body !== undefined) {
        assert.deepEqual(res.rawPayload, body, range);
        assert.equal(res.headers['content-length'], String(body.byteLength), range);
        assert.equal(res.headers.etag, `"${id}"`);
      } else {
        assertError(res, 416, 'RANGE_NOT_SATISFIABLE');
        // An error is never cached as the immutable object.
        assert.equal(res.headers['cache-control'], undefined);
        assert.equal(res.headers.etag, undefined);
      }
    }
  });

  it('honours If-Range only when it is the ETag', async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT);
    const match = await app.inject({ url: `/v1/objects/${cid}`, headers: { range: 'bytes=0-4', 'if-range': `"${cid}"` } });
    assert.equal(match.statusCode, 206);
    assert.equal(match.body, '01234');
    for (const ifRange of ['"other"', 'Wed, 21 Oct 2015 07:28:00 GMT', `W/"${cid}"`]) {
      const res = await app.inject({ url: `/v1/objects/${cid}`, headers: { range: 'bytes=0-4', 'if-range': ifRange } });
      assert.equal(res.statusCode, 200, ifRange);
      assert.equal(res.rawPayload.byteLength, 300);
    }
  });

  it('answers 304 when If-None-Match names it, without reading', async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT);
    for (const inm of [`"${cid}"`, `W/"${cid}"`, `"x", "${cid}"`, '*']) {
      const res = await app.inject({ url: `/v1/objects/${cid}`, headers: { 'if-none-match': inm } });
      assert.equal(res.statusCode, 304, inm);
      assert.equal(res.body, '');
      assert.equal(res.headers.etag, `"${cid}"`);
      assert.equal(res.headers['cache-control'], IMMUTABLE);
    }
    assert.equal(fake.calls.read, 0);
    assert.equal((await app.inject({ url: `/v1/objects/${cid}`, headers: { 'if-none-match': '"other"' } })).statusCode, 200);
  });

  it('HEAD gives the same headers from stat() alone and never reads the bytes', async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT, { contentType: 'text/plain' });
    const get = await app.inject({ url: `/v1/objects/${cid}` });
    const readsBefore = fake.calls.read;
    const head = await app.inject({ method: 'HEAD', url: `/v1/objects/${cid}` });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    for (const h of ['content-type', 'content-length', 'etag', 'accept-ranges', 'cache-control', 'x-content-type-options']) {
      assert.equal(head.headers[h], get.headers[h], h);
    }
    const ranged = await app.inject({ method: 'HEAD', url: `/v1/objects/${cid}`, headers: { range: 'bytes=10-19' } });
    assert.equal(ranged.statusCode, 206);
    assert.equal(ranged.headers['content-range'], 'bytes 10-19/300');
    assert.equal(ranged.headers['content-length'], '10');
    const outside = await app.inject({ method: 'HEAD', url: `/v1/objects/${cid}`, headers: { range: 'bytes=500-' } });
    assert.equal(outside.statusCode, 416);
    assert.equal(outside.headers['content-range'], 'bytes */300');
    const cached = await app.inject({ method: 'HEAD', url: `/v1/objects/${cid}`, headers: { 'if-none-match': `"${cid}"` } });
    assert.equal(cached.statusCode, 304);
    assert.equal((await app.inject({ method: 'HEAD', url: `/v1/objects/${cidOf(Buffer.from('nope'))}` })).statusCode, 404);
    assert.equal(fake.calls.read, readsBefore);
  });

  it('rejects a malformed CID with 400 INVALID_CID, by pattern or by the callbacks', async () => {
    const { app, fake } = await harness();
    const table: [string, string][] = [
      ['GET', '/v1/objects/not-a-cid!'],
      ['GET', `/v1/objects/${'b'.repeat(129)}`],
      ['GET', `/v1/objects/${'b'.repeat(200)}`],
      ['HEAD', '/v1/objects/b%20a'],
      ['GET', '/v1/objects/b_a/meta'],
      ['DELETE', '/v1/objects/b.a'],
      ['GET', '/ipfs/b~a'],
      // Passes the pattern; the store says it is not a CID.
      ['GET', '/v1/objects/QmNotReally'],
      ['GET', '/v1/objects/QmNotReally/meta'],
      ['DELETE', '/v1/objects/QmNotReally'],
      ['GET', '/ipfs/QmNotReally?format=raw'],
    ];
    for (const [method, url] of table) {
      const res = await app.inject({ method: method as 'GET', url });
      assert.equal(res.statusCode, 400, `${method} ${url}`);
      if (method !== 'HEAD') assertError(res, 400, 'INVALID_CID');
    }
    assert.equal(fake.calls.read, 0);
  });

  it('an unknown object is 404 NOT_FOUND', async () => {
    const { app } = await harness();
    const cid = cidOf(Buffer.from('nope'));
    for (const url of [`/v1/objects/${cid}`, `/v1/objects/${cid}/meta`, `/ipfs/${cid}`, `/ipfs/${cid}?format=raw`, `/ipfs/${cid}?format=car`]) {
      assertError(await app.inject({ url }), 404, 'NOT_FOUND');
    }
    assertError(await app.inject({ method: 'DELETE', url: `/v1/objects/${cid}` }), 404, 'NOT_FOUND');
  });

  it('a read that fails before its first byte is a normal error reply, without caching headers', async () => {
    const fake = new FakeContent();
    const cid = fake.add(TEXT);
    const { app } = await harness(fake);
    fake.read = () =>
      (async function* () {
        yield* [];
        throw new NotFoundError('block missing');
      })();
    const missing = await app.inject({ url: `/v1/objects/${cid}` });
    assertError(missing, 404, 'NOT_FOUND');
    assert.equal(missing.headers.etag, undefined);
    assert.equal(missing.headers['cache-control'], undefined);
    assert.match(missing.headers['content-type'] as string, /^application\/json/);

    fake.read = () =>
      (async function* () {
        yield* [];
        throw new Error('disk on fire at /var/x');
      })();
    const broken = await app.inject({ url: `/v1/objects/${cid}` });
    assert.deepEqual(broken.json(), { code: 'INTERNAL', message: 'internal error' });
    assert.equal(broken.statusCode, 500);
  });

  it('a read that fails after the headers went out breaks the connection', { timeout: 10_000 }, async () => {
    const fake = new FakeContent();
    fake.bufferedBodyMaxBytes = 0;
    const cid = fake.add(TEXT);
    const { port } = await listening(fake);
    fake.read = () =>
      (async function* () {
        yield TEXT.subarray(0, 100);
        await Promise.resolve();
        throw new Error('peer went away');
      })();
    const { res, body, complete } = await download(port, `/v1/objects/${cid}`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], '300');
    assert.equal(complete, false);
    assert.ok(body.byteLength < 300);
  });

  it('a read that yields fewer bytes than the size breaks the connection', { timeout: 10_000 }, async () => {
    const fake = new FakeContent();
    fake.bufferedBodyMaxBytes = 0;
    const cid = fake.add(TEXT);
    const { port } = await listening(fake);
    fake.read = () =>
      (async function* () {
        yield TEXT.subarray(0, 100);
      })();
    const { complete, body } = await download(port, `/v1/objects/${cid}`);
    assert.equal(complete, false);
    assert.equal(body.byteLength, 100);
  });

  it('a client that disconnects mid-download aborts the read signal', { timeout: 10_000 }, async () => {
    const fake = new FakeContent();
    fake.bufferedBodyMaxBytes = 0;
    const cid = fake.add(TEXT);
    const { port } = await listening(fake);
    let readSignal: AbortSignal | undefined;
    fake.read = (_cid, _range, { signal }) => {
      readSignal = signal;
      return (async function* () {
        yield TEXT.subarray(0, 100);
        // A slow peer: nothing more until the client gives up.
        await untilAborted(signal);
      })();
    };
    const { complete } = await download(port, `/v1/objects/${cid}`, (res) => res.destroy());
    assert.equal(complete, false);
    await untilAborted(readSignal!);
    assert.equal(readSignal!.aborted, true);
  });
});

describe('small bodies, read whole before the response starts', () => {
  it('a read that fails part way is an error reply, not a broken 200', { timeout: 10_000 }, async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT);
    fake.read = () =>
      (async function* () {
        yield TEXT.subarray(0, 100);
        throw new UnavailableError('peer went away');
      })();
    const res = await app.inject({ url: `/v1/objects/${cid}` });
    assertError(res, 503, 'UNAVAILABLE');
    assert.equal(res.headers.etag, undefined, 'no success headers on the error');
  });

  it('a read that yields fewer or more bytes than the size is an INTERNAL error', { timeout: 10_000 }, async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT);
    fake.read = () =>
      (async function* () {
        yield TEXT.subarray(0, 100);
      })();
    assertError(await app.inject({ url: `/v1/objects/${cid}` }), 500, 'INTERNAL');
    fake.read = () =>
      (async function* () {
        yield TEXT;
        yield TEXT.subarray(0, 1);
      })();
    assertError(await app.inject({ url: `/v1/objects/${cid}` }), 500, 'INTERNAL');
  });

  it('sends the chunks as one body with its length, ranges included', async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT);
    fake.read = (_cid, range) =>
      (async function* () {
        const bytes = range === undefined ? TEXT : TEXT.subarray(range.offset, range.offset + range.length);
        yield bytes.subarray(0, 7);
        yield bytes.subarray(7);
      })();
    const whole = await app.inject({ url: `/v1/objects/${cid}` });
    assert.equal(whole.statusCode, 200);
    assert.equal(whole.headers['content-length'], String(TEXT.length));
    assert.ok(whole.rawPayload.equals(TEXT));
    const part = await app.inject({ url: `/v1/objects/${cid}`, headers: { range: 'bytes=10-19' } });
    assert.equal(part.statusCode, 206);
    assert.ok(part.rawPayload.equals(TEXT.subarray(10, 20)));
  });

  it('a client that disconnects before the body is read aborts the read signal', { timeout: 10_000 }, async () => {
    const fake = new FakeContent();
    const cid = fake.add(TEXT);
    const { port } = await listening(fake);
    let readSignal: AbortSignal | undefined;
    let started!: () => void;
    const reading = new Promise<void>((resolve) => (started = resolve));
    fake.read = (_cid, _range, { signal }) => {
      readSignal = signal;
      return (async function* () {
        started();
        yield TEXT.subarray(0, 100);
        await untilAborted(signal);
      })();
    };
    const req = httpRequest({ host: '127.0.0.1', port, path: `/v1/objects/${cid}` });
    req.end();
    req.on('error', () => undefined);
    await reading;
    req.destroy();
    await untilAborted(readSignal!);
    assert.equal(readSignal!.aborted, true);
  });
});

describe('metadata, listing, deletion', () => {
  it('GET /v1/objects/:cid/meta returns the ObjectInfo', async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT, { name: 'a.txt', contentType: 'text/plain', keywords: ['k'] });
    const res = await app.inject({ url: `/v1/objects/${cid}/meta` });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), fake.objects.get(cid)!.info);
  });

  it('GET /v1/objects pages with limit and after', async () => {
    const { app, fake } = await harness();
    const cids = ['a', 'b', 'c', 'd', 'e'].map((s) => fake.add(s)).sort();
    const first = (await app.inject({ url: '/v1/objects?limit=2' })).json() as { objects: ObjectInfo[]; next?: string };
    assert.deepEqual(
      first.objects.map((o) => o.cid),
      cids.slice(0, 2),
    );
    assert.equal(first.next, cids[1]);
    const rest = (await app.inject({ url: `/v1/objects?limit=10&after=${first.next}` })).json() as { objects: ObjectInfo[]; next?: string };
    assert.deepEqual(
      rest.objects.map((o) => o.cid),
      cids.slice(2),
    );
    assert.equal('next' in rest, false);
    const all = (await app.inject({ url: '/v1/objects' })).json() as { objects: ObjectInfo[] };
    assert.equal(all.objects.length, 5);
    for (const limit of ['0', '1001', 'abc', '1.5']) {
      assertError(await app.inject({ url: `/v1/objects?limit=${limit}` }), 400, 'INVALID_ARGUMENT');
    }
  });

  it('GET /v1/objects defaults to 100 per page', async () => {
    const fake = new FakeContent();
    let asked: number | undefined;
    fake.list = async (options) => {
      asked = options.limit;
      return { objects: [] };
    };
    const { app } = await harness(fake);
    assert.deepEqual((await app.inject({ url: '/v1/objects' })).json(), { objects: [] });
    assert.equal(asked, 100);
  });

  it('DELETE /v1/objects/:cid removes it', async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT);
    const res = await app.inject({ method: 'DELETE', url: `/v1/objects/${cid}` });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { cid, deleted: true });
    assert.equal(fake.objects.has(cid), false);
    assertError(await app.inject({ url: `/v1/objects/${cid}` }), 404, 'NOT_FOUND');
  });
});

describe('trustless gateway: /ipfs/:cid', () => {
  const gatewayHeaders = (headers: Record<string, unknown>, cid: string): void => {
    assert.equal(headers['x-ipfs-path'], `/ipfs/${cid}`);
    assert.equal(headers['x-ipfs-roots'], cid);
    assert.equal(headers.vary, 'Accept');
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.equal(headers['cache-control'], IMMUTABLE);
  };

  it('serves the raw block for Accept: application/vnd.ipld.raw or ?format=raw', async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT, { contentType: 'text/plain' });
    for (const req of [
      { url: `/ipfs/${cid}`, headers: { accept: 'application/vnd.ipld.raw' } },
      { url: `/ipfs/${cid}?format=raw`, headers: {} },
      { url: `/ipfs/${cid}?format=raw`, headers: { accept: 'application/json' } },
    ]) {
      const res = await app.inject(req);
      assert.equal(res.statusCode, 200, req.url);
      assert.deepEqual(res.rawPayload, TEXT);
      assert.equal(res.headers['content-type'], 'application/vnd.ipld.raw');
      assert.equal(res.headers['content-length'], '300');
      assert.equal(res.headers.etag, `"${cid}.raw"`);
      assert.equal(res.headers['content-disposition'], `attachment; filename="${cid}.bin"`);
      gatewayHeaders(res.headers, cid);
    }
    assert.equal(fake.calls.read, 0);
  });

  it('serves a CAR for Accept: application/vnd.ipld.car (any params) or ?format=car', async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT);
    for (const req of [
      { url: `/ipfs/${cid}`, headers: { accept: 'application/vnd.ipld.car' } },
      { url: `/ipfs/${cid}`, headers: { accept: 'application/vnd.ipld.car; version=1; order=dfs; dups=y' } },
      { url: `/ipfs/${cid}?format=car`, headers: {} },
    ]) {
      const res = await app.inject(req);
      assert.equal(res.statusCode, 200, JSON.stringify(req));
      assert.equal(res.body, `CARv1-header;${TEXT.toString()}`);
      assert.equal(res.headers['content-type'], CAR_CONTENT_TYPE);
      assert.equal(CAR_CONTENT_TYPE, 'application/vnd.ipld.car; version=1; order=dfs; dups=n');
      assert.equal(res.headers.etag, `"${cid}.car"`);
      assert.equal(res.headers['content-disposition'], `attachment; filename="${cid}.car"`);
      gatewayHeaders(res.headers, cid);
    }
  });

  it('HEAD reads neither the file nor the DAG', async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT);
    const raw = await app.inject({ method: 'HEAD', url: `/ipfs/${cid}?format=raw` });
    assert.equal(raw.statusCode, 200);
    assert.equal(raw.body, '');
    assert.equal(raw.headers['content-length'], '300');
    assert.equal(raw.headers.etag, `"${cid}.raw"`);
    const car = await app.inject({ method: 'HEAD', url: `/ipfs/${cid}`, headers: { accept: 'application/vnd.ipld.car' } });
    assert.equal(car.statusCode, 200);
    assert.equal(car.headers['content-type'], CAR_CONTENT_TYPE);
    assert.equal(car.headers['content-length'], undefined);
    const file = await app.inject({ method: 'HEAD', url: `/ipfs/${cid}` });
    assert.equal(file.statusCode, 200);
    assert.equal(file.headers['content-length'], '300');
    gatewayHeaders(file.headers, cid);
    assert.equal(fake.calls.read, 0);
    assert.equal(fake.calls.car, 0);
  });

  it('gives the file itself to no Accept, */* and browsers, with ranges and 304', async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT, { contentType: 'text/plain' });
    const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
    for (const accept of [undefined, '*/*', browser, 'application/json, */*;q=0.1']) {
      const res = await app.inject({ url: `/ipfs/${cid}`, headers: accept === undefined ? {} : { accept } });
      assert.equal(res.statusCode, 200, accept);
      assert.deepEqual(res.rawPayload, TEXT);
      assert.equal(res.headers['content-type'], 'text/plain');
      assert.equal(res.headers.etag, `"${cid}"`);
      assert.equal(res.headers['accept-ranges'], 'bytes');
      gatewayHeaders(res.headers, cid);
    }
    const ranged = await app.inject({ url: `/ipfs/${cid}`, headers: { range: 'bytes=0-2' } });
    assert.equal(ranged.statusCode, 206);
    assert.equal(ranged.body, '012');
    const cached = await app.inject({ url: `/ipfs/${cid}`, headers: { 'if-none-match': `"${cid}"` } });
    assert.equal(cached.statusCode, 304);
    assert.equal(cached.headers.vary, 'Accept');
  });

  it('answers 304 to If-None-Match of the raw or CAR ETag', async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT);
    const raw = await app.inject({ url: `/ipfs/${cid}?format=raw`, headers: { 'if-none-match': `"${cid}.raw"` } });
    assert.equal(raw.statusCode, 304);
    assert.equal(raw.headers.etag, `"${cid}.raw"`);
    const car = await app.inject({ url: `/ipfs/${cid}?format=car`, headers: { 'if-none-match': `"${cid}.car"` } });
    assert.equal(car.statusCode, 304);
    assert.equal(fake.calls.car, 0);
    // The file's ETag is not the CAR's.
    assert.equal((await app.inject({ url: `/ipfs/${cid}?format=car`, headers: { 'if-none-match': `"${cid}"` } })).statusCode, 200);
  });

  it('is 406 NOT_ACCEPTABLE when only unproducible types are acceptable', async () => {
    const { app, fake } = await harness();
    const cid = fake.add(TEXT);
    for (const req of [
      { url: `/ipfs/${cid}`, headers: { accept: 'application/json' } },
      { url: `/ipfs/${cid}`, headers: { accept: 'application/vnd.ipld.dag-json' } },
      { url: `/ipfs/${cid}`, headers: { accept: 'application/vnd.ipld.car; version=2' } },
      { url: `/ipfs/${cid}?format=dag-json`, headers: {} },
    ]) {
      const res = await app.inject(req);
      assertError(res, 406, 'NOT_ACCEPTABLE');
      assert.equal(res.headers.vary, 'Accept');
      assert.equal(res.headers['cache-control'], undefined);
    }
    assert.equal(fake.calls.getBlock + fake.calls.car + fake.calls.read + fake.calls.stat, 0);
  });
});

describe('OpenAPI', () => {
  it('documents the content and gateway routes with their errors', async () => {
    const { app } = await harness();
    const doc = (await app.inject({ url: '/openapi.json' })).json() as {
      tags: { name: string }[];
      paths: Record<string, Record<string, { tags: string[]; responses: Record<string, unknown>; requestBody?: { content: Record<string, unknown> } }>>;
    };
    const methods = (path: string) => Object.keys(doc.paths[path] ?? {}).sort();
    assert.deepEqual(methods('/v1/objects'), ['get', 'post', 'put']);
    assert.deepEqual(methods('/v1/objects/{cid}'), ['delete', 'get', 'head']);
    assert.deepEqual(methods('/v1/objects/{cid}/meta'), ['get']);
    assert.deepEqual(methods('/ipfs/{cid}'), ['get', 'head']);
    assert.ok(doc.tags.some((t) => t.name === 'content'));
    assert.ok(doc.tags.some((t) => t.name === 'gateway'));

    const post = doc.paths['/v1/objects']!.post!;
    assert.deepEqual(post.tags, ['content']);
    assert.ok('*/*' in post.requestBody!.content);
    for (const s of ['201', '400', '413', '500', '503']) assert.ok(s in post.responses, `post ${s}`);
    const get = doc.paths['/v1/objects/{cid}']!.get!;
    for (const s of ['200', '206', '304', '400', '404', '416', '500']) assert.ok(s in get.responses, `get ${s}`);
    const ipfs = doc.paths['/ipfs/{cid}']!.get!;
    assert.deepEqual(ipfs.tags, ['gateway']);
    for (const s of ['200', '304', '400', '404', '406']) assert.ok(s in ipfs.responses, `ipfs ${s}`);
  });
});
