// Property test of configuration parsing (issue #15 item 4): any environment (every variable of
// NODE_CONFIG set to arbitrary text, numbers or nothing) either loads a configuration whose values
// are of their declared types, or is refused with INVALID_CONFIG — never another error.
// Knobs: FC_NUM_RUNS, FC_SEED (@peerweave/core/testing propertyParams).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PeerweaveError } from '@peerweave/core';
import { propertyParams } from '@peerweave/core/testing';
import { loadNodeConfig, NODE_CONFIG } from './node-config.ts';

const VARIABLES = Object.values(NODE_CONFIG).map((entry) => entry.env);

const value = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('', ' ', '0', '-1', '1e3', '0x10', 'true', 'false', 'peer', 'supernode', 'info', 'debug', '127.0.0.1', '127.0.0.1:7400,10.0.0.2:7400', 'lan', 'local', 'test', '9007199254740993'),
);

describe('node configuration (property)', () => {
  it('any environment loads a configuration or is refused with INVALID_CONFIG', () => {
    assert.ok(VARIABLES.length > 30);
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...VARIABLES, 'PEERWEAVE_PRESET'), value, { maxKeys: 8 }), (env) => {
        let config;
        try {
          config = loadNodeConfig({ ...env });
        } catch (err) {
          assert.ok(err instanceof PeerweaveError && err.code === 'INVALID_CONFIG', `refused with ${String(err)}`);
          return;
        }
        for (const [key, entry] of Object.entries(NODE_CONFIG)) {
          const v = (config as Record<string, unknown>)[key];
          if (typeof v === 'number') assert.ok(Number.isFinite(v), `${entry.env} gave ${v}`);
        }
        assert.ok(config.writeQuorum <= config.replicationFactor);
        assert.ok(config.probeTimeoutMs < config.probeIntervalMs);
      }),
      propertyParams(1000),
    );
  });
});
