import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = join(REPO, 'scripts/proto-gen.ts');
const GENERATED = 'libs/protocol/src/generated';
const STALE = 'generated code is stale: run npm run proto:gen';

function protoGen(...args: string[]) {
  const result = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

/** A checkout holding only what proto-gen reads and writes. */
function tempCheckout(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'peerweave-proto-gen-spec-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  cpSync(join(REPO, 'proto'), join(root, 'proto'), { recursive: true });
  cpSync(join(REPO, GENERATED), join(root, GENERATED), { recursive: true });
  return root;
}

function assertStale(result: { status: number | null; stderr: string }, what: RegExp): void {
  assert.equal(result.status, 1, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.ok(lines[0]?.startsWith(STALE), result.stderr);
  assert.match(result.stderr, what);
}

describe('proto-gen', () => {
  it('--check passes on the committed state', () => {
    const result = protoGen('--check');
    assert.equal(result.status, 0, result.stderr);
  });

  it('--check fails when a generated file is altered', (t) => {
    const root = tempCheckout(t);
    appendFileSync(join(root, GENERATED, 'peerweave/node/v1/NodeInfo.ts'), '// edited by hand\n');
    assertStale(protoGen('--check', '--root', root), /changed peerweave\/node\/v1\/NodeInfo\.ts/);
  });

  it('--check fails on an extra or a missing generated file', (t) => {
    const root = tempCheckout(t);
    writeFileSync(join(root, GENERATED, 'leftover.ts'), 'export {};\n');
    unlinkSync(join(root, GENERATED, 'node.ts'));
    assertStale(protoGen('--check', '--root', root), /missing node\.ts.*extra leftover\.ts/);
  });

  it('--check fails when a .proto changed without regenerating, and generation fixes it', (t) => {
    const root = tempCheckout(t);
    const proto = join(root, 'proto/peerweave/node/v1/node.proto');
    appendFileSync(proto, '\nmessage Added {\n  string note = 1;\n}\n');
    assertStale(protoGen('--check', '--root', root), /missing peerweave\/node\/v1\/Added\.ts/);
    const gen = protoGen('--root', root);
    assert.equal(gen.status, 0, gen.stderr);
    const check = protoGen('--check', '--root', root);
    assert.equal(check.status, 0, check.stderr);
  });
});
