// deploy/prometheus/ checked by Prometheus's own tool, promtool 2.42, from the image setup builds
// (scripts/setup.d/20-prometheus.sh), so the checks run the same version as the Compose profile:
// `promtool check config`, `check rules`, `test rules` (a unit test for every alert), and
// `check metrics` on a real node's scrape. Also: every metric the rules use is one the node
// exports, and every alert carries what an operator needs (severity, summary, description, runbook).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { loadNodeConfig } from '@peerweave/config';
import { startNode, type PeerNode } from '../apps/peer/src/node.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONFIG_DIR = join(ROOT, 'deploy/prometheus');
/** Built by scripts/setup.d/20-prometheus.sh; the same name is in docker-compose.yml. */
const IMAGE = 'peerweave-prometheus:latest';
const SETUP_HINT = `run \`bash scripts/setup.sh\` (as root): it builds ${IMAGE}, which carries promtool`;

interface Run {
  code: number | null;
  output: string;
}

/** promtool in a throw-away container, deploy/prometheus mounted read-only as /etc/prometheus. */
function promtool(args: string[], stdin?: string): Promise<Run> {
  const child = spawn(
    'docker',
    ['run', '--rm', '-i', '--network', 'none', '-v', `${CONFIG_DIR}:/etc/prometheus:ro`, '-w', '/etc/prometheus', '--entrypoint', '/usr/bin/promtool', IMAGE, ...args],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Fails with promtool's own output, which says what is wrong and where. */
function assertSucceeded(run: Run, what: string): void {
  assert.equal(run.code, 0, `${what} failed (exit ${run.code}):\n${run.output}`);
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

async function yamlFiles(dir: string): Promise<string[]> {
  return (await readdir(join(CONFIG_DIR, dir))).filter((f) => f.endsWith('.yml')).map((f) => `${dir}/${f}`).sort();
}

async function rules(): Promise<Rule[]> {
  const all: Rule[] = [];
  for (const file of await yamlFiles('rules')) {
    const doc = parse(await readFile(join(CONFIG_DIR, file), 'utf8')) as { groups: { rules: Rule[] }[] };
    for (const group of doc.groups) all.push(...group.rules);
  }
  return all;
}

describe('deploy/prometheus with promtool', { timeout: 120_000 }, () => {
  before(async () => {
    const inspect = await promisify(execFile)('docker', ['image', 'inspect', '-f', '{{.Id}}', IMAGE]).catch((err: Error) => err);
    if (inspect instanceof Error) {
      throw new Error(`promtool is missing: the image ${IMAGE} is not there or docker does not answer; ${SETUP_HINT}.\n${inspect.message}`);
    }
  });

  it('promtool check config: prometheus.yml and the rule files it loads are valid', async () => {
    const run = await promtool(['check', 'config', 'prometheus.yml']);
    assertSucceeded(run, 'promtool check config prometheus.yml');
    const files = await yamlFiles('rules');
    assert.match(run.output, new RegExp(`SUCCESS: ${files.length} rule files found`), 'loads every file in rules/');
  });

  it('promtool check rules: every rule file is valid', async () => {
    assertSucceeded(await promtool(['check', 'rules', ...(await yamlFiles('rules'))]), 'promtool check rules');
  });

  it('promtool test rules: the unit tests in tests/ pass', async () => {
    const files = await yamlFiles('tests');
    assert.ok(files.length > 0);
    assertSucceeded(await promtool(['test', 'rules', ...files]), `promtool test rules ${files.join(' ')}`);
  });

  it('every alert has a unit test in which it fires', async () => {
    const fired = new Set<string>();
    for (const file of await yamlFiles('tests')) {
      const doc = parse(await readFile(join(CONFIG_DIR, file), 'utf8')) as { tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] };
      for (const t of doc.tests) for (const a of t.alert_rule_test ?? []) if (a.exp_alerts.length > 0) fired.add(a.alertname);
    }
    const alerts = (await rules()).filter((r) => r.alert !== undefined).map((r) => r.alert!);
    assert.ok(alerts.length >= 5);
    assert.deepEqual(alerts.filter((a) => !fired.has(a)), [], 'alerts with no test expecting them to fire');
  });

  it('every alert has a severity, a summary, a description and a runbook, and a `for`', async () => {
    for (const rule of (await rules()).filter((r) => r.alert !== undefined)) {
      assert.match(rule.labels?.severity ?? '', /^(critical|warning)$/, `${rule.alert}: severity`);
      for (const key of ['summary', 'description', 'runbook']) assert.ok((rule.annotations?.[key] ?? '').length > 20, `${rule.alert}: annotation ${key}`);
      assert.match(rule.for ?? '', /^\d+[sm]$/, `${rule.alert}: for`);
    }
  });

  it('every peerweave_ metric the rules use is one the node declares', async () => {
    const sources = await Promise.all(
      (await readdir(join(ROOT, 'libs'), { recursive: true }))
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
        .map((f) => readFile(join(ROOT, 'libs', f), 'utf8')),
    );
    const declared = new Set([...sources.join('\n').matchAll(/name: '(peerweave_[a-z0-9_]+)'/g)].map((m) => m[1]!));
    const used = new Set<string>();
    for (const rule of await rules()) {
      // Recording rule names (level:metric:ops) contain colons and are not node metrics.
      for (const m of rule.expr.matchAll(/(?<![:\w])(peerweave_[a-z0-9_]+)(?![:\w])/g)) used.add(m[1]!.replace(/_(bucket|sum|count)$/, ''));
    }
    assert.ok(used.size >= 10, `found ${used.size} metrics in the rules`);
    assert.deepEqual([...used].filter((n) => !declared.has(n)).sort(), [], 'metrics the rules use that no lib declares');
  });

  describe('promtool check metrics on a node’s scrape', () => {
    let node: PeerNode | undefined;
    let dir = '';
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'pw-promtool-'));
      node = await startNode(loadNodeConfig({ PEERWEAVE_PRESET: 'test', PEERWEAVE_INSECURE: 'true', PEERWEAVE_DATA_DIR: dir, PEERWEAVE_LOG_LEVEL: 'silent' }));
    });
    after(async () => {
      await node?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('finds nothing against Prometheus naming conventions in the peerweave_ metrics', async () => {
      const text = await (await fetch(`${node!.httpUrl}/metrics`)).text();
      const run = await promtool(['check', 'metrics'], text);
      // prom-client's own nodejs_active_*_total gauges break the _total rule; they are not ours.
      const problems = run.output.split('\n').filter((l) => l.trim() !== '' && !/^nodejs_/.test(l));
      assert.deepEqual(problems, [], run.output);
      assert.match(text, /^peerweave_node_info\{/m);
    });
  });
});
