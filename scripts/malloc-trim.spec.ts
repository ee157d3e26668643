// The malloc_trim addon (libs/telemetry/native/malloc-trim.c), compiled from the checkout by the
// same function scripts/build.ts uses and loaded as the node loads it from beside the bundle: it
// gives back the free pages a fragmented malloc heap keeps, and a file that is no addon is an
// error that says so, not a crash. Each case runs in a child process (a fresh malloc heap).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileMallocTrim } from './build-malloc-trim.ts';

const LOADER = fileURLToPath(new URL('../libs/telemetry/src/malloc-trim.ts', import.meta.url));
const MiB = 1024 * 1024;

/** Runs `body` (an ES module's code, with `loadMallocTrim` imported) in a fresh node; its stdout as JSON. */
function child(body: string): unknown {
  const code = `import { loadMallocTrim } from ${JSON.stringify(LOADER)};\n${body}`;
  // Without the image's tunables: glibc's defaults, as on a developer's machine.
  const env = { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' };
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { env, encoding: 'utf8' }));
}

describe('malloc_trim addon', { skip: process.platform !== 'linux' && 'glibc only' }, () => {
  let dir: string;
  let addon: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'malloc-trim-'));
    addon = join(dir, 'malloc-trim.node');
    compileMallocTrim(addon);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives back the free pages between chunks still in use', () => {
    // 64 MiB of 4 KiB buffers (malloc'd backing stores), every 16th kept: after a full collection
    // ~60 MiB are free but lie between live chunks, where glibc's own trimming does not reach.
    const r = child(`
      import { queryObjects } from 'node:v8';
      const { trim, error } = loadMallocTrim(${JSON.stringify(addon)});
      if (!trim) throw new Error(error);
      let bufs = Array.from({ length: 16384 }, () => Buffer.allocUnsafeSlow(4096).fill(1));
      const kept = bufs.filter((_, i) => i % 16 === 0);
      bufs = undefined;
      process.emitWarning = () => {};
      class None {}
      queryObjects(None, { format: 'count' });
      const before = process.memoryUsage.rss();
      const trimmed = trim();
      const after = process.memoryUsage.rss();
      console.log(JSON.stringify({ before, after, trimmed, kept: kept.length }));
    `) as { before: number; after: number; trimmed: boolean; kept: number };
    assert.equal(r.trimmed, true);
    assert.ok(r.before - r.after > 32 * MiB, `RSS ${(r.before / MiB).toFixed(1)} → ${(r.after / MiB).toFixed(1)} MiB: expected > 32 MiB given back`);
  });

  it('a file that is no Node-API addon is an error naming it, not a crash', () => {
    const bad = join(dir, 'not-an-addon.node');
    writeFileSync(bad, 'not an ELF file');
    const r = child(`console.log(JSON.stringify(loadMallocTrim(${JSON.stringify(bad)})));`) as { trim?: unknown; error?: string };
    assert.equal(r.trim, undefined);
    assert.match(r.error ?? '', /not-an-addon\.node did not load/);
    const missing = child(`console.log(JSON.stringify(loadMallocTrim(${JSON.stringify(join(dir, 'absent.node'))})));`) as { error?: string };
    assert.match(missing.error ?? '', /absent\.node not found/);
  });
});
