import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from 'typebox';
import { configTable, loadConfig, loadPreset, parseList, type ConfigSpec } from './config.ts';

// The node's own table and its loader are specified in libs/config; these cover the machinery.
const SPEC = {
  port: { env: 'X_PORT', accepts: 'an integer 0..65535', doc: 'A port.', schema: Type.Integer({ minimum: 0, maximum: 65535 }), default: { lan: 80, local: 8080, test: 0 } },
  names: { env: 'X_NAMES', accepts: 'a list', doc: 'Names.', schema: Type.Array(Type.String()), default: [], parse: parseList },
} as const satisfies ConfigSpec;

describe('config machinery', () => {
  it('takes the preset default when a variable is unset or empty', () => {
    assert.deepEqual(loadConfig(SPEC, {}, 'lan'), { port: 80, names: [] });
    assert.deepEqual(loadConfig(SPEC, { X_PORT: ' ' }, 'test'), { port: 0, names: [] });
  });

  it('parses integers strictly and lists by commas or spaces', () => {
    assert.deepEqual(loadConfig(SPEC, { X_PORT: '9090', X_NAMES: 'a, b c' }, 'lan'), { port: 9090, names: ['a', 'b', 'c'] });
    assert.throws(() => loadConfig(SPEC, { X_PORT: '80.5' }, 'lan'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'INVALID_CONFIG');
      assert.equal(err.message, 'X_PORT="80.5" is invalid: expected an integer 0..65535');
      return true;
    });
  });

  it('loadPreset falls back and validates', () => {
    assert.equal(loadPreset({}), 'lan');
    assert.equal(loadPreset({ PEERWEAVE_PRESET: 'local' }), 'local');
    assert.throws(() => loadPreset({ PEERWEAVE_PRESET: 'prod' }), /PEERWEAVE_PRESET="prod" is invalid: expected one of lan, local, test/);
  });

  it('renders a table row per field, presets side by side', () => {
    const table = configTable(SPEC);
    assert.match(table, /\| `X_PORT` \| an integer 0\.\.65535 \| lan: `80`<br>local: `8080`<br>test: `0` \| A port\. \|/);
    assert.match(table, /\| `X_NAMES` \| a list \| `\(empty\)` \| Names\. \|/);
  });
});
