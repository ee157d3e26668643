// Argument parsing, usage errors and node selection, in-process (runCli with captured streams).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT } from './exit-codes.ts';
import { FALLBACK_NODE_URL, normalizeNodeUrl, resolveNode } from './node-url.ts';
import { NodeClient } from './node-client.ts';
import { closedPort } from './testing/closed-port.ts';
import { oneLine, runCliInProcess } from './testing/run-cli-in-process.ts';

const run = (args: string[], env: Record<string, string> = {}) => runCliInProcess(args, { env });


describe('peerweave argument parsing', () => {
  it('--help lists every command and the exit codes, exit 0', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, EXIT.OK);
    for (const cmd of ['put', 'get', 'cat', 'search', 'peers', 'status', 'rm', 'cluster']) assert.match(r.stdout, new RegExp(`^  ${cmd}\\b`, 'm'));
    assert.match(r.stdout, /Exit codes:\n {2}0 {2}ok\n {2}1 /);
    assert.match(r.stdout, /--timeout <ms>/);
  });

  it('every command has --help (exit 0)', async () => {
    for (const cmd of ['put', 'get', 'cat', 'search', 'peers', 'status', 'rm', 'cluster']) {
      const r = await run([cmd, '--help']);
      assert.equal(r.code, EXIT.OK, cmd);
      assert.match(r.stdout, new RegExp(`^Usage: peerweave ${cmd}`, 'm'));
    }
    assert.equal((await run(['help', 'get'])).code, EXIT.OK);
  });

  it('--version prints the workspace version', async () => {
    const r = await run(['--version']);
    assert.equal(r.code, EXIT.OK);
    assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+/);
  });

  const usageErrors: Array<[string[], RegExp]> = [
    [[], /Usage: peerweave/],
    [['frob'], /^peerweave: unknown command 'frob' \(see peerweave --help\)$/],
    [['status', '--bogus'], /^peerweave: unknown option '--bogus' \(see peerweave status --help\)$/],
    [['put'], /^peerweave: missing required argument 'file' \(see peerweave put --help\)$/],
    [['get'], /missing required argument 'cid'/],
    [['--timeout', 'soon', 'status'], /--timeout expects a positive number of milliseconds/],
    [['--timeout', '0', 'status'], /--timeout expects a positive number/],
    [['peers', '--state', 'sleepy'], /Allowed choices are alive, suspect, dead, left/],
    [['search', 'x', '--ttl', 'far'], /argument 'far' is invalid\. --ttl expects a whole number/],
    [['search', 'x', '--mode', 'shout'], /Allowed choices are auto, supernode, flood/],
    [['put', 'a', 'b', '--name', 'x'], /^peerweave: --name names one file/],
    [['--node', 'ftp://x', 'status'], /^peerweave: --node: "ftp:\/\/x" is not a node URL/],
    [['cluster', 'sideways'], /^peerweave: cluster: unknown action "sideways"/],
    [['cluster', 'up', 'many'], /^peerweave: cluster up: N must be a positive number of peers, got "many"/],
    [['cluster', 'down', '3'], /^peerweave: cluster down takes no argument/],
  ];
  for (const [args, message] of usageErrors) {
    it(`usage error, exit 2: peerweave ${args.join(' ')}`, async () => {
      const r = await run(args);
      assert.equal(r.code, EXIT.USAGE, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr.trimEnd(), message);
      if (args.length > 0) oneLine(r.stderr);
    });
  }

  it('a local file that cannot be read is exit 4, before anything is sent', async () => {
    const r = await run(['--node', 'http://127.0.0.1:9', 'put', '/no/such/file.bin']);
    assert.equal(r.code, EXIT.LOCAL_FILE);
    assert.equal(r.stderr, 'peerweave: cannot read /no/such/file.bin: no such file or directory (ENOENT)\n');
  });

  it('cluster needs the checkout (exit 4 when the CLI was copied away from it)', async () => {
    const r = await run(['cluster', 'ps']);
    assert.equal(r.code, EXIT.LOCAL_FILE);
    assert.match(r.stderr, /^peerweave: cluster needs the Peerweave checkout/);
  });
});

describe('which node', () => {
  const compose = (answer: string | undefined) => async () => answer;

  it('--node, then PEERWEAVE_NODE, then the first Compose peer, then 127.0.0.1:8080', async () => {
    const all = { flag: 'http://a:1', env: 'http://b:2', repoRoot: '/repo', composePort: compose('127.0.0.1:32768') };
    assert.deepEqual(await resolveNode(all), { url: 'http://a:1', source: 'flag' });
    assert.deepEqual(await resolveNode({ ...all, flag: undefined }), { url: 'http://b:2', source: 'env' });
    assert.deepEqual(await resolveNode({ ...all, flag: undefined, env: '' }), { url: 'http://127.0.0.1:32768', source: 'compose' });
    assert.deepEqual(await resolveNode({ ...all, flag: undefined, env: undefined, composePort: compose(undefined) }), {
      url: FALLBACK_NODE_URL,
      source: 'fallback',
    });
    assert.deepEqual(await resolveNode({ repoRoot: undefined }), { url: FALLBACK_NODE_URL, source: 'fallback' });
  });

  it('host:port gets http://, a trailing slash goes, a path stays', () => {
    assert.equal(normalizeNodeUrl('127.0.0.1:8080', '--node'), 'http://127.0.0.1:8080');
    assert.equal(normalizeNodeUrl('http://node.example:8080/', '--node'), 'http://node.example:8080');
    assert.equal(normalizeNodeUrl('https://gw.example/peerweave/', '--node'), 'https://gw.example/peerweave');
    assert.throws(() => normalizeNodeUrl('http://x:1/?a=b', '--node'), /must not have a query/);
  });

  it('an unreachable node named by PEERWEAVE_NODE: exit 3, one line naming it and where it came from', async () => {
    const port = await closedPort();
    const r = await run(['status'], { PEERWEAVE_NODE: `127.0.0.1:${port}` });
    assert.equal(r.code, EXIT.UNREACHABLE);
    oneLine(r.stderr);
    assert.equal(r.stderr, `peerweave: cannot reach node http://127.0.0.1:${port}: ECONNREFUSED (from PEERWEAVE_NODE)\n`);
  });

  it('the default node: the error says it was the default and how to pick another', () => {
    const client = new NodeClient({ baseUrl: FALLBACK_NODE_URL, source: 'fallback' });
    const err = client.translate(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }));
    assert.equal(err.exitCode, EXIT.UNREACHABLE);
    assert.match(err.message, /^cannot reach node http:\/\/127\.0\.0\.1:8080: ECONNREFUSED \(the default: .*pass --node URL\)$/);
  });
});
