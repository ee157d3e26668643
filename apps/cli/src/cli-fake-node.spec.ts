// The CLI as a child process against fake nodes (node:http on 127.0.0.1, port 0): real exit codes,
// real stdout and stderr. Two fake "nodes" share one store, as any real node serves any object.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';
import { EXIT } from './exit-codes.ts';
import { PART_SUFFIX } from './commands/get.ts';
import { closedPort } from './testing/closed-port.ts';
import { FakeNode, STALL_CID, type FakeStore } from './testing/fake-node.ts';
import { CLI_MAIN, runCliProcess, type CliRun } from './testing/run-cli.ts';

const oneLine = (r: CliRun): void => assert.equal(r.stderr.trimEnd().split('\n').length, 1, `expected one line on stderr, got:\n${r.stderr}`);
const partFiles = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((f) => f.endsWith(PART_SUFFIX));

describe('peerweave against fake nodes', { timeout: 180_000 }, () => {
  const store: FakeStore = new Map();
  let a: FakeNode;
  let b: FakeNode;
  let dir: string;
  const cli = (node: FakeNode, args: string[], options: Parameters<typeof runCliProcess>[1] = {}) =>
    runCliProcess(['--node', node.url, ...args], { cwd: dir, ...options });

  before(async () => {
    [a, b] = await Promise.all([FakeNode.start(store, 1), FakeNode.start(store, 2)]);
    dir = await mkdtemp(join(tmpdir(), 'peerweave-cli-'));
  });

  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('put via node A then get via node B gives byte-identical output', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(join(dir, 'random.bin'), bytes);
    const put = await cli(a, ['put', 'random.bin', '--keywords', 'holiday,beach']);
    assert.equal(put.code, EXIT.OK, put.stderr);
    const [cid, name, size, replicas] = put.stdout.toString().trim().split(/\s{2}/);
    assert.match(cid!, /^bafy[0-9a-f]{64}$/);
    assert.equal(name, 'random.bin');
    assert.equal(size, '3.0 MiB');
    assert.equal(replicas, 'replicas=3');
    // Not a terminal: one plain closing line on stderr, no bar.
    assert.match(put.stderr, /^stored random\.bin as bafy\w+ \(3\.0 MiB in [\d.]+ s, .*\/s\)\n$/);
    const upload = a.requests.find((r) => r.method === 'POST')!;
    assert.equal(upload.query.get('name'), 'random.bin');
    assert.equal(upload.query.get('keywords'), 'holiday,beach');
    assert.equal(upload.headers['content-type'], 'application/octet-stream');

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
    const sub = await mkdtemp(join(dir, 'out-'));
    const get = await cli(b, ['get', cid, '-o', sub]);
    assert.equal(get.code, EXIT.OK, get.stderr);
    assert.equal(await readFile(join(sub, 'greeting.txt'), 'utf8'), 'hello');
  });

  it('a bad CID: the node\'s 400 INVALID_CID, one line, exit 1', async () => {
    for (const cmd of [['get', 'not-a-cid!'], ['cat', 'NOPE'], ['rm', 'Zz']]) {
      const r = await cli(b, cmd);
      assert.equal(r.code, EXIT.SERVER, `${cmd.join(' ')}: ${r.stderr}`);
      oneLine(r);
      assert.match(r.stderr, /^peerweave: ".*" is not a valid CID: Non-base32 character \(HTTP 400 INVALID_CID\)\n$/);
      assert.equal(r.stdout.length, 0);
    }
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
    assert.equal(get.stderr, `peerweave: object ${cid} not found (HTTP 404 NOT_FOUND)\n`);
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
    assert.equal(a.requests.at(-1)!.query.get('q'), 'holiday beach');
  });

  it('peers and status as text', async () => {
    const peers = await cli(a, ['peers']);
    assert.equal(peers.code, EXIT.OK);
    const lines = peers.stdout.toString().trim().split('\n');
    assert.match(lines[0]!, /^ID +ADDRESS +STATE +ROLE +BUCKET$/);
    assert.equal(lines.length, 4);
    const alive = await cli(a, ['peers', '--state', 'alive']);
    assert.equal(alive.stdout.toString().trim().split('\n').length, 3);
    const status = await cli(a, ['status']);
    assert.match(status.stdout.toString(), /^role +peer$/m);
    assert.match(status.stdout.toString(), /^uptime +4m 12s$/m);
  });

  it('a stalled transfer is aborted (exit 3); the file under the final name is untouched and no temp file stays', async () => {
    await writeFile(join(dir, 'keep.bin'), 'old contents');
    const r = await cli(a, ['--stall-timeout', '500', 'get', STALL_CID, '-o', 'keep.bin']);
    assert.equal(r.code, EXIT.UNREACHABLE, r.stderr);
    oneLine(r);
    assert.match(r.stderr, new RegExp(`^peerweave: no bytes of ${STALL_CID} from node http://127\\.0\\.0\\.1:\\d+ for 0\\.5 s\\n$`));
    assert.equal(await readFile(join(dir, 'keep.bin'), 'utf8'), 'old contents');
    assert.deepEqual(await partFiles(dir), []);
  });

  it('Ctrl-C during a get: exit 130, the bytes so far stay in no file', async () => {
    let child: ChildProcess | undefined;
    const stalling = once(a, 'stalling');
    const running = cli(a, ['get', STALL_CID, '-o', 'interrupted.bin'], { onSpawn: (c) => (child = c) });
    await stalling;
    // The temporary file exists while bytes arrive, and only under its temporary name.
    assert.equal((await partFiles(dir)).length, 1);
    child!.kill('SIGINT');
    const r = await running;
    assert.equal(r.code, EXIT.INTERRUPTED);
    assert.equal(r.stderr, 'peerweave: interrupted (SIGINT)\n');
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
