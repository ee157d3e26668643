import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { channelOptions, MAX_KEEPALIVE_TIMEOUT_MS, MAX_SERVER_KEEPALIVE_MS, SERVER_KEEPALIVE_MULTIPLIER, serverKeepaliveMs, serverOptions } from './grpc-options.ts';
import { PROTO_LOADER_OPTIONS, protoGenTypesFlags } from '../loader-options.ts';

describe('gRPC options', () => {
  const tuning = { maxMessageBytes: 4_194_304, keepaliveMs: 30_000 };

  for (const [side, options, keepaliveMs] of [
    ['server', serverOptions(tuning), 300_000],
    ['channel', channelOptions(tuning), 30_000],
  ] as const) {
    it(`${side}: channelz off, message limits and keepalive set explicitly`, () => {
      assert.equal(options['grpc.enable_channelz'], 0);
      assert.equal(options['grpc.max_receive_message_length'], 4_194_304);
      assert.equal(options['grpc.max_send_message_length'], 4_194_304);
      assert.equal(options['grpc.keepalive_time_ms'], keepaliveMs);
      assert.equal(options['grpc.keepalive_timeout_ms'], MAX_KEEPALIVE_TIMEOUT_MS);
      assert.equal(options['grpc.keepalive_permit_without_calls'], 1);
    });
  }

  it('keepalive timeout never exceeds the interval', () => {
    assert.equal(channelOptions({ ...tuning, keepaliveMs: 1_000 })['grpc.keepalive_timeout_ms'], 1_000);
    assert.equal(serverOptions({ ...tuning, keepaliveMs: 1_000 })['grpc.keepalive_timeout_ms'], 1_000 * SERVER_KEEPALIVE_MULTIPLIER);
  });

  it('the server pings less often than its clients: their pings already test each connection both ways', () => {
    for (const keepaliveMs of [1_000, 10_000, 30_000]) {
      const server = serverOptions({ ...tuning, keepaliveMs })['grpc.keepalive_time_ms'] as number;
      assert.equal(server, keepaliveMs * SERVER_KEEPALIVE_MULTIPLIER);
      assert.ok(server > (channelOptions({ ...tuning, keepaliveMs })['grpc.keepalive_time_ms'] as number));
    }
  });

  it('the server side pings at most every 5 min (a vanished caller is reclaimed as soon as before), never more often than the client side', () => {
    assert.deepEqual(
      [10_000, 30_000, 120_000, 300_000, 600_000].map(serverKeepaliveMs),
      [100_000, MAX_SERVER_KEEPALIVE_MS, MAX_SERVER_KEEPALIVE_MS, 300_000, 600_000],
    );
    assert.equal(serverOptions({ ...tuning, keepaliveMs: 120_000 })['grpc.keepalive_time_ms'], 300_000);
  });

  it('the server tolerates pings as often as any client of ours sends them', () => {
    for (const keepaliveMs of [1_000, 10_000, 30_000, 120_000]) {
      const server = serverOptions({ ...tuning, keepaliveMs });
      const minInterval = server['grpc.http2.min_ping_interval_without_data_ms'] as number;
      assert.ok(minInterval <= keepaliveMs, `server ${keepaliveMs}`);
      assert.ok(minInterval <= 10_000, 'peers on the local/test presets ping every 10 s');
    }
  });
});

describe('loader options', () => {
  it('map to the same proto-loader-gen-types flags', () => {
    assert.deepEqual(protoGenTypesFlags(PROTO_LOADER_OPTIONS), ['--longs', 'Number', '--enums', 'String', '--defaults', '--oneofs']);
    assert.deepEqual(protoGenTypesFlags({ keepCase: true, bytes: Array, arrays: true }), ['--keepCase', '--bytes', 'Array', '--arrays']);
  });
});
