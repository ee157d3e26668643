import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, apiTokenSha256, createApiToken, silentLogger } from '@peerweave/core';
import { waitFor } from '@peerweave/core/testing';
import { ApiTokensFile } from './api-tokens-file.ts';
import { ApiTokens } from './api-tokens.ts';

const HASH = 'a'.repeat(64);
const entry = (over: Record<string, unknown> = {}) => ({ name: 'local', sha256: HASH, scopes: ['write'], ...over });

describe('ApiTokens.parse', () => {
  it('accepts the contract of the tokens file', () => {
    const token = createApiToken();
    const tokens = ApiTokens.parse(JSON.stringify({ tokens: [{ name: 'local', sha256: apiTokenSha256(token), scopes: ['write', 'admin'] }] }), '/f');
    assert.equal(tokens.size, 1);
    assert.deepEqual(tokens.check(token), { kind: 'valid', name: 'local', scopes: ['write', 'admin'] });
    assert.deepEqual(tokens.check(createApiToken()), { kind: 'invalid' });
    assert.deepEqual(tokens.check(token.slice(0, -1)), { kind: 'invalid' }, 'malformed');
    assert.deepEqual(tokens.check(`${token}x`), { kind: 'invalid' }, 'malformed');
  });

  const bad: [string, string, RegExp][] = [
    ['not JSON', '{tokens:', /not JSON/],
    ['an array', '[]', /expected an object/],
    ['no tokens array', '{"tokens":{}}', /"tokens" to be an array/],
    ['an entry that is not an object', '{"tokens":[1]}', /tokens\[0\] must be an object/],
    ['an unknown field', JSON.stringify({ tokens: [entry({ token: 'pw_x' })] }), /tokens\[0\]\.token is not allowed/],
    ['an empty name', JSON.stringify({ tokens: [entry({ name: '' })] }), /tokens\[0\]\.name/],
    ['an upper-case hash', JSON.stringify({ tokens: [entry({ sha256: 'A'.repeat(64) })] }), /sha256 must be 64 lowercase hex/],
    ['a short hash', JSON.stringify({ tokens: [entry({ sha256: 'ab' })] }), /sha256 must be 64 lowercase hex/],
    ['an unknown scope', JSON.stringify({ tokens: [entry({ scopes: ['write', 'root'] })] }), /unknown scope "root"/],
    ['no scopes', JSON.stringify({ tokens: [entry({ scopes: [] })] }), /scopes must be a non-empty array/],
    ['a duplicate hash', JSON.stringify({ tokens: [entry(), entry({ name: 'other' })] }), /tokens\[1\]\.sha256 repeats/],
  ];
  for (const [what, text, why] of bad) {
    it(`refuses ${what} with a ConfigError naming PEERWEAVE_API_TOKENS_FILE`, () => {
      assert.throws(
        () => ApiTokens.parse(text, '/etc/peerweave/tokens.json'),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.equal(err.code, 'INVALID_CONFIG');
          assert.match(err.message, /^PEERWEAVE_API_TOKENS_FILE=\/etc\/peerweave\/tokens\.json is invalid: /);
          assert.match(err.message, why);
          return true;
        },
      );
    });
  }
});

describe('ApiTokensFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pw-tokens-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (path: string, tokens: string[]) =>
    writeFileSync(path, JSON.stringify({ tokens: tokens.map((t, i) => ({ name: `t${i}`, sha256: apiTokenSha256(t), scopes: ['write'] })) }));

  it('a missing or malformed file stops the start with a ConfigError', async () => {
    await assert.rejects(new ApiTokensFile({ path: join(dir, 'absent.json'), logger: silentLogger }).start(), /PEERWEAVE_API_TOKENS_FILE=.*absent\.json is invalid: cannot read it \(ENOENT\)/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{');
    await assert.rejects(new ApiTokensFile({ path: bad, logger: silentLogger }).start(), ConfigError);
  });

  it('rotates without a restart: a replaced file applies within the poll; a broken one keeps the tokens in force', async () => {
    const path = join(dir, 'tokens.json');
    const [oldToken, newToken] = [createApiToken(), createApiToken()];
    write(path, [oldToken]);
    const file = new ApiTokensFile({ path, logger: silentLogger, pollMs: 20 });
    await file.start();
    after(() => file.stop());
    assert.equal(file.current().check(oldToken).kind, 'valid');
    // Replaced by rename, as Kubernetes and editors do.
    write(`${path}.tmp`, [newToken]);
    renameSync(`${path}.tmp`, path);
    await waitFor(() => file.current().check(newToken).kind === 'valid', { timeoutMs: 5_000, what: 'the renamed file' });
    assert.equal(file.current().check(oldToken).kind, 'invalid');
    // Rewritten in place, as a Compose bind mount needs (`peerweave token create --add-to`).
    const third = createApiToken();
    write(path, [newToken, third]);
    await waitFor(() => file.current().check(third).kind === 'valid', { timeoutMs: 5_000, what: 'the file rewritten in place' });
    writeFileSync(path, '{"tokens": [');
    assert.equal(file.reload(), false);
    assert.equal(file.current().check(newToken).kind, 'valid');
  });
});
