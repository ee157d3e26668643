// End to end for the `peerweave` CLI against the image built from this checkout: three peers on
// one Docker network, joined through each other's addresses (PEERWEAVE_SEEDS), and the CLI run
// as a child process the way a user runs it (`node apps/cli/src/main.ts …`).
import './support/env.ts';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Network, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { waitFor } from '@peerweave/core/testing';
import { GRPC_PORT } from './support/env.ts';
import { getJson } from './support/http.ts';
import { httpBase, removeAll, startPeer } from './support/peers.ts';

const CLI = fileURLToPath(new URL('../../apps/cli/src/main.ts', import.meta.url));
const NAMES = ['cli-peer-a', 'cli-peer-b', 'cli-peer-c'] as const;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

interface CliRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** `peerweave …` as a child process; resolves with its exit code and output. */
function peerweave(args: string[], cwd: string, timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, PEERWEAVE_NODE: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

describe('peerweave CLI against three peers', { timeout: 300_000 }, () => {
  let network: StartedNetwork | undefined;
  const peers: StartedTestContainer[] = [];
  let dir = '';
  const node = (i: number): string => httpBase(peers[i]!);
  const file = randomBytes(3 * 1024 * 1024);
  let cid = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'peerweave-cli-e2e-'));
    network = await new Network().start();
    const started = await Promise.allSettled(
      NAMES.map((name) =>
        startPeer({
          network,
          name,
          env: { PEERWEAVE_SEEDS: NAMES.filter((n) => n !== name).map((n) => `${n}:${GRPC_PORT}`).join(',') },
        }),
      ),
    );
    // Keep whatever started, so `after` removes it even when another failed to start.
    for (const s of started) if (s.status === 'fulfilled') peers.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    // A put needs w = 2 of r = 3 replicas: wait until each peer lists both others alive.
    await waitFor(
      async () => {
        const views = await Promise.all(peers.map((_, i) => getJson<{ peers: { state: string }[] }>(`${node(i)}/v1/peers`, 2_000)));
        return views.every((v) => v.peers.filter((p) => p.state === 'alive').length >= NAMES.length - 1);
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'every peer to list the other two alive' },
    );
  });

  after(async () => {
    await removeAll(peers);
    await network?.stop().catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('status and peers through the CLI', async () => {
    const status = await peerweave(['--node', node(0), '--json', 'status'], dir);
    assert.equal(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout.toString()) as { id: string; role: string };
    assert.match(s.id, /^[0-9a-f]{64}$/);
    assert.equal(s.role, 'peer');
    const table = await peerweave(['--node', node(1), 'peers'], dir);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.toString().trim().split('\n');
    assert.match(lines[0]!, /^ID +ADDRESS +STATE +ROLE +BUCKET$/);
    assert.equal(lines.filter((l) => / alive /.test(l)).length, 2);
  });

  it('put a 3 MiB random file via peer A (--json), get it via peer B: byte-identical', async () => {
    await writeFile(join(dir, 'random.bin'), file);
    const put = await peerweave(['--node', node(0), '--json', 'put', 'random.bin', '--keywords', 'e2e,cli'], dir);
    assert.equal(put.code, 0, put.stderr);
    const [outcome] = JSON.parse(put.stdout.toString()) as Array<{ cid: string; size: number; replicas: number; name: string }>;
    assert.ok(outcome);
    assert.match(outcome.cid, /^bafy/);
    assert.equal(outcome.size, file.length);
    assert.equal(outcome.name, 'random.bin');
    assert.ok(outcome.replicas >= 2, `replicas=${outcome.replicas}`);
    cid = outcome.cid;
    assert.match(put.stderr, /^stored random\.bin as bafy\w+ \(3\.0 MiB in [\d.]+ s, .*\/s\)\n$/);

    const get = await peerweave(['--node', node(1), '--json', 'get', cid, '-o', 'copy.bin'], dir);
    assert.equal(get.code, 0, get.stderr);
    assert.deepEqual(JSON.parse(get.stdout.toString()), { cid, bytes: file.length, file: 'copy.bin' });
    assert.equal(sha(await readFile(join(dir, 'copy.bin'))), sha(file));

    // Without -o the file takes the name it was stored under.
    const sub = await mkdtemp(join(dir, 'named-'));
    const named = await peerweave(['--node', node(2), 'get', cid], sub);
    assert.equal(named.code, 0, named.stderr);
    assert.equal(sha(await readFile(join(sub, 'random.bin'))), sha(file));
    assert.deepEqual((await readdir(sub)).sort(), ['random.bin'], 'no temporary file left');
  });

  it('cat via peer C gives the same bytes', async () => {
    const cat = await peerweave(['--node', node(2), 'cat', cid], dir);
    assert.equal(cat.code, 0, cat.stderr);
    assert.equal(sha(cat.stdout), sha(file));
  });

  it('a bad CID: the node\'s INVALID_CID on one line, exit 1', async () => {
    const r = await peerweave(['--node', node(1), 'get', 'not-a-cid'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^peerweave: .* \(HTTP 400 INVALID_CID\)\n$/);
  });

  it('search via peer C finds the file by its keywords (text and --json); a bad query is one line, exit 1', async () => {
    const text = await peerweave(['--node', node(2), 'search', 'e2e', 'cli'], dir);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout.toString(), /^CID +NAME +SIZE +SCORE\n/);
    assert.ok(text.stdout.toString().includes(cid), text.stdout.toString());
    assert.match(text.stderr, /^\d+ results? from \d+ nodes? by (flood|supernode) in \d+ ms\n$/);
    const json = await peerweave(['--node', node(1), '--json', 'search', 'rand*', '--ttl', '2'], dir);
    assert.equal(json.code, 0, json.stderr);
    const body = JSON.parse(json.stdout.toString()) as { hits: { cid: string; name: string }[]; mode: string };
    assert.ok(body.hits.some((h) => h.cid === cid && h.name === 'random.bin'));
    const bad = await peerweave(['--node', node(0), 'search', '"unbalanced'], dir);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^peerweave: .* \(HTTP 400 INVALID_QUERY\)\n$/);
  });

  it('rm via peer A, then get via peer B: exit 1 NOT_FOUND, no file', async () => {
    const del = await peerweave(['--node', node(0), 'rm', cid], dir);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout.toString(), `deleted ${cid}\n`);
    const get = await peerweave(['--node', node(1), 'get', cid, '-o', 'after-rm.bin'], dir);
    assert.equal(get.code, 1, get.stderr);
    assert.match(get.stderr, /^peerweave: .* \(HTTP 404 NOT_FOUND\)\n$/);
    await assert.rejects(readFile(join(dir, 'after-rm.bin')), { code: 'ENOENT' });
    assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.peerweave-part')), []);
  });
});
