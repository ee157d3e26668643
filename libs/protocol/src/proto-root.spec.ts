import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PROTO_DIR_ENV, PROTO_ROOT_MARKER, resolveProtoRoot } from './proto-root.ts';

describe('resolveProtoRoot', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'peerweave-proto-root-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function withMarker(root: string): string {
    mkdirSync(join(root, 'peerweave/node/v1'), { recursive: true });
    writeFileSync(join(root, PROTO_ROOT_MARKER), 'syntax = "proto3";\n');
    return root;
  }

  it('finds <repo>/proto when running from source', () => {
    const root = resolveProtoRoot({ env: {} });
    assert.equal(root, new URL('../../../proto', import.meta.url).pathname);
  });

  it('finds /app/proto from the bundle at /app/lib/peer/main.mjs', () => {
    const app = join(dir, 'bundle/app');
    mkdirSync(join(app, 'lib/peer'), { recursive: true });
    writeFileSync(join(app, 'lib/peer/main.mjs'), '');
    withMarker(join(app, 'proto'));
    const root = resolveProtoRoot({ env: {}, moduleUrl: pathToFileURL(join(app, 'lib/peer/main.mjs')) });
    assert.equal(root, join(app, 'proto'));
  });

  it('prefers the bundle\'s own copy to the repository\'s when the bundle is built inside it', () => {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, 'dist/lib/peer'), { recursive: true });
    writeFileSync(join(repo, 'dist/lib/peer/main.mjs'), '');
    withMarker(join(repo, 'proto'));
    withMarker(join(repo, 'dist/proto'));
    const root = resolveProtoRoot({ env: {}, moduleUrl: pathToFileURL(join(repo, 'dist/lib/peer/main.mjs')) });
    assert.equal(root, join(repo, 'dist/proto'));
  });

  it(`honours ${PROTO_DIR_ENV}`, () => {
    const custom = withMarker(join(dir, 'custom'));
    assert.equal(resolveProtoRoot({ env: { [PROTO_DIR_ENV]: custom } }), custom);
  });

  it(`fails with INVALID_CONFIG when ${PROTO_DIR_ENV} lacks the protocol files`, () => {
    assert.throws(() => resolveProtoRoot({ env: { [PROTO_DIR_ENV]: join(dir, 'nowhere') } }), {
      code: 'INVALID_CONFIG',
      message: new RegExp(`${PROTO_DIR_ENV}=.*nowhere does not contain ${PROTO_ROOT_MARKER}`),
    });
  });

  it('fails with one clear error when no layout has the files', () => {
    const lonely = join(dir, 'lonely/lib/peer/main.mjs');
    assert.throws(() => resolveProtoRoot({ env: {}, moduleUrl: pathToFileURL(lonely) }), {
      code: 'FAILED_PRECONDITION',
      message: /protocol files not found: no peerweave\/node\/v1\/node\.proto under .* or .*; set PEERWEAVE_PROTO_DIR/,
    });
  });
});
