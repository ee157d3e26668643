// scripts/setup.d/50-cluster-secrets.sh: the local cluster's CA and write token. Runs the step as
// setup.sh does (sourced, with its helpers) on a temporary directory: what the first run makes, that
// a second run changes nothing, that other tokens are kept and a half-present CA stops it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Identity, issueNodeCertificate, verifyNodeCertificate } from '@peerweave/identity';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function ensure(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', 'source scripts/setup.sh && ensure_cluster_secrets'],
      { cwd: ROOT, env: { ...process.env, PEERWEAVE_LOCAL_SECRETS_DIR: dir, PEERWEAVE_SETUP_LOG: join(dir, '..', 'setup.log') }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Every file under `dir` with its content, mode, owner and mtime: a run that changes nothing leaves this equal. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const s = await stat(path);
    out[path.slice(dir.length)] = `${(s.mode & 0o777).toString(8)} ${s.uid}:${s.gid} ${s.mtimeMs} ${await readFile(path, 'utf8')}`;
  }
  return out;
}

describe('setup: the local cluster secrets (.peerweave/)', () => {
  let base: string;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'pw-secrets-'));
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('makes a CA, a write token and its hash; a second run changes nothing', async () => {
    const dir = join(base, 'a');
    const first = await ensure(dir);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /✓ cluster secrets in .*: made cluster CA, .*write token, tokens\.json entry/);

    const token = (await readFile(join(dir, 'token'), 'utf8')).trim();
    assert.match(token, /^pw_[A-Za-z0-9_-]{43}$/);
    assert.equal((await stat(join(dir, 'token'))).mode & 0o777, 0o600);
    const doc = JSON.parse(await readFile(join(dir, 'tokens.json'), 'utf8')) as { tokens: { name: string; sha256: string; scopes: string[] }[] };
    assert.deepEqual(doc, { tokens: [{ name: 'local', sha256: createHash('sha256').update(token, 'utf8').digest('hex'), scopes: ['write', 'admin'] }] });

    const keyStat = await stat(join(dir, 'ca', 'ca.key'));
    assert.equal(keyStat.mode & 0o777, 0o600);
    if (process.getuid?.() === 0) assert.equal(keyStat.uid, 1000, "owned by the image's user, so the node can read its Compose secret");
    const ca = { certPem: await readFile(join(dir, 'ca', 'ca.crt'), 'utf8'), keyPem: await readFile(join(dir, 'ca', 'ca.key'), 'utf8') };
    const node = Identity.generate();
    assert.ok((await verifyNodeCertificate(ca.certPem, await issueNodeCertificate(ca, node))).nodeId.equals(node.id), 'the CA pair issues');

    const before = await snapshot(dir);
    const second = await ensure(dir);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^✓ cluster CA and write token in /);
    assert.deepEqual(await snapshot(dir), before);
  });

  it('keeps other tokens in tokens.json and adds the local one; a broken tokens file or token stops it', async () => {
    const dir = join(base, 'b');
    await ensure(dir);
    const other = { name: 'ci', sha256: 'a'.repeat(64), scopes: ['write'] };
    const token = (await readFile(join(dir, 'token'), 'utf8')).trim();
    await writeFile(join(dir, 'tokens.json'), JSON.stringify({ tokens: [other] }));
    const r = await ensure(dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /made tokens\.json entry/);
    const doc = JSON.parse(await readFile(join(dir, 'tokens.json'), 'utf8')) as { tokens: unknown[] };
    assert.deepEqual(doc.tokens, [other, { name: 'local', sha256: createHash('sha256').update(token).digest('hex'), scopes: ['write', 'admin'] }]);

    await writeFile(join(dir, 'tokens.json'), '{not json');
    const broken = await ensure(dir);
    assert.notEqual(broken.code, 0);
    assert.match(broken.stderr, /tokens\.json is not a tokens file/);
    await rm(join(dir, 'tokens.json'));
    await writeFile(join(dir, 'token'), 'hunter2\n', { mode: 0o600 });
    const badToken = await ensure(dir);
    assert.notEqual(badToken.code, 0);
    assert.match(badToken.stderr, /token does not hold a token/);
  });

  it('never replaces a CA: a half-present or mismatched pair stops setup with what to do', async () => {
    const dir = join(base, 'c');
    await ensure(dir);
    const crt = await readFile(join(dir, 'ca', 'ca.crt'), 'utf8');
    await rm(join(dir, 'ca', 'ca.key'));
    const half = await ensure(dir);
    assert.notEqual(half.code, 0);
    assert.match(half.stderr, /only one of .*ca\.crt and .*ca\.key exists: restore the other/);
    assert.equal(await readFile(join(dir, 'ca', 'ca.crt'), 'utf8'), crt, 'the certificate is left alone');

    const other = join(base, 'd');
    await ensure(other);
    await writeFile(join(dir, 'ca', 'ca.key'), await readFile(join(other, 'ca', 'ca.key'), 'utf8'), { mode: 0o600 });
    const mismatch = await ensure(dir);
    assert.notEqual(mismatch.code, 0);
    assert.match(mismatch.stderr, /ca\.key does not belong to .*ca\.crt/);
  });
});
