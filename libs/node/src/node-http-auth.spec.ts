// A whole node with PEERWEAVE_API_TOKENS_FILE: the HTTP API asks for tokens, a bad file stops the
// start, and the HTTP settings of the config reach the server.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, apiTokenSha256, createApiToken } from '@peerweave/core';
import { loadNodeConfig } from '@peerweave/config';
import { startNode } from './start-node.ts';

const env = (dir: string, more: Record<string, string>) => loadNodeConfig({ PEERWEAVE_PRESET: 'test', PEERWEAVE_INSECURE: 'true', PEERWEAVE_DATA_DIR: dir, PEERWEAVE_LOG_LEVEL: 'silent', ...more });

/** One request with a raw view of the headers (fetch hides Keep-Alive). */
function call(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject).end(body);
  });
}

describe('a node with a tokens file', () => {
  it('refuses writes without a write token, serves reads, and passes its HTTP settings to the server', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-node-auth-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const [write, read] = [createApiToken(), createApiToken()];
    const file = join(dir, 'tokens.json');
    await writeFile(file, JSON.stringify({ tokens: [{ name: 'w', sha256: apiTokenSha256(write), scopes: ['write'] }, { name: 'r', sha256: apiTokenSha256(read), scopes: ['read'] }] }));
    const node = await startNode({ config: env(dir, { PEERWEAVE_API_TOKENS_FILE: file, PEERWEAVE_HTTP_KEEPALIVE_TIMEOUT_MS: '5000', PEERWEAVE_REPLICATION_FACTOR: '1', PEERWEAVE_WRITE_QUORUM: '1' }) });
    t.after(() => node.stop());
    const url = `${node.httpUrl}/v1/objects`;
    const none = await call(url, 'POST', { 'content-type': 'application/octet-stream' }, 'bytes');
    assert.equal(none.status, 401, none.body);
    assert.equal(JSON.parse(none.body).code, 'UNAUTHENTICATED');
    assert.equal((await call(url, 'POST', { authorization: `Bearer ${read}` }, 'bytes')).status, 403);
    const ok = await call(url, 'POST', { authorization: `Bearer ${write}` }, 'bytes');
    assert.equal(ok.status, 201, ok.body);
    const status = await call(`${node.httpUrl}/v1/status`, 'GET', {});
    assert.equal(status.status, 200);
    assert.equal(status.headers['keep-alive'], 'timeout=5');
  });

  it('a missing tokens file stops the start with a ConfigError naming the variable', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-node-auth-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await assert.rejects(startNode({ config: env(dir, { PEERWEAVE_API_TOKENS_FILE: join(dir, 'absent.json') }) }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /^PEERWEAVE_API_TOKENS_FILE=.*absent\.json is invalid/);
      return true;
    });
  });
});
