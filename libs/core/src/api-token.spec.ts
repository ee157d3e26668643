import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { API_TOKEN_PATTERN, apiTokenSha256, createApiToken, isApiScope, scopeGrants, type ApiScope } from './api-token.ts';

describe('API tokens', () => {
  it('are pw_ and 43 base64url characters, different every time', () => {
    const a = createApiToken();
    const b = createApiToken();
    assert.match(a, API_TOKEN_PATTERN);
    assert.equal(a.length, 46);
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a.slice(3), 'base64url').length, 32);
  });

  it('hash to the hex SHA-256 of their UTF-8', () => {
    const t = createApiToken();
    assert.equal(apiTokenSha256(t), createHash('sha256').update(Buffer.from(t, 'utf8')).digest('hex'));
    assert.match(apiTokenSha256(t), /^[0-9a-f]{64}$/);
  });

  it('scopes: admin implies write implies read, never the other way', () => {
    const table: [ApiScope[], ApiScope, boolean][] = [
      [['read'], 'read', true],
      [['read'], 'write', false],
      [['read'], 'admin', false],
      [['write'], 'read', true],
      [['write'], 'write', true],
      [['write'], 'admin', false],
      [['admin'], 'write', true],
      [['admin'], 'read', true],
      [['read', 'admin'], 'admin', true],
      [[], 'read', false],
    ];
    for (const [held, needed, expected] of table) assert.equal(scopeGrants(held, needed), expected, `${held.join(',')} → ${needed}`);
  });

  it('knows its scopes', () => {
    assert.equal(isApiScope('write'), true);
    assert.equal(isApiScope('Write'), false);
    assert.equal(isApiScope('root'), false);
    assert.equal(isApiScope(1), false);
  });
});
