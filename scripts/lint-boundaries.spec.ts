// Proves the architecture rules are enforced: a forbidden import must fail lint, an allowed one pass.
// The layers (eslint.config.mjs, README "Layers"): core < protocol, identity, telemetry < routing,
// storage < replication, transfer, search < http-api < config, node < apps. Each case lints an
// in-memory file placed in a lib with ESLint's Node API, as `npm run lint` would lint it on disk.
// (ESLint's Nx rule silently skips itself when no project graph is cached, which would let every
// boundary violation through; the lint script builds the graph first and so does this test.)
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('..', import.meta.url));
const BOUNDARIES = '@nx/enforce-module-boundaries';
let eslint: ESLint;

/** The rules an import of `pkg` breaks in a file at `filePath` (relative to the repository). */
async function ruleIds(pkg: string, filePath: string): Promise<string[]> {
  const code = `import * as imported from '${pkg}';\nexport const x = imported;\n`;
  const [result] = await eslint.lintText(code, { filePath: `${root}/${filePath}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

async function assertForbidden(pkg: string, filePath: string, rule = BOUNDARIES): Promise<void> {
  const ids = await ruleIds(pkg, filePath);
  assert.ok(ids.includes(rule), `${filePath} importing ${pkg}: expected ${rule}, got [${ids.join(', ')}]`);
}

async function assertAllowed(pkg: string, filePath: string): Promise<void> {
  assert.deepEqual(await ruleIds(pkg, filePath), [], `${filePath} importing ${pkg}`);
}

describe('lint rules', () => {
  before(() => {
    execFileSync('npx', ['nx', 'show', 'projects'], { cwd: root, stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false' } });
    eslint = new ESLint({ cwd: root });
  });

  it('forbids a lib importing a higher layer', async () => {
    await assertForbidden('@peerweave/routing', 'libs/core/src/x.ts');
    await assertForbidden('@peerweave/telemetry', 'libs/core/src/x.ts');
    await assertForbidden('@peerweave/http-api', 'libs/identity/src/x.ts');
    await assertForbidden('@peerweave/replication', 'libs/storage/src/x.ts');
    await assertForbidden('@peerweave/search', 'libs/routing/src/x.ts');
    await assertForbidden('@peerweave/node', 'libs/http-api/src/x.ts');
  });

  it('forbids imports inside a layer, but for replication → transfer and node → config', async () => {
    await assertForbidden('@peerweave/telemetry', 'libs/protocol/src/x.ts');
    await assertForbidden('@peerweave/storage', 'libs/routing/src/x.ts');
    await assertForbidden('@peerweave/replication', 'libs/search/src/x.ts');
    await assertForbidden('@peerweave/replication', 'libs/transfer/src/x.ts');
    await assertForbidden('@peerweave/search', 'libs/replication/src/x.ts');
    await assertForbidden('@peerweave/node', 'libs/config/src/x.ts');
    await assertAllowed('@peerweave/transfer', 'libs/replication/src/x.ts');
    await assertAllowed('@peerweave/config', 'libs/node/src/x.ts');
  });

  it('allows a lib to import the layers below it, and an app any lib', async () => {
    await assertAllowed('@peerweave/core', 'libs/protocol/src/x.ts');
    await assertAllowed('@peerweave/protocol', 'libs/storage/src/x.ts');
    await assertAllowed('@peerweave/routing', 'libs/search/src/x.ts');
    await assertAllowed('@peerweave/search', 'libs/http-api/src/x.ts');
    await assertAllowed('@peerweave/node', 'apps/peer/src/x.ts');
    await assertAllowed('@peerweave/routing', 'apps/sim/src/x.ts');
  });

  it('keeps node code out of the CLI, and leaves bench/, tests/ and scripts/ free', async () => {
    await assertForbidden('@peerweave/replication', 'apps/cli/src/x.ts');
    await assertForbidden('@peerweave/http-api', 'apps/cli/src/x.ts');
    await assertAllowed('@peerweave/core', 'apps/cli/src/x.ts');
    await assertAllowed('@peerweave/node', 'bench/x.ts');
    await assertAllowed('@peerweave/replication', 'tests/e2e/x.ts');
    await assertAllowed('@peerweave/search', 'scripts/x.ts');
  });

  it('keeps @grpc/* inside the protocol lib and prom-client inside telemetry', async () => {
    await assertForbidden('@grpc/grpc-js', 'libs/http-api/src/x.ts', 'no-restricted-imports');
    await assertForbidden('prom-client', 'apps/peer/src/x.ts', 'no-restricted-imports');
  });
});
