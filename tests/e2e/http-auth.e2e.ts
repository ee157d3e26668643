// End to end: one peer of the real image with a tokens file (PEERWEAVE_API_TOKENS_FILE) refuses
// writes without a token (401), with a read-only one (403), takes them with a write token (201);
// a delete without the write scope leaves the object readable; the log level needs admin.
import './support/env.ts';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StartedTestContainer } from 'testcontainers';
import { apiTokenSha256, createApiToken } from '@peerweave/core';
import { http } from './support/http.ts';
import { httpBase, removeAll, startPeer } from './support/peers.ts';

const TOKENS_FILE = '/run/peerweave/tokens.json';

describe('HTTP tokens on the real image', { timeout: 60_000 }, () => {
  const token = { read: createApiToken(), write: createApiToken(), admin: createApiToken() };
  let peer: StartedTestContainer | undefined;
  let base: string;
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const code = (body: unknown) => (body as { code?: string }).code;

  before(async () => {
    const tokens = { tokens: (['read', 'write', 'admin'] as const).map((s) => ({ name: s, sha256: apiTokenSha256(token[s]), scopes: [s] })) };
    peer = await startPeer({
      name: 'auth-peer',
      env: { PEERWEAVE_API_TOKENS_FILE: TOKENS_FILE, PEERWEAVE_REPLICATION_FACTOR: '1', PEERWEAVE_WRITE_QUORUM: '1' },
      files: [{ content: JSON.stringify(tokens), target: TOKENS_FILE, mode: 0o644 }],
    });
    base = httpBase(peer);
  });

  after(async () => {
    await removeAll([peer]);
  });

  it('a write without a token is 401, with an unknown or read-only token 401/403, with a write token 201', async () => {
    const put = (headers: Record<string, string>) => http(`${base}/v1/objects?name=a.txt`, { method: 'PUT', anonymous: true, headers, body: 'secret plans' });
    const none = await put({});
    assert.equal(none.status, 401, none.text);
    assert.equal(code(none.body), 'UNAUTHENTICATED');
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="peerweave"');
    const unknown = await put(bearer(createApiToken()));
    assert.equal(unknown.status, 401);
    const readOnly = await put(bearer(token.read));
    assert.equal(readOnly.status, 403, readOnly.text);
    assert.equal(code(readOnly.body), 'PERMISSION_DENIED');
    // No refusal names a token that exists.
    for (const r of [none, unknown, readOnly]) assert.ok(!/"(read|write|admin)"/.test(r.text), r.text);
    const ok = await put(bearer(token.write));
    assert.equal(ok.status, 201, ok.text);
  });

  it('a delete without the write scope is refused and the object stays readable; with it, the object is gone', async () => {
    const put = await http<{ cid: string }>(`${base}/v1/objects`, { method: 'POST', headers: bearer(token.write), body: 'keep me' });
    assert.equal(put.status, 201, put.text);
    const url = `${base}/v1/objects/${put.body.cid}`;
    assert.equal((await http(url, { method: 'DELETE', anonymous: true })).status, 401);
    const denied = await http(url, { method: 'DELETE', headers: bearer(token.read) });
    assert.equal(denied.status, 403);
    const read = await http(url);
    assert.equal(read.status, 200);
    assert.equal(read.text, 'keep me');
    assert.equal((await http(url, { method: 'DELETE', headers: bearer(token.write) })).status, 200);
    assert.equal((await http(url)).status, 404);
  });

  it('reads and probes need no token; the log level needs admin', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/v1/status', '/v1/objects']) assert.equal((await http(`${base}${path}`)).status, 200, path);
    const level = (headers: Record<string, string>) =>
      http(`${base}/v1/log-level`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: '{"level":"info"}' });
    assert.equal((await level(bearer(token.write))).status, 403);
    assert.equal((await level(bearer(token.admin))).status, 200);
  });
});
