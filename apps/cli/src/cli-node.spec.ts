// The CLI as a child process against real nodes: three content nodes over the in-memory network,
// each serving the node's HTTP API on 127.0.0.1 (testing/in-process-nodes.ts). Real exit codes,
// real stdout and stderr, the node's own answers and errors. Any node serves any object.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';
import * as dagPb from '@ipld/dag-pb';
import { CID } from 'multiformats/cid';
import { waitFor } from '@peerweave/core/testing';
import { EXIT } from './exit-codes.ts';
import { PART_SUFFIX } from './commands/get.ts';
import { formatDuration } from './format.ts';
import { closedPort } from './testing/closed-port.ts';
import { InProcessNodes, type InProcessNode } from './testing/in-process-nodes.ts';
import { CLI_MAIN, runCliProcess, type CliRun } from './testing/run-cli.ts';

const oneLine = (r: CliRun): void => assert.equal(r.stderr.trimEnd().split('\n').length, 1, `expected one line on stderr, got:\n${r.stderr}`);
const partFiles = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((f) => f.endsWith(PART_SUFFIX));

describe('peerweave against in-process nodes', { timeout: 180_000 }, () => {
  let nodes: InProcessNodes;
  let a: InProcessNode;
  let b: InProcessNode;
  let dir: string;
  const cli = (node: InProcessNode, args: string[], options: Parameters<typeof runCliProcess>[1] = {}) =>
    runCliProcess(['--node', node.url, ...args], { cwd: dir, ...options });
  const meta = async (node: InProcessNode, cid: string) => (await fetch(`${node.url}/v1/objects/${cid}/meta`)).json() as Promise<Record<string, unknown>>;

  /**
   * A transfer that stalls, as when the nodes holding a block stop answering: `node` loses the
   * last leaf of a fresh object (it holds every block: r = 3 of 3 nodes) and every other node is
   * paused. The node's swarm asks the paused nodes for that leaf (and maybe for others it holds:
   * it schedules leaves over every source), so it sends some bytes, or none, then waits on the
   * network. The manual clock does not move, so no deadline ends the wait: only the CLI gives up.
   */
  async function stalledObject(node: InProcessNode): Promise<{ cid: string; resume: () => void }> {
    const put = await fetch(`${a.url}/v1/objects?name=stalled.bin`, { method: 'POST', body: randomBytes(4 * 256 * 1024) });
    assert.equal(put.status, 201);
    const { cid } = (await put.json()) as { cid: string };
    // The put is acknowledged after w = 2 copies: the node waits for its own (record and blocks).
    const root = await waitFor(() => node.member.db.getRecord(cid) && node.member.blocks.get(CID.parse(cid)), { what: `${cid} on ${node.url}` });
    // The root lists the leaves in file order: the last one goes.
    const leaves = dagPb.decode(root).Links;
    assert.ok(leaves.length >= 4, `${leaves.length} leaves`);
    await waitFor(async () => (await Promise.all(leaves.map((l) => node.member.blocks.has(l.Hash)))).every(Boolean), { what: 'every leaf' });
    assert.equal(await node.member.blocks.delete(leaves.at(-1)!.Hash), true);
    const others = nodes.nodes.filter((n) => n !== node).map((n) => n.member.address);
    for (const address of others) nodes.cluster.network.pause(address);
    return { cid, resume: () => others.forEach((address) => nodes.cluster.network.resume(address)) };
  }

  before(async () => {
    nodes = await InProcessNodes.start(3);
    [a, b] = nodes.nodes as [InProcessNode, InProcessNode];
    dir = await mkdtemp(join(tmpdir(), 'peerweave-cli-'));
  });

  after(async () => {
    await nodes?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('put via node A then get via node B gives byte-identical output', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(join(dir, 'random.bin'), bytes);
    const put = await cli(a, ['put', 'random.bin', '--keywords', 'holiday,beach']);
    assert.equal(put.code, EXIT.OK, put.stderr);
    const [cid, name, size, replicas] = put.stdout.toString().trim().split(/\s{2}/);
    assert.doesNotThrow(() => CID.parse(cid!), cid);
    assert.equal(name, 'random.bin');
    assert.equal(size, '3.0 MiB');
    assert.equal(replicas, 'replicas=3');
    // Not a terminal: one plain closing line on stderr, no bar.
    assert.match(put.stderr, /^stored random\.bin as bafy\w+ \(3\.0 MiB in [\d.]+ s, .*\/s\)\n$/);
    const upload = a.requests.find((r) => r.method === 'POST')!;
    assert.equal(upload.query.get('name'), 'random.bin');
    assert.equal(upload.query.get('keywords'), 'holiday,beach');
    assert.equal(upload.headers['content-type'], 'application/octet-stream');
    // What the node stored, as any node reports it.
    assert.deepEqual(
      { ...(await meta(b, cid!)), created: undefined, uploader: undefined, blocks: undefined },
      { cid, name: 'random.bin', contentType: 'application/octet-stream', size: bytes.length, keywords: ['holiday', 'beach'], created: undefined, uploader: undefined, blocks: undefined },
    );

    const get = await cli(b, ['get', cid!, '-o', 'copy.bin']);
    assert.equal(get.code, EXIT.OK, get.stderr);
    assert.equal(get.stdout.toString(), `${cid}  copy.bin  3.0 MiB\n`);
    assert.ok((await readFile(join(dir, 'copy.bin'))).equals(bytes), 'same bytes');
    assert.deepEqual(await partFiles(dir), []);

    const cat = await cli(b, ['cat', cid!]);
    assert.equal(cat.code, EXIT.OK);
    assert.ok(cat.stdout.equals(bytes), 'cat gives the same bytes');
    assert.equal(cat.stderr, '');

    // A reader that goes away early (`peerweave cat CID | head -c 10`) is not an error.
    const early = spawn(process.execPath, [CLI_MAIN, '--node', b.url, 'cat', cid!], { stdio: ['ignore', 'pipe', 'pipe'] });
    const earlyErr: Buffer[] = [];
    early.stderr.on('data', (d: Buffer) => earlyErr.push(d));
    early.stdout.once('data', () => early.stdout.destroy());
    const [earlyCode] = (await once(early, 'close')) as [number];
    assert.equal(earlyCode, EXIT.OK, Buffer.concat(earlyErr).toString());
    assert.equal(Buffer.concat(earlyErr).toString(), '');
  });

  it('--json: put gives an array of outcomes, get {cid, bytes, file}; both parse', async () => {
    await writeFile(join(dir, 'one.txt'), 'one\n');
    await writeFile(join(dir, 'two.json'), '{"two":2}');
    const put = await cli(a, ['--json', 'put', 'one.txt', 'two.json']);
    assert.equal(put.code, EXIT.OK, put.stderr);
    const outcomes = JSON.parse(put.stdout.toString()) as Array<{ cid: string; size: number; replicas: number; name: string }>;
    assert.deepEqual(
      outcomes.map((o) => [o.name, o.size, o.replicas]),
      [
        ['one.txt', 4, 3],
        ['two.json', 9, 3],
      ],
    );
    const types = a.requests.filter((r) => r.method === 'POST').slice(-2).map((r) => r.headers['content-type']);
    assert.deepEqual(types, ['text/plain; charset=utf-8', 'application/json']);
    assert.deepEqual(
      await Promise.all(outcomes.map(async (o) => (await meta(b, o.cid)).contentType)),
      ['text/plain; charset=utf-8', 'application/json'],
    );

    // No -o: the file takes the object's stored name (from /meta), in the current directory.
    await rm(join(dir, 'one.txt'));
    const get = await cli(b, ['get', outcomes[0]!.cid, '--json']);
    assert.equal(get.code, EXIT.OK, get.stderr);
    assert.deepEqual(JSON.parse(get.stdout.toString()), { cid: outcomes[0]!.cid, bytes: 4, file: 'one.txt' });
    assert.equal(await readFile(join(dir, 'one.txt'), 'utf8'), 'one\n');
    // A name chosen by the network never replaces a file; -o does, as asked.
    const again = await cli(b, ['get', outcomes[0]!.cid]);
    assert.equal(again.code, EXIT.LOCAL_FILE);
    assert.equal(again.stderr, 'peerweave: one.txt already exists: pass -o FILE to replace it or to choose another name\n');
    await writeFile(join(dir, 'one.txt'), 'changed');
    assert.equal((await cli(b, ['-q', 'get', outcomes[0]!.cid, '-o', 'one.txt'])).code, EXIT.OK);
    assert.equal(await readFile(join(dir, 'one.txt'), 'utf8'), 'one\n');

    for (const args of [['status'], ['peers'], ['--json', 'rm', outcomes[1]!.cid]]) {
      const r = await cli(b, ['--json', ...args]);
      assert.equal(r.code, EXIT.OK, r.stderr);
      assert.doesNotThrow(() => JSON.parse(r.stdout.toString()), args.join(' '));
    }
  });

  it('--name, --type and a directory as -o', async () => {
    await writeFile(join(dir, 'data'), 'hello');
    const put = await cli(a, ['--quiet', 'put', 'data', '--name', 'greeting.txt', '--type', 'text/x-greeting']);
    assert.equal(put.code, EXIT.OK, put.stderr);
    assert.equal(put.stderr, '', '--quiet: nothing on stderr');
    const upload = a.requests.filter((r) => r.method === 'POST').at(-1)!;
    assert.equal(upload.query.get('name'), 'greeting.txt');
    assert.equal(upload.query.get('type'), 'text/x-greeting');
    assert.equal(upload.headers['content-type'], 'text/x-greeting');
    const cid = put.stdout.toString().split(/\s+/)[0]!;
    const stored = await meta(b, cid);
    assert.equal(stored.name, 'greeting.txt');
    assert.equal(stored.contentType, 'text/x-greeting');
    const sub = await mkdtemp(join(dir, 'out-'));
    const get = await cli(b, ['get', cid, '-o', sub]);
    assert.equal(get.code, EXIT.OK, get.stderr);
    assert.equal(await readFile(join(sub, 'greeting.txt'), 'utf8'), 'hello');
  });

  it('a bad CID: the node\'s 400 INVALID_CID, one line, exit 1', async () => {
    for (const cmd of [['get', 'not-a-cid!'], ['cat', 'NOPE'], ['rm', 'Zz'], ['get', 'bafyNOTBASE32', '-o', 'x.bin']]) {
      const r = await cli(b, cmd);
      assert.equal(r.code, EXIT.SERVER, `${cmd.join(' ')}: ${r.stderr}`);
      oneLine(r);
      assert.match(r.stderr, /^peerweave: .+ \(HTTP 400 INVALID_CID\)\n$/);
      assert.equal(r.stdout.length, 0);
    }
    assert.deepEqual(await partFiles(dir), []);
  });

  it('rm, then get: exit 1 NOT_FOUND and no file left behind', async () => {
    await writeFile(join(dir, 'doomed.bin'), randomBytes(1000));
    const put = await cli(a, ['-q', 'put', 'doomed.bin']);
    const cid = put.stdout.toString().split(/\s+/)[0]!;
    const rmr = await cli(b, ['rm', cid]);
    assert.equal(rmr.code, EXIT.OK, rmr.stderr);
    assert.equal(rmr.stdout.toString(), `deleted ${cid}\n`);
    const get = await cli(a, ['get', cid, '-o', 'gone.bin']);
    assert.equal(get.code, EXIT.SERVER);
    oneLine(get);
    assert.equal(get.stderr, `peerweave: object ${cid} was deleted (HTTP 404 NOT_FOUND)\n`);
    const never = await cli(a, ['cat', 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy']);
    assert.equal(never.code, EXIT.SERVER);
    assert.match(never.stderr, /^peerweave: .+ \(HTTP 404 NOT_FOUND\)\n$/);
    await assert.rejects(readFile(join(dir, 'gone.bin')), { code: 'ENOENT' });
    assert.deepEqual(await partFiles(dir), []);
  });

  it('an unreachable node (a closed port): one line naming it, exit 3', async () => {
    const port = await closedPort();
    for (const args of [['status'], ['get', 'bafyabc', '-o', 'x.bin'], ['put', 'data']]) {
      const r = await runCliProcess(['--node', `http://127.0.0.1:${port}`, ...args], { cwd: dir });
      assert.equal(r.code, EXIT.UNREACHABLE, r.stderr);
      oneLine(r);
      assert.equal(r.stderr, `peerweave: cannot reach node http://127.0.0.1:${port}: ECONNREFUSED\n`);
    }
    assert.deepEqual(await partFiles(dir), []);
  });

  it('search on a node without it: a clear line, exit 1', async () => {
    const r = await cli(a, ['search', 'holiday', 'beach']);
    assert.equal(r.code, EXIT.SERVER);
    assert.equal(r.stderr, 'peerweave: search is not available on this node (HTTP 404 NOT_FOUND)\n');
    const asked = a.requests.at(-1)!;
    assert.equal(asked.path, '/v1/search');
    assert.equal(asked.query.get('q'), 'holiday beach');
  });

  it('peers and status as text', async () => {
    const peers = await cli(a, ['peers']);
    assert.equal(peers.code, EXIT.OK, peers.stderr);
    const lines = peers.stdout.toString().trim().split('\n');
    assert.match(lines[0]!, /^ID +ADDRESS +STATE +ROLE +BUCKET$/);
    // The two other nodes, then the count line.
    assert.equal(lines.length, 4);
    for (const other of [b, nodes.nodes[2]!]) {
      assert.match(peers.stdout.toString(), new RegExp(`^${other.member.id.slice(0, 12)} +${other.member.address} +alive +peer +\\d+$`, 'm'));
    }
    assert.equal(lines[3], `2 peers known to ${a.member.id.slice(0, 12)}`);
    const alive = await cli(a, ['peers', '--state', 'alive']);
    assert.equal(alive.stdout.toString().trim().split('\n').length, 4);
    const dead = await cli(a, ['peers', '--state', 'dead']);
    assert.equal(dead.code, EXIT.OK, dead.stderr);
    assert.equal(a.requests.at(-1)!.query.get('state'), 'dead');
    assert.match(dead.stdout.toString(), /^0 peers known to /m);

    // Uptime is the node's clock (manual here): 252.5 s after it started.
    await nodes.cluster.advance(252_500 - (nodes.cluster.clock.now() - a.startedAtMs), 500);
    const status = await cli(a, ['status']);
    assert.equal(status.code, EXIT.OK, status.stderr);
    assert.match(status.stdout.toString(), /^role +peer$/m);
    assert.match(status.stdout.toString(), new RegExp(`^id +${a.member.id}$`, 'm'));
    assert.match(status.stdout.toString(), new RegExp(`^http +${a.url.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(status.stdout.toString(), new RegExp(`^uptime +${formatDuration(252_500)}$`, 'm'));
    assert.match(status.stdout.toString(), /^uptime +4m 12s$/m);
  });

  it('a stalled transfer is aborted (exit 3); the file under the final name is untouched and no temp file stays', async () => {
    await writeFile(join(dir, 'keep.bin'), 'old contents');
    const { cid, resume } = await stalledObject(b);
    try {
      const r = await cli(b, ['--stall-timeout', '500', 'get', cid, '-o', 'keep.bin']);
      assert.equal(r.code, EXIT.UNREACHABLE, r.stderr);
      oneLine(r);
      assert.equal(r.stderr, `peerweave: no bytes of ${cid} from node ${b.url} for 0.5 s\n`);
    } finally {
      resume();
    }
    assert.equal(await readFile(join(dir, 'keep.bin'), 'utf8'), 'old contents');
    assert.deepEqual(await partFiles(dir), []);
  });

  it('Ctrl-C during a get: exit 130, the bytes so far stay in no file', async () => {
    let child: ChildProcess | undefined;
    const { cid, resume } = await stalledObject(b);
    try {
      const running = cli(b, ['get', cid, '-o', 'interrupted.bin'], { onSpawn: (c) => (child = c) });
      // The temporary file exists while the transfer runs, and only under its temporary name.
      await waitFor(() => b.requests.some((r) => r.method === 'GET' && r.path === `/v1/objects/${cid}`), { what: 'the get at the node' });
      assert.equal((await partFiles(dir)).length, 1);
      child!.kill('SIGINT');
      const r = await running;
      assert.equal(r.code, EXIT.INTERRUPTED);
      assert.equal(r.stderr, 'peerweave: interrupted (SIGINT)\n');
    } finally {
      resume();
    }
    await assert.rejects(readFile(join(dir, 'interrupted.bin')), { code: 'ENOENT' });
    assert.deepEqual(await partFiles(dir), []);
  });

  it('a directory it cannot write to: exit 4, nothing fetched', async () => {
    await writeFile(join(dir, 'small'), 'x');
    const cid = (await cli(a, ['-q', 'put', 'small'])).stdout.toString().split(/\s+/)[0]!;
    const locked = await mkdtemp(join(dir, 'locked-'));
    await chmod(locked, 0o500);
    try {
      const r = await cli(b, ['get', cid, '-o', join(locked, 'small')]);
      if (process.getuid?.() === 0) {
        // root writes anywhere: the permission check cannot be provoked, the get just works
        assert.equal(r.code, EXIT.OK, r.stderr);
      } else {
        assert.equal(r.code, EXIT.LOCAL_FILE, r.stderr);
        oneLine(r);
      }
      const missing = await cli(b, ['get', cid, '-o', join(dir, 'no', 'such', 'dir', 'f')]);
      assert.equal(missing.code, EXIT.LOCAL_FILE, missing.stderr);
      oneLine(missing);
      assert.match(missing.stderr, /^peerweave: cannot write .*: no such file or directory \(ENOENT\)\n$/);
    } finally {
      await chmod(locked, 0o700);
    }
  });

  it('the bin runs through a symlink elsewhere, as `npm i -g` links it', async () => {
    const bin = fileURLToPath(new URL('../bin/peerweave.mjs', import.meta.url));
    const link = join(dir, 'peerweave');
    await symlink(bin, link);
    const child = spawn(link, ['--node', a.url, 'status', '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${process.execPath.replace(/\/node$/, '')}:${process.env.PATH}` } });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    const [code] = (await once(child, 'close')) as [number];
    assert.equal(code, EXIT.OK);
    assert.equal((JSON.parse(Buffer.concat(out).toString()) as { role: string }).role, 'peer');
  });
});
