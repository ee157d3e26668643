import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { apiTokenSha256, createApiToken, type ApiScope } from '@peerweave/core';
import { MemoryContent, contentApp } from '../testing/memory-content.ts';
import { ApiTokens } from './api-tokens.ts';
import type { HttpAccessInit } from './access-control.ts';

const tokenOf = Object.fromEntries((['read', 'write', 'admin'] as const).map((s) => [s, createApiToken()])) as Record<ApiScope, string>;
const TOKENS = ApiTokens.of((['read', 'write', 'admin'] as const).map((s) => ({ name: `${s}-secret-name`, sha256: apiTokenSha256(tokenOf[s]), scopes: [s] })));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function app(access: HttpAccessInit, content = new MemoryContent()): Promise<{ app: FastifyInstance; content: MemoryContent }> {
  return { app: await contentApp(content, { access }), content };
}

/** Asserts the error shape; returns the body. */
async function expectError(app: FastifyInstance, request: InjectOptions, status: number, code: string): Promise<{ code: string; message: string }> {
  const res = await app.inject(request);
  assert.equal(res.statusCode, status, `${request.method} ${request.url}: ${res.body}`);
  const body = res.json<{ code: string; message: string }>();
  assert.equal(body.code, code);
  if (status === 401) assert.match(String(res.headers['www-authenticate']), /^Bearer realm="peerweave"/);
  // Never a hint of which tokens exist.
  for (const s of ['read', 'write', 'admin']) assert.ok(!res.body.includes(`${s}-secret-name`), res.body);
  return body;
}

describe('HTTP access: no tokens configured', () => {
  it('is open as before tokens existed: uploads, deletes and the log level need nothing', async () => {
    const { app: a, content } = await app({});
    after(() => a.close());
    const put = await a.inject({ method: 'POST', url: '/v1/objects', payload: 'hello' });
    assert.equal(put.statusCode, 201);
    const { cid } = put.json<{ cid: string }>();
    assert.equal((await a.inject({ method: 'DELETE', url: `/v1/objects/${cid}` })).statusCode, 200);
    assert.equal((await a.inject({ method: 'PUT', url: '/v1/log-level', payload: { level: 'debug' } })).statusCode, 200);
    assert.equal(content.calls.remove, 1);
  });
});

describe('HTTP access: tokens configured, reads open', () => {
  let a: FastifyInstance;
  let content: MemoryContent;
  let cid: string;
  before(async () => {
    ({ app: a, content } = await app({ tokens: () => TOKENS }));
    cid = content.add('stored before the test');
  });
  after(() => a.close());

  for (const method of ['POST', 'PUT'] as const) {
    it(`${method} /v1/objects: 401 without a token or with a bad one, 403 with read, 201 with write or admin`, async () => {
      const req = { method, url: '/v1/objects', payload: 'some bytes' };
      const missing = await expectError(a, req, 401, 'UNAUTHENTICATED');
      assert.match(missing.message, /bearer token with the write scope/);
      await expectError(a, { ...req, headers: { authorization: 'Basic dXNlcjpwYXNz' } }, 401, 'UNAUTHENTICATED');
      await expectError(a, { ...req, headers: bearer('not-a-token') }, 401, 'UNAUTHENTICATED');
      const unknown = await expectError(a, { ...req, headers: bearer(createApiToken()) }, 401, 'UNAUTHENTICATED');
      assert.equal(unknown.message, 'the bearer token is not valid');
      const denied = await expectError(a, { ...req, headers: bearer(tokenOf.read) }, 403, 'PERMISSION_DENIED');
      assert.match(denied.message, /lacks the write scope/);
      const puts = content.calls.put;
      assert.equal(puts, 0, 'no refused upload reached the store');
      for (const scope of ['write', 'admin'] as const) {
        const res = await a.inject({ ...req, headers: bearer(tokenOf[scope]) });
        assert.equal(res.statusCode, 201, res.body);
      }
      assert.equal(content.calls.put, 2);
      content.calls.put = 0;
    });
  }

  it('a refused upload closes the connection rather than reading its body', async () => {
    const res = await a.inject({ method: 'POST', url: '/v1/objects', payload: 'x'.repeat(100) });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers.connection, 'close');
  });

  it('DELETE: refused without the write scope, and the object stays readable', async () => {
    const url = `/v1/objects/${cid}`;
    await expectError(a, { method: 'DELETE', url }, 401, 'UNAUTHENTICATED');
    await expectError(a, { method: 'DELETE', url, headers: bearer(tokenOf.read) }, 403, 'PERMISSION_DENIED');
    assert.equal(content.calls.remove, 0);
    const get = await a.inject({ url });
    assert.equal(get.statusCode, 200);
    assert.equal(get.body, 'stored before the test');
    assert.equal((await a.inject({ method: 'DELETE', url, headers: bearer(tokenOf.write) })).statusCode, 200);
    assert.equal((await a.inject({ url })).statusCode, 404);
  });

  it('PUT /v1/log-level needs admin: write is 403', async () => {
    const req = { method: 'PUT' as const, url: '/v1/log-level', payload: { level: 'debug' } };
    await expectError(a, req, 401, 'UNAUTHENTICATED');
    const denied = await expectError(a, { ...req, headers: bearer(tokenOf.write) }, 403, 'PERMISSION_DENIED');
    assert.match(denied.message, /admin scope/);
    const ok = await a.inject({ ...req, headers: bearer(tokenOf.admin) });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { level: 'debug' });
  });

  it('reads need no token: objects, metadata, listing, gateway, status, log level, live page, probes, metrics', async () => {
    const other = content.add('readable');
    for (const url of [`/v1/objects/${other}`, `/v1/objects/${other}/meta`, '/v1/objects', `/ipfs/${other}`, '/v1/status', '/v1/log-level', '/', '/healthz', '/readyz', '/metrics', '/openapi.json']) {
      const res = await a.inject({ url });
      assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`);
    }
    assert.equal((await a.inject({ method: 'HEAD', url: `/v1/objects/${other}` })).statusCode, 200);
  });

  it('an unknown token and a known one without the scope are refused alike in shape', async () => {
    const a1 = await expectError(a, { method: 'DELETE', url: `/v1/objects/${cid}`, headers: bearer(createApiToken()) }, 401, 'UNAUTHENTICATED');
    const a2 = await expectError(a, { method: 'DELETE', url: `/v1/objects/${cid}`, headers: bearer(createApiToken()) }, 401, 'UNAUTHENTICATED');
    assert.deepEqual(a1, a2);
  });
});

describe('HTTP access: PEERWEAVE_API_READ=token', () => {
  it('reads need the read scope (write and admin imply it); probes and metrics stay open', async () => {
    const { app: a, content } = await app({ tokens: () => TOKENS, readMode: 'token' });
    after(() => a.close());
    const cid = content.add('private');
    for (const url of [`/v1/objects/${cid}`, '/v1/objects', `/ipfs/${cid}`, '/v1/status', '/']) {
      await expectError(a, { url }, 401, 'UNAUTHENTICATED');
      await expectError(a, { url, headers: bearer(createApiToken()) }, 401, 'UNAUTHENTICATED');
      for (const scope of ['read', 'write', 'admin'] as const) {
        assert.equal((await a.inject({ url, headers: bearer(tokenOf[scope]) })).statusCode, 200, `${url} with ${scope}`);
      }
    }
    const head = await a.inject({ method: 'HEAD', url: `/v1/objects/${cid}` });
    assert.equal(head.statusCode, 401);
    assert.equal(head.headers['www-authenticate'], 'Bearer realm="peerweave"');
    for (const url of ['/healthz', '/readyz', '/metrics']) assert.equal((await a.inject({ url })).statusCode, 200, url);
    // Writes still need write: read does not grant it.
    await expectError(a, { method: 'POST', url: '/v1/objects', payload: 'x', headers: bearer(tokenOf.read) }, 403, 'PERMISSION_DENIED');
  });

  it('a tokens file read again applies at once (the provider is asked on every request)', async () => {
    let tokens = ApiTokens.of([]);
    const { app: a } = await app({ tokens: () => tokens });
    after(() => a.close());
    await expectError(a, { method: 'POST', url: '/v1/objects', payload: 'x', headers: bearer(tokenOf.write) }, 401, 'UNAUTHENTICATED');
    tokens = TOKENS;
    assert.equal((await a.inject({ method: 'POST', url: '/v1/objects', payload: 'x', headers: bearer(tokenOf.write) })).statusCode, 201);
  });
});

describe('HTTP rate limits', () => {
  it('429 RESOURCE_EXHAUSTED with Retry-After past the budget; reads and writes counted apart; probes exempt', async () => {
    const { app: a } = await app({ rateLimits: { readsPerWindow: 3, writesPerWindow: 2, windowMs: 60_000 } });
    after(() => a.close());
    for (let i = 0; i < 3; i++) assert.equal((await a.inject({ url: '/v1/objects' })).statusCode, 200);
    const over = await a.inject({ url: '/v1/objects' });
    assert.equal(over.statusCode, 429);
    assert.equal(over.json<{ code: string }>().code, 'RESOURCE_EXHAUSTED');
    assert.match(over.json<{ message: string }>().message, /too many reads from this client: at most 3 per 60 s/);
    assert.ok(Number(over.headers['retry-after']) > 0 && Number(over.headers['retry-after']) <= 60, String(over.headers['retry-after']));
    // Writes have their own, smaller budget.
    for (let i = 0; i < 2; i++) assert.equal((await a.inject({ method: 'POST', url: '/v1/objects', payload: `w${i}` })).statusCode, 201);
    const writeOver = await a.inject({ method: 'POST', url: '/v1/objects', payload: 'w3' });
    assert.equal(writeOver.statusCode, 429);
    assert.match(writeOver.json<{ message: string }>().message, /too many writes/);
    for (let i = 0; i < 10; i++) {
      for (const url of ['/healthz', '/readyz', '/metrics']) assert.equal((await a.inject({ url })).statusCode, 200, url);
    }
  });

  it('counts per client address', async () => {
    const { app: a } = await app({ rateLimits: { readsPerWindow: 1, windowMs: 60_000 } });
    after(() => a.close());
    assert.equal((await a.inject({ url: '/v1/objects', remoteAddress: '10.0.0.1' })).statusCode, 200);
    assert.equal((await a.inject({ url: '/v1/objects', remoteAddress: '10.0.0.1' })).statusCode, 429);
    assert.equal((await a.inject({ url: '/v1/objects', remoteAddress: '10.0.0.2' })).statusCode, 200);
  });

  it('unauthenticated writes spend the budget too (token guessing is rate limited), before the token check', async () => {
    const { app: a } = await app({ tokens: () => TOKENS, rateLimits: { writesPerWindow: 2, windowMs: 60_000 } });
    after(() => a.close());
    for (let i = 0; i < 2; i++) assert.equal((await a.inject({ method: 'DELETE', url: `/v1/objects/bafk${i}`, headers: bearer(createApiToken()) })).statusCode, 401);
    assert.equal((await a.inject({ method: 'DELETE', url: '/v1/objects/bafk9', headers: bearer(tokenOf.write) })).statusCode, 429);
  });

  it('0 turns a budget off', async () => {
    const { app: a } = await app({ rateLimits: { readsPerWindow: 0, windowMs: 60_000 } });
    after(() => a.close());
    for (let i = 0; i < 50; i++) assert.equal((await a.inject({ url: '/v1/objects' })).statusCode, 200);
  });
});

describe('HTTP access in the OpenAPI document', () => {
  it('declares the bearer scheme, the scope of each guarded route, and their 401/403/429', async () => {
    const { app: a } = await app({});
    after(() => a.close());
    const doc = (await a.inject({ url: '/openapi.json' })).json<{
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
      paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
    }>();
    assert.deepEqual({ type: doc.components.securitySchemes.bearerToken?.type, scheme: doc.components.securitySchemes.bearerToken?.scheme }, { type: 'http', scheme: 'bearer' });
    const op = (path: string, method: string) => doc.paths[path]![method]!;
    assert.deepEqual(op('/v1/objects', 'post').security, [{ bearerToken: ['write'] }]);
    assert.deepEqual(op('/v1/objects', 'put').security, [{ bearerToken: ['write'] }]);
    assert.deepEqual(op('/v1/objects/{cid}', 'delete').security, [{ bearerToken: ['write'] }]);
    assert.deepEqual(op('/v1/log-level', 'put').security, [{ bearerToken: ['admin'] }]);
    assert.deepEqual(op('/v1/objects/{cid}', 'get').security, [{}, { bearerToken: ['read'] }]);
    for (const s of ['401', '403', '429']) assert.ok(op('/v1/objects', 'post').responses[s], s);
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      assert.equal(op(path, 'get').security, undefined, path);
      assert.equal(op(path, 'get').responses['401'], undefined, path);
    }
  });
});
