// `peerweave token create`, and the token every command sends: --token, PEERWEAVE_TOKEN, the local
// cluster's .peerweave/token; a node's 401/403 as one clear line and exit code 5 (in-process).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_TOKEN_PATTERN, apiTokenSha256, createApiToken } from '@peerweave/core';
import type { RunCliInit } from './cli.ts';
import { EXIT } from './exit-codes.ts';
import { startTokenNode, type TokenNode } from './testing/token-node.ts';
import { oneLine, runCliInProcess } from './testing/run-cli-in-process.ts';

const run = runCliInProcess;


describe('peerweave token create', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pw-cli-token-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('prints the token once, then the entry for the tokens file with its SHA-256; default scope write, name cli', async () => {
    const r = await run(['token', 'create'], { cwd: dir });
    assert.equal(r.code, EXIT.OK, r.stderr);
    const [token, entryLine, rest] = r.stdout.split('\n');
    assert.match(token!, API_TOKEN_PATTERN);
    assert.deepEqual(JSON.parse(entryLine!), { name: 'cli', sha256: apiTokenSha256(token!), scopes: ['write'] });
    assert.equal(rest, '');
    assert.match(r.stderr, /shown only now/);
  });

  it('--scopes and --name, --json', async () => {
    const r = await run(['--json', 'token', 'create', '--scopes', 'write,admin', '--name', 'ops'], { cwd: dir });
    assert.equal(r.code, EXIT.OK, r.stderr);
    const out = JSON.parse(r.stdout) as { token: string; entry: { name: string; sha256: string; scopes: string[] } };
    assert.deepEqual(out.entry, { name: 'ops', sha256: apiTokenSha256(out.token), scopes: ['write', 'admin'] });
  });

  it('--add-to makes or extends a tokens file; a name already there is refused (exit 2, file unchanged)', async () => {
    const file = join(dir, 'tokens.json');
    assert.equal((await run(['-q', 'token', 'create', '--name', 'a', '--add-to', 'tokens.json'], { cwd: dir })).code, EXIT.OK);
    const second = await run(['-q', 'token', 'create', '--name', 'b', '--scopes', 'read', '--add-to', file], { cwd: dir });
    assert.equal(second.code, EXIT.OK, second.stderr);
    const text = await readFile(file, 'utf8');
    const doc = JSON.parse(text) as { tokens: { name: string; sha256: string; scopes: string[] }[] };
    assert.deepEqual(doc.tokens.map((t) => [t.name, t.scopes]), [['a', ['write']], ['b', ['read']]]);
    assert.equal(doc.tokens[1]!.sha256, apiTokenSha256(second.stdout.split('\n')[0]!));
    const dup = await run(['token', 'create', '--name', 'a', '--add-to', file], { cwd: dir });
    assert.equal(dup.code, EXIT.USAGE);
    assert.match(dup.stderr, /already has a token named "a"/);
    assert.equal(await readFile(file, 'utf8'), text);
  });

  it('an unknown scope is a usage error', async () => {
    const r = await run(['token', 'create', '--scopes', 'write,root'], { cwd: dir });
    assert.equal(r.code, EXIT.USAGE);
    oneLine(r.stderr);
    assert.match(r.stderr, /unknown scope "root"/);
  });
});

describe('peerweave against a node that asks for tokens', () => {
  const write = createApiToken();
  const read = createApiToken();
  let node: TokenNode;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pw-cli-token-'));
    await writeFile(join(dir, 'file.bin'), 'bytes to store');
    node = await startTokenNode([
      { name: 'w', sha256: apiTokenSha256(write), scopes: ['write'] },
      { name: 'r', sha256: apiTokenSha256(read), scopes: ['read'] },
    ]);
  });
  after(async () => {
    await node.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('without a token a write is refused: one line saying what to do, exit 5', async () => {
    const r = await run(['--node', node.url, 'put', join(dir, 'file.bin')], { cwd: dir });
    assert.equal(r.code, EXIT.AUTH, r.stderr);
    oneLine(r.stderr);
    assert.match(r.stderr, /\(HTTP 401 UNAUTHENTICATED\); the node asks for a token: pass --token or set PEERWEAVE_TOKEN/);
    assert.equal(node.objects.size, 0);
  });

  it('reads need none', async () => {
    assert.equal((await run(['--node', node.url, 'status'], { cwd: dir })).code, EXIT.OK);
  });

  it('a token without the scope: 403, exit 5; an unknown one: 401, exit 5', async () => {
    const denied = await run(['--node', node.url, '--token', read, 'put', join(dir, 'file.bin')], { cwd: dir });
    assert.equal(denied.code, EXIT.AUTH);
    oneLine(denied.stderr);
    assert.match(denied.stderr, /\(HTTP 403 PERMISSION_DENIED\); the token of --token lacks the scope/);
    const unknown = await run(['--node', node.url, 'put', join(dir, 'file.bin')], { cwd: dir, env: { PEERWEAVE_TOKEN: createApiToken() } });
    assert.equal(unknown.code, EXIT.AUTH);
    assert.match(unknown.stderr, /\(HTTP 401 UNAUTHENTICATED\); the node does not accept the token of PEERWEAVE_TOKEN/);
  });

  it('--token or PEERWEAVE_TOKEN with the write scope stores and deletes', async () => {
    const put = await run(['--node', node.url, '--token', write, '--json', 'put', join(dir, 'file.bin')], { cwd: dir });
    assert.equal(put.code, EXIT.OK, put.stderr);
    const [{ cid }] = JSON.parse(put.stdout) as [{ cid: string }];
    const rmAsReader = await run(['--node', node.url, 'rm', cid], { cwd: dir, env: { PEERWEAVE_TOKEN: read } });
    assert.equal(rmAsReader.code, EXIT.AUTH);
    assert.ok(node.objects.has(cid), 'still there');
    assert.equal((await run(['--node', node.url, 'rm', cid], { cwd: dir, env: { PEERWEAVE_TOKEN: write } })).code, EXIT.OK);
    assert.equal(node.objects.has(cid), false);
  });

  it('a malformed token is a usage error before anything is sent', async () => {
    const r = await run(['--node', node.url, '--token', 'secret', 'status'], { cwd: dir });
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.stderr, /--token does not hold a Peerweave token/);
  });

  it("the local cluster's .peerweave/token is sent to the local cluster only, never to a node named by --node", async () => {
    const checkout = join(dir, 'checkout');
    await mkdir(join(checkout, '.peerweave'), { recursive: true });
    await writeFile(join(checkout, '.peerweave', 'token'), `${write}\n`);
    const local: RunCliInit = { repoRoot: checkout, composePort: async () => node.url.replace('http://', '') };
    const put = await run(['put', join(dir, 'file.bin')], { cwd: dir, init: local });
    assert.equal(put.code, EXIT.OK, put.stderr);
    const named = await run(['--node', node.url, 'put', join(dir, 'file.bin')], { cwd: dir, init: local });
    assert.equal(named.code, EXIT.AUTH);
  });
});
