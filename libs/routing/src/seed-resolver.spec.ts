import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '@peerweave/core';
import { silentLogger } from '@peerweave/core';
import { SeedResolver, joinHostPort, splitHostPort } from './seed-resolver.ts';

function countingLogger(): { logger: Logger; warns: number; infos: number } {
  const state = { warns: 0, infos: 0, logger: silentLogger };
  state.logger = { ...silentLogger, warn: () => void state.warns++, info: () => void state.infos++, child: () => state.logger };
  return state;
}

describe('SeedResolver', () => {
  it('splits and joins host:port forms', () => {
    assert.deepEqual(splitHostPort('peer', 7400), { host: 'peer', port: 7400 });
    assert.deepEqual(splitHostPort('peer:9000', 7400), { host: 'peer', port: 9000 });
    assert.deepEqual(splitHostPort('[::1]:9000', 7400), { host: '::1', port: 9000 });
    assert.deepEqual(splitHostPort('fe80::1', 7400), { host: 'fe80::1', port: 7400 });
    assert.equal(joinHostPort('::1', 7400), '[::1]:7400');
    assert.equal(joinHostPort('10.0.0.1', 7400), '10.0.0.1:7400');
  });

  it('returns seeds plus every address of the join name, on the default port', async () => {
    const r = new SeedResolver({
      seeds: ['a:1'],
      join: 'peer',
      defaultPort: 7400,
      resolveAll: async () => ['10.0.0.2', '10.0.0.3', 'fd00::5'],
      logger: silentLogger,
    });
    assert.deepEqual(await r.candidates(), ['a:1', '10.0.0.2:7400', '10.0.0.3:7400', '[fd00::5]:7400']);
  });

  it('logs a failing name once per change of outcome, not per attempt', async () => {
    const log = countingLogger();
    let fail = true;
    const r = new SeedResolver({
      seeds: [],
      join: 'nowhere',
      defaultPort: 7400,
      resolveAll: async () => {
        if (fail) throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
        return ['10.0.0.9'];
      },
      logger: log.logger,
    });
    for (let i = 0; i < 5; i++) assert.deepEqual(await r.candidates(), []);
    assert.equal(log.warns, 1);
    fail = false;
    assert.deepEqual(await r.candidates(), ['10.0.0.9:7400']);
    assert.deepEqual(await r.candidates(), ['10.0.0.9:7400']);
    assert.equal(log.infos, 1);
  });
});
