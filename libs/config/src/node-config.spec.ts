import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configTable } from '@peerweave/core';
import { NODE_CONFIG, loadNodeConfig } from './node-config.ts';

describe('node config', () => {
  it('takes the preset defaults when nothing is set', () => {
    const lan = loadNodeConfig({});
    assert.equal(lan.preset, 'lan');
    assert.equal(lan.httpPort, 8080);
    assert.equal(lan.httpHost, '0.0.0.0');
    assert.equal(lan.role, 'peer');
    const test = loadNodeConfig({ PEERWEAVE_PRESET: 'test' });
    assert.equal(test.httpPort, 0);
    assert.equal(test.logLevel, 'warn');
  });

  it('reads and converts variables', () => {
    const c = loadNodeConfig({
      PEERWEAVE_HTTP_PORT: '9090',
      PEERWEAVE_ROLE: 'supernode',
      PEERWEAVE_LOG_LEVEL: 'debug',
      PEERWEAVE_HTTP_BODY_LIMIT: '2048',
    });
    assert.equal(c.httpPort, 9090);
    assert.equal(c.role, 'supernode');
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.httpBodyLimit, 2048);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['PEERWEAVE_HTTP_PORT', 'abc', /PEERWEAVE_HTTP_PORT="abc" is invalid: expected an integer 0\.\.65535/],
    ['PEERWEAVE_HTTP_PORT', '70000', /PEERWEAVE_HTTP_PORT/],
    ['PEERWEAVE_HTTP_PORT', '80.5', /PEERWEAVE_HTTP_PORT/],
    ['PEERWEAVE_ROLE', 'king', /PEERWEAVE_ROLE="king" is invalid: expected `peer` or `supernode`/],
    ['PEERWEAVE_LOG_LEVEL', 'loud', /PEERWEAVE_LOG_LEVEL/],
    ['PEERWEAVE_HTTP_BODY_LIMIT', '10', /PEERWEAVE_HTTP_BODY_LIMIT/],
    ['PEERWEAVE_ADVERTISE_HOST', 'a b;c', /PEERWEAVE_ADVERTISE_HOST/],
    ['PEERWEAVE_PRESET', 'prod', /PEERWEAVE_PRESET="prod" is invalid: expected one of lan, local, test/],
  ];
  for (const [variable, value, message] of bad) {
    it(`rejects ${variable}=${value} with one line naming the variable`, () => {
      assert.throws(
        () => loadNodeConfig({ [variable]: value }),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'INVALID_CONFIG');
          assert.match(err.message, message);
          assert.equal(err.message.includes('\n'), false);
          return true;
        },
      );
    });
  }

  it('the README documents every variable exactly as the spec says', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const table = configTable(NODE_CONFIG);
    assert.ok(
      readme.includes(table),
      'README.md must contain the generated configuration table: run `node scripts/config-table.ts` and paste it',
    );
  });
});
