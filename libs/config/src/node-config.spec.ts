import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configTable } from '@peerweave/core';
import { DEFAULT_BODY_LIMIT } from '@peerweave/http-api';
import { DEFAULT_DEADLINE_MS, DEFAULT_KEEPALIVE_MS, DEFAULT_MAX_MESSAGE_BYTES } from '@peerweave/protocol';
import { DEFAULT_CACHE_BYTES, DEFAULT_REPAIR_DELAY_MS, DEFAULT_TOMBSTONE_TTL_MS, DEFAULT_WRITE_QUORUM } from '@peerweave/replication';
import { DEFAULT_ALPHA, DEFAULT_K, DEFAULT_OVERLAY_NEIGHBOURS, DEFAULT_REPLICATION_FACTOR } from '@peerweave/routing';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_MAINTENANCE_MS, DEFAULT_PUBLISH_DELAY_MS } from '@peerweave/search';
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

  it("the lan defaults are the owning libs' DEFAULT_* constants", () => {
    const lan = loadNodeConfig({});
    assert.deepEqual(
      [lan.httpBodyLimit, lan.grpcMaxMessageBytes, lan.grpcKeepaliveMs, lan.rpcDeadlineMs, lan.k, lan.alpha, lan.overlayNeighbours],
      [DEFAULT_BODY_LIMIT, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_KEEPALIVE_MS, DEFAULT_DEADLINE_MS, DEFAULT_K, DEFAULT_ALPHA, DEFAULT_OVERLAY_NEIGHBOURS],
    );
    assert.deepEqual(
      [lan.replicationFactor, lan.writeQuorum, lan.cacheBytes, lan.repairDelayMs, lan.tombstoneTtlMs],
      [DEFAULT_REPLICATION_FACTOR, DEFAULT_WRITE_QUORUM, DEFAULT_CACHE_BYTES, DEFAULT_REPAIR_DELAY_MS, DEFAULT_TOMBSTONE_TTL_MS],
    );
    assert.equal(lan.searchPublishDelayMs, DEFAULT_PUBLISH_DELAY_MS);
    assert.deepEqual([lan.searchMaintenanceMs, lan.searchHeartbeatMs], [DEFAULT_MAINTENANCE_MS, DEFAULT_HEARTBEAT_MS]);
  });

  it('reads and converts variables', () => {
    const c = loadNodeConfig({
      PEERWEAVE_HTTP_PORT: '9090',
      PEERWEAVE_ROLE: 'supernode',
      PEERWEAVE_LOG_LEVEL: 'debug',
      PEERWEAVE_HTTP_BODY_LIMIT: '2048',
      PEERWEAVE_SEARCH_PUBLISH_DELAY_MS: '0',
      PEERWEAVE_SEARCH_HEARTBEAT_MS: '30000',
    });
    assert.equal(c.httpPort, 9090);
    assert.equal(c.role, 'supernode');
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.httpBodyLimit, 2048);
    assert.equal(c.searchPublishDelayMs, 0);
    assert.equal(c.searchHeartbeatMs, 30_000);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['PEERWEAVE_HTTP_PORT', 'abc', /PEERWEAVE_HTTP_PORT="abc" is invalid: expected an integer 0\.\.65535/],
    ['PEERWEAVE_HTTP_PORT', '70000', /PEERWEAVE_HTTP_PORT/],
    ['PEERWEAVE_HTTP_PORT', '80.5', /PEERWEAVE_HTTP_PORT/],
    ['PEERWEAVE_ROLE', 'king', /PEERWEAVE_ROLE="king" is invalid: expected `peer` or `supernode`/],
    ['PEERWEAVE_LOG_LEVEL', 'loud', /PEERWEAVE_LOG_LEVEL/],
    ['PEERWEAVE_HTTP_BODY_LIMIT', '10', /PEERWEAVE_HTTP_BODY_LIMIT/],
    ['PEERWEAVE_ADVERTISE_HOST', 'a b;c', /PEERWEAVE_ADVERTISE_HOST/],
    ['PEERWEAVE_SEARCH_PUBLISH_DELAY_MS', '-1', /PEERWEAVE_SEARCH_PUBLISH_DELAY_MS="-1" is invalid: expected an integer number of milliseconds, 0\.\.60000/],
    ['PEERWEAVE_SEARCH_PUBLISH_DELAY_MS', '60001', /PEERWEAVE_SEARCH_PUBLISH_DELAY_MS/],
    ['PEERWEAVE_SEARCH_HEARTBEAT_MS', '999', /PEERWEAVE_SEARCH_HEARTBEAT_MS="999" is invalid: expected an integer number of milliseconds, 1000\.\.3600000/],
    ['PEERWEAVE_SEARCH_MAINTENANCE_MS', '0', /PEERWEAVE_SEARCH_MAINTENANCE_MS/],
    ['PEERWEAVE_PRESET', 'prod', /PEERWEAVE_PRESET="prod" is invalid: expected one of lan, local, test/],
    ['PEERWEAVE_API_READ', 'closed', /PEERWEAVE_API_READ="closed" is invalid: expected `open` or `token`/],
    ['PEERWEAVE_API_READ', 'token', /PEERWEAVE_API_READ=token is invalid: expected PEERWEAVE_API_TOKENS_FILE too/],
    ['PEERWEAVE_HTTP_RATE_READS', '-1', /PEERWEAVE_HTTP_RATE_READS/],
    ['PEERWEAVE_HTTP_HEADERS_TIMEOUT_MS', '10', /PEERWEAVE_HTTP_HEADERS_TIMEOUT_MS/],
    ['PEERWEAVE_HTTP_REQUEST_TIMEOUT_MS', '5000', /PEERWEAVE_HTTP_REQUEST_TIMEOUT_MS=5000 is invalid: expected 0 or at least PEERWEAVE_HTTP_HEADERS_TIMEOUT_MS/],
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
