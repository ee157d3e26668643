// `peerweave cluster ca init` and `issue`: the files, their modes, refusal to overwrite a CA, and a
// certificate that verifies against the CA for the node key given (in-process, plus one real process).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Identity, KEY_FILE, verifyNodeCertificate } from '@peerweave/identity';
import { parseValidity } from './commands/cluster-ca.ts';
import { EXIT } from './exit-codes.ts';
import { runCliProcess } from './testing/run-cli.ts';
import { runCliInProcess } from './testing/run-cli-in-process.ts';

const DAY = 24 * 60 * 60 * 1000;

const run = (args: string[], cwd: string) => runCliInProcess(args, { cwd });


describe('peerweave cluster ca', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pw-cli-ca-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('init writes DIR/ca.crt and DIR/ca.key (0600), prints their paths; a second init refuses, exit 4, files untouched', async () => {
    const r = await run(['cluster', 'ca', 'init', 'ca'], dir);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [join(dir, 'ca', 'ca.crt'), join(dir, 'ca', 'ca.key')]);
    assert.match(r.stderr, /cluster CA made \(SHA-256 [0-9a-f]{64}\)\. ca\.key admits nodes/);
    assert.equal((await stat(join(dir, 'ca', 'ca.key'))).mode & 0o777, 0o600);
    const certPem = await readFile(join(dir, 'ca', 'ca.crt'), 'utf8');
    assert.equal(new X509Certificate(certPem).ca, true);
    const keyBefore = await readFile(join(dir, 'ca', 'ca.key'), 'utf8');

    const again = await run(['cluster', 'ca', 'init', 'ca'], dir);
    assert.equal(again.code, EXIT.LOCAL_FILE);
    assert.equal(again.stdout, '');
    assert.match(again.stderr, /^peerweave: .*ca\.crt already exists: refusing to overwrite a cluster CA/);
    assert.equal(await readFile(join(dir, 'ca', 'ca.key'), 'utf8'), keyBefore);
    assert.equal(await readFile(join(dir, 'ca', 'ca.crt'), 'utf8'), certPem);

    // Only the key left behind (a half-copied directory): still refused.
    await mkdir(join(dir, 'half'));
    await writeFile(join(dir, 'half', 'ca.key'), 'x', { mode: 0o600 });
    assert.equal((await run(['cluster', 'ca', 'init', 'half'], dir)).code, EXIT.LOCAL_FILE);
  });

  it('issue: a certificate for the node key (--node-key or --data-dir), verifying against the CA; --json', async () => {
    await run(['cluster', 'ca', 'init', 'ca2', '--name', 'Test CA'], dir);
    const caPem = await readFile(join(dir, 'ca2', 'ca.crt'), 'utf8');
    const node = Identity.generate();
    await mkdir(join(dir, 'data'));
    await writeFile(join(dir, 'data', KEY_FILE), node.toPem(), { mode: 0o600 });

    const r = await run(['cluster', 'ca', 'issue', '--ca', 'ca2', '--data-dir', 'data', '--out', 'node.crt'], dir);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.equal(r.stdout.trim(), join(dir, 'node.crt'));
    assert.match(r.stderr, new RegExp(`certificate for node ${node.id.toHex()}, valid until`));
    const issued = await readFile(join(dir, 'node.crt'), 'utf8');
    const { nodeId, notAfter } = await verifyNodeCertificate(caPem, issued);
    assert.ok(nodeId.equals(node.id));
    assert.ok(Math.abs(notAfter.getTime() - Date.now() - 30 * DAY) < 120_000, 'default 30 days');
    assert.equal(new X509Certificate(issued).issuer, 'CN=Test CA');

    // --node-key, --validity, --json; --out is replaced (a renewal).
    const j = await run(['--json', 'cluster', 'ca', 'issue', '--ca', 'ca2', '--node-key', join('data', KEY_FILE), '--validity', '12h', '--out', 'node.crt'], dir);
    assert.equal(j.code, EXIT.OK, j.stderr);
    const doc = JSON.parse(j.stdout) as { cert: string; nodeId: string; notAfter: string };
    assert.equal(doc.nodeId, node.id.toHex());
    assert.equal(doc.cert, join(dir, 'node.crt'));
    assert.ok(Math.abs(Date.parse(doc.notAfter) - Date.now() - DAY / 2) < 120_000);
    assert.notEqual(await readFile(join(dir, 'node.crt'), 'utf8'), issued);
  });

  it('issue: bad usage is exit 2, missing or wrong files exit 4, with one clear line', async () => {
    await run(['cluster', 'ca', 'init', 'ca3'], dir);
    const node = Identity.generate();
    await writeFile(join(dir, 'n.key'), node.toPem(), { mode: 0o600 });
    await writeFile(join(dir, 'not-a-key'), 'hello');
    const cases: Array<[string[], number, RegExp]> = [
      [['--ca', 'ca3', '--out', 'x.crt'], EXIT.USAGE, /give exactly one of --node-key FILE or --data-dir DIR/],
      [['--ca', 'ca3', '--node-key', 'n.key', '--data-dir', '.', '--out', 'x.crt'], EXIT.USAGE, /give exactly one/],
      [['--ca', 'ca3', '--node-key', 'n.key', '--validity', 'forever', '--out', 'x.crt'], EXIT.USAGE, /--validity expects a duration like 12h or 30d/],
      [['--ca', 'ca3', '--node-key', 'n.key'], EXIT.USAGE, /required option '--out <file>' not specified/],
      [['--ca', 'nowhere', '--node-key', 'n.key', '--out', 'x.crt'], EXIT.LOCAL_FILE, /cannot read .*nowhere\/ca\.crt: no such file/],
      [['--ca', 'ca3', '--node-key', 'missing.key', '--out', 'x.crt'], EXIT.LOCAL_FILE, /cannot read .*missing\.key/],
      [['--ca', 'ca3', '--node-key', 'not-a-key', '--out', 'x.crt'], EXIT.LOCAL_FILE, /not-a-key does not hold a node key/],
      [['--ca', 'ca3', '--node-key', 'n.key', '--out', 'no/such/dir/x.crt'], EXIT.LOCAL_FILE, /cannot write/],
    ];
    for (const [args, code, message] of cases) {
      const r = await run(['cluster', 'ca', 'issue', ...args], dir);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    }
  });

  it('durations: s, m, h, d between 1 minute and 3650 days', () => {
    assert.equal(parseValidity('90s'), 90_000);
    assert.equal(parseValidity('30m'), 30 * 60_000);
    assert.equal(parseValidity('12h'), DAY / 2);
    assert.equal(parseValidity('30d'), 30 * DAY);
    for (const bad of ['59s', '3651d', '0d', '1w', '1.5h', '', '-1d']) assert.throws(() => parseValidity(bad), /--validity/, bad);
  });

  it('as a real process: init, then init again exits 4', async () => {
    const first = await runCliProcess(['cluster', 'ca', 'init', join(dir, 'proc')]);
    assert.equal(first.code, EXIT.OK, first.stderr);
    const second = await runCliProcess(['cluster', 'ca', 'init', join(dir, 'proc')]);
    assert.equal(second.code, EXIT.LOCAL_FILE);
    assert.match(second.stderr, /refusing to overwrite a cluster CA/);
  });
});
