// The peer process as users and orchestrators see it: config errors, readiness, SIGTERM.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@peerweave/core/testing';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

interface Run {
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
  stdout: () => string;
  kill: (signal: NodeJS.Signals) => void;
}

function run(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [MAIN], {
    // Plaintext by name: these check the process (exit codes, signals), not transport security.
    env: { PATH: process.env.PATH ?? '', PEERWEAVE_PRESET: 'test', PEERWEAVE_INSECURE: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { exit, stderr: () => err, stdout: () => out, kill: (s) => child.kill(s) };
}

describe('peer process', () => {
  it('exits 1 with one line naming a bad variable', async () => {
    const r = run({ PEERWEAVE_GRPC_PORT: '-3' });
    const { code } = await r.exit;
    assert.equal(code, 1);
    const lines = r.stderr().trim().split('\n');
    assert.equal(lines.length, 1, r.stderr());
    assert.match(lines[0]!, /^PEERWEAVE_GRPC_PORT="-3" is invalid: expected an integer 0\.\.65535/);
  });

  it('serves, logs JSON with its node id, and exits 0 on SIGTERM', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-main-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const r = run({ PEERWEAVE_DATA_DIR: dir, PEERWEAVE_LOG_LEVEL: 'info' });
    t.after(() => r.kill('SIGKILL'));
    const started = await waitFor(
      () => r.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'node started'),
      { timeoutMs: 15_000, what: 'the "node started" log line' },
    );
    assert.equal(typeof started.node, 'string');
    assert.equal(started.component, 'node');
    const res = await fetch(`${String(started.http).replace(/\/\/[^:/]+:/, '//127.0.0.1:')}/readyz`);
    assert.equal(res.status, 200);
    r.kill('SIGTERM');
    const { code } = await r.exit;
    assert.equal(code, 0);
  });
});
