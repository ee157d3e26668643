// Proves the architecture rules are enforced: a forbidden import must fail lint.
// (ESLint's Nx rule silently skips itself when no project graph is cached, which would let
// every boundary violation through; the lint script builds the graph first and this test checks.)
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('..', import.meta.url));

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: `${root}/${filePath}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('lint rules', () => {
  before(() => {
    execFileSync('npx', ['nx', 'show', 'projects'], { cwd: root, stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false' } });
  });

  it('forbids core importing a higher layer (Nx module boundaries)', async () => {
    const ids = await ruleIds("import { Identity } from '@peerweave/identity';\nexport const x = Identity;\n", 'libs/core/src/bad.ts');
    assert.ok(ids.includes('@nx/enforce-module-boundaries'), `got ${ids.join(', ')}`);
  });

  it('forbids a platform lib importing the HTTP edge', async () => {
    const ids = await ruleIds("import { build } from '@peerweave/http-api';\nexport const x = build;\n", 'libs/identity/src/bad.ts');
    assert.ok(ids.includes('@nx/enforce-module-boundaries'), `got ${ids.join(', ')}`);
  });

  it('allows an app to import any lib', async () => {
    const ids = await ruleIds("import { Identity } from '@peerweave/identity';\nexport const x = Identity;\n", 'apps/peer/src/ok.ts');
    assert.deepEqual(ids, []);
  });

  it('keeps @grpc/* inside the protocol lib and prom-client inside telemetry', async () => {
    const grpc = await ruleIds("import { Server } from '@grpc/grpc-js';\nexport const x = Server;\n", 'libs/http-api/src/bad.ts');
    assert.ok(grpc.includes('no-restricted-imports'), `got ${grpc.join(', ')}`);
    const prom = await ruleIds("import { Counter } from 'prom-client';\nexport const x = Counter;\n", 'apps/peer/src/bad.ts');
    assert.ok(prom.includes('no-restricted-imports'), `got ${prom.join(', ')}`);
  });
});
