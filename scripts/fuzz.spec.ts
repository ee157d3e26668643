// The short version of `npm run fuzz` inside the test command (issue #15 item 4): one node process
// from the built bundle, FUZZ_SPEC_INPUTS (default 5000) generated gRPC and HTTP inputs, and no
// crash, no hang and no undocumented 5xx. A failure names the seed and the files holding the
// reproducing inputs (`FUZZ_REPLAY=<file> node bench/fuzz.ts` sends one again).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { formatReport, runFuzz } from '../bench/fuzz.ts';

const BUNDLE = fileURLToPath(new URL('../dist/lib/peer/main.mjs', import.meta.url));

it('a live node takes a few thousand fuzzed gRPC and HTTP inputs: no crash, no hang, no undocumented 5xx', { timeout: 120_000 }, async (t) => {
  assert.ok(existsSync(BUNDLE), `no bundle at ${BUNDLE}: run npm run build (scripts/setup.sh does)`);
  const outDir = mkdtempSync(join(tmpdir(), 'pw-fuzz-spec-'));
  const seed = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31);
  const report = await runFuzz({
    inputs: Number(process.env['FUZZ_SPEC_INPUTS'] ?? 5_000),
    seed,
    concurrency: 16,
    deadlineMs: 5_000,
    outDir,
    bundle: BUNDLE,
  });
  t.diagnostic(`seed ${seed}\n${formatReport(report)}`);
  const failed = report.crashes + report.hangs + report.unexpected5xx > 0;
  if (!failed) rmSync(outDir, { recursive: true, force: true });
  assert.equal(failed, false, `seed ${seed} (FUZZ_SEED=${seed} replays the run):\n${formatReport(report)}`);
  assert.ok(report.grpcInputs > 1_000 && report.httpInputs > 1_000, 'both edges were fuzzed');
});
