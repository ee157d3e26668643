// A bad configuration stops the container with exit code 1 and one line naming the variable.
import './support/env.ts';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { IMAGE } from './support/env.ts';

function dockerRun(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['run', '--rm', '--label', 'org.testcontainers=true'];
  for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
  args.push(IMAGE);
  return new Promise((resolve) => {
    execFile('docker', args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('peer image with bad configuration', { timeout: 120_000 }, () => {
  it('exits 1 with one line naming the variable and what it accepts', async () => {
    const r = await dockerRun({ PEERWEAVE_HTTP_PORT: 'eighty' });
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got: ${r.stderr}`);
    assert.match(lines[0]!, /PEERWEAVE_HTTP_PORT="eighty" is invalid: expected an integer/);
  });

  it('without a cluster CA and without PEERWEAVE_INSECURE=true, exits 1 naming both: no plaintext by default', async () => {
    const r = await dockerRun({});
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got: ${r.stderr}`);
    assert.match(lines[0]!, /PEERWEAVE_CLUSTER_CA/);
    assert.match(lines[0]!, /PEERWEAVE_INSECURE=true/);
  });
});
