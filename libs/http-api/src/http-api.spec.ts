import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { NotFoundError, VERSION, type Logger, type LogLevel } from '@peerweave/core';
import { build } from './http-api.ts';
import type { HttpApiInit, Readiness } from './http-api-init.ts';
import type { NodeStatus } from './schemas.ts';

const STATUS: NodeStatus = {
  id: 'ab'.repeat(32),
  role: 'peer',
  version: VERSION,
  uptimeSeconds: 12.5,
  startedAt: '2026-01-02T03:04:05.000Z',
  publicKey: Buffer.alloc(32, 7).toString('base64'),
  addresses: { http: ['http://10.0.0.2:8080'], grpc: ['10.0.0.2:7400'] },
};

interface LogEntry {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** A core Logger that keeps what Fastify and the routes log, children included. */
function recordingLogger(entries: LogEntry[] = [], bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: string) =>
    (a: string | Record<string, unknown>, msg?: string): void => {
      entries.push(typeof a === 'string' ? { level, obj: { ...bindings }, msg: a } : { level, obj: { ...bindings, ...a }, msg });
    };
  return {
    fatal: at('fatal'),
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    trace: at('trace'),
    child: (b) => recordingLogger(entries, { ...bindings, ...b }),
  };
}

/** Routes that fail on purpose, added the way other libs add theirs. */
const failingRoutes: FastifyPluginAsync = async (app) => {
  app.get('/test/crash', async () => {
    throw new Error('db password is hunter2');
  });
  app.get('/test/missing', async () => {
    throw new NotFoundError('block bafyabc not found', { details: { cid: 'bafyabc' } });
  });
};

interface Harness {
  app: FastifyInstance;
  logs: LogEntry[];
  state: { readiness: Readiness; level: LogLevel };
}

async function harness(overrides: Partial<HttpApiInit> = {}): Promise<Harness> {
  const logs: LogEntry[] = [];
  const state: Harness['state'] = { readiness: { ready: true }, level: 'info' };
  const app = await build({
    logger: recordingLogger(logs),
    bodyLimit: 1024,
    status: () => STATUS,
    readiness: () => state.readiness,
    metrics: {
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      text: async () => '# TYPE peerweave_node_info gauge\npeerweave_node_info{role="peer"} 1\n',
    },
    getLogLevel: () => state.level,
    setLogLevel: (level) => {
      state.level = level;
    },
    plugins: [failingRoutes],
    ...overrides,
  });
  return { app, logs, state };
}

function assertErrorBody(body: unknown, code: string): { code: string; message: string } {
  const b = body as { code: string; message: string };
  assert.equal(b.code, code);
  assert.equal(typeof b.message, 'string');
  assert.ok(b.message.length > 0);
  assert.deepEqual(Object.keys(b).sort(), ['code', 'message']);
  return b;
}

test('GET /healthz is 200 ok', async () => {
  const { app } = await harness();
  const res = await app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^application\/json/);
  assert.deepEqual(res.json(), { status: 'ok' });
  assert.match(res.headers['x-request-id'] as string, /.+/);
});

test('GET /readyz is 200 when ready, 503 NOT_READY or SHUTTING_DOWN otherwise', async () => {
  const { app, state } = await harness();
  assert.deepEqual((await app.inject({ url: '/readyz' })).json(), { ready: true });

  state.readiness = { ready: false, code: 'NOT_READY', reason: 'joining the network' };
  let res = await app.inject({ url: '/readyz' });
  assert.equal(res.statusCode, 503);
  assert.deepEqual(res.json(), { code: 'NOT_READY', message: 'joining the network' });

  state.readiness = { ready: false, code: 'SHUTTING_DOWN', reason: 'node is shutting down' };
  res = await app.inject({ url: '/readyz' });
  assert.equal(res.statusCode, 503);
  assert.deepEqual(res.json(), { code: 'SHUTTING_DOWN', message: 'node is shutting down' });

  // Liveness does not depend on readiness.
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
});

test('GET /v1/status returns the node status and nothing else', async () => {
  const { app } = await harness({ status: () => ({ ...STATUS, privateKey: 'secret' }) as NodeStatus });
  const res = await app.inject({ url: '/v1/status' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), STATUS);
});

test('GET /v1/status fails closed when the status does not fit its schema', async () => {
  const { app } = await harness({ status: () => ({ id: 'x' }) as unknown as NodeStatus });
  const res = await app.inject({ url: '/v1/status' });
  assert.equal(res.statusCode, 500);
  assertErrorBody(res.json(), 'INTERNAL');
});

test('GET /metrics serves the registry text with its content type', async () => {
  const { app } = await harness();
  const res = await app.inject({ url: '/metrics' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  assert.match(res.body, /^peerweave_node_info\{role="peer"\} 1$/m);
});

test('GET /openapi.json documents every route with its errors', async () => {
  const { app } = await harness();
  const res = await app.inject({ url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json() as {
    openapi: string;
    info: { title: string; version: string };
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  assert.match(doc.openapi, /^3\./);
  assert.deepEqual(doc.info.title, 'Peerweave');
  assert.equal(doc.info.version, VERSION);
  assert.deepEqual(Object.keys(doc.paths).sort(), [
    '/healthz',
    '/metrics',
    '/openapi.json',
    '/readyz',
    '/test/crash',
    '/test/missing',
    '/v1/log-level',
    '/v1/status',
  ]);
  assert.deepEqual(Object.keys(doc.paths['/v1/log-level']!).sort(), ['get', 'put']);
  for (const path of ['/healthz', '/readyz', '/v1/status', '/metrics', '/openapi.json', '/v1/log-level']) {
    for (const [method, op] of Object.entries(doc.paths[path]!)) {
      assert.ok('200' in op.responses, `${method} ${path} documents 200`);
      assert.ok('500' in op.responses, `${method} ${path} documents 500`);
      assert.ok('503' in op.responses, `${method} ${path} documents 503`);
    }
  }
  for (const status of ['400', '413', '415']) assert.ok(status in doc.paths['/v1/log-level']!.put!.responses, status);
});

test('GET /openapi.json serves a document given ahead of time, without loading the generator', async () => {
  const doc = { openapi: '3.1.0', info: { title: 'Peerweave', version: '9.9.9' }, paths: { '/x': {} }, extra: [1] };
  let asked = 0;
  const { app } = await harness({
    openApiDocument: async () => {
      asked += 1;
      return doc;
    },
  });
  assert.equal(asked, 0, 'not read before it is asked for');
  assert.equal(app.hasDecorator('swagger'), false, '@fastify/swagger is not registered');
  const res = await app.inject({ url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), doc);
  assert.equal(asked, 1);
});

test('GET and PUT /v1/log-level read and change the level', async () => {
  const { app, state } = await harness();
  assert.deepEqual((await app.inject({ url: '/v1/log-level' })).json(), { level: 'info' });
  const res = await app.inject({ method: 'PUT', url: '/v1/log-level', payload: { level: 'debug' } });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { level: 'debug' });
  assert.equal(state.level, 'debug');
  assert.deepEqual((await app.inject({ url: '/v1/log-level' })).json(), { level: 'debug' });
});

test('PUT /v1/log-level rejects a level outside LOG_LEVELS, naming the field', async () => {
  const { app, state } = await harness();
  const res = await app.inject({ method: 'PUT', url: '/v1/log-level', payload: { level: 'verbose' } });
  assert.equal(res.statusCode, 400);
  const body = assertErrorBody(res.json(), 'INVALID_ARGUMENT');
  assert.match(body.message, /body\.level/);
  assert.match(body.message, /debug/);
  assert.equal(state.level, 'info');

  const missing = await app.inject({ method: 'PUT', url: '/v1/log-level', payload: {} });
  assert.equal(missing.statusCode, 400);
  assert.match(assertErrorBody(missing.json(), 'INVALID_ARGUMENT').message, /body\.level is required/);
});

test('without getLogLevel/setLogLevel the log-level routes do not exist', async () => {
  const { app } = await harness({ getLogLevel: undefined, setLogLevel: undefined });
  const res = await app.inject({ url: '/v1/log-level' });
  assert.equal(res.statusCode, 404);
  assertErrorBody(res.json(), 'NOT_FOUND');
});

test('unknown route is 404 NOT_FOUND naming method and path', async () => {
  const { app } = await harness();
  const res = await app.inject({ method: 'GET', url: '/v1/nothing-here?x=1' });
  assert.equal(res.statusCode, 404);
  assert.match(res.headers['content-type'] as string, /^application\/json/);
  const body = assertErrorBody(res.json(), 'NOT_FOUND');
  assert.match(body.message, /GET \/v1\/nothing-here/);
});

test('known path with another method is 405 with Allow', async () => {
  const { app } = await harness();
  let res = await app.inject({ method: 'POST', url: '/healthz' });
  assert.equal(res.statusCode, 405);
  assert.equal(res.headers.allow, 'GET, HEAD');
  assert.match(assertErrorBody(res.json(), 'METHOD_NOT_ALLOWED').message, /POST/);

  res = await app.inject({ method: 'DELETE', url: '/v1/log-level' });
  assert.equal(res.statusCode, 405);
  assert.equal(res.headers.allow, 'GET, HEAD, PUT');
});

test('malformed or empty JSON is 400 INVALID_JSON', async () => {
  const { app } = await harness();
  for (const payload of ['{"level": "debug"', '']) {
    const res = await app.inject({
      method: 'PUT',
      url: '/v1/log-level',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    assertErrorBody(res.json(), 'INVALID_JSON');
  }
});

test('a body over the limit is 413 PAYLOAD_TOO_LARGE', async () => {
  const { app, state } = await harness();
  const res = await app.inject({
    method: 'PUT',
    url: '/v1/log-level',
    payload: { level: 'debug', padding: 'x'.repeat(2000) },
  });
  assert.equal(res.statusCode, 413);
  assert.match(assertErrorBody(res.json(), 'PAYLOAD_TOO_LARGE').message, /1024 bytes/);
  assert.equal(state.level, 'info');
});

test('a body that is not JSON is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
  const { app } = await harness();
  for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
    const res = await app.inject({
      method: 'PUT',
      url: '/v1/log-level',
      headers: { 'content-type': contentType },
      payload: 'level=debug',
    });
    assert.equal(res.statusCode, 415, contentType);
    assert.match(assertErrorBody(res.json(), 'UNSUPPORTED_MEDIA_TYPE').message, new RegExp(contentType));
  }
});

test('a thrown plain Error is 500 INTERNAL, masked, and logged with the real error', async () => {
  const { app, logs } = await harness();
  const res = await app.inject({ url: '/test/crash' });
  assert.equal(res.statusCode, 500);
  assert.deepEqual(res.json(), { code: 'INTERNAL', message: 'internal error' });
  assert.doesNotMatch(res.body, /hunter2/);
  const logged = logs.find((l) => l.level === 'error' && (l.obj.err as Error | undefined)?.message === 'db password is hunter2');
  assert.ok(logged, 'the real error is logged server-side');
  assert.equal(logged.obj.reqId, res.headers['x-request-id']);
});

test('a thrown PeerweaveError keeps its code, status and details', async () => {
  const { app } = await harness();
  const res = await app.inject({ url: '/test/missing' });
  assert.equal(res.statusCode, 404);
  assert.deepEqual(res.json(), { code: 'NOT_FOUND', message: 'block bafyabc not found', details: { cid: 'bafyabc' } });
});

test('a malformed URL is 400 INVALID_ARGUMENT in the error shape', async () => {
  const { app } = await harness();
  const res = await app.inject({ url: '/v1/%E0%A4%A' });
  assert.equal(res.statusCode, 400);
  assertErrorBody(res.json(), 'INVALID_ARGUMENT');
});

test('successful requests are logged at debug, not info', async () => {
  const { app, logs } = await harness();
  await app.inject({ url: '/healthz' });
  await app.inject({ url: '/metrics' });
  assert.ok(logs.some((l) => l.level === 'debug' && l.msg === 'request completed'));
  assert.deepEqual(
    logs.filter((l) => l.level === 'info'),
    [],
  );
});
