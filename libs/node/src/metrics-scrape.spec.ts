// Bad input for the monitoring side: Prometheus scrapes a node whenever discovery finds it, also
// the moment its HTTP API listens (the last component to start: the others' gauges were registered
// before they could answer, and a failing callback gives NaN, see libs/telemetry), while it cannot
// join, and while it drains. Every such scrape must be valid exposition text, never a 500.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNodeConfig, type NodeConfig } from '@peerweave/config';
import { waitFor } from '@peerweave/core/testing';
import { startNode as start } from './start-node.ts';

const startNode = (config: NodeConfig) => start({ config });

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const VALUE = String.raw`(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN|Nan|nan)`;
const LABEL = String.raw`[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"`;
const SAMPLE = new RegExp(String.raw`^(${NAME})(?:\{(?:${LABEL}(?:,${LABEL})*,?)?\})? ${VALUE}(?: -?\d+)?$`);
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/**
 * The problems of a text in the Prometheus exposition format 0.0.4 (empty when valid): every line a
 * HELP, TYPE, comment or sample line; every sample of a family declared by a TYPE line before it.
 */
export function expositionProblems(text: string): string[] {
  const problems: string[] = [];
  const typed = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    const at = `line ${i + 1}: ${JSON.stringify(line.slice(0, 120))}`;
    if (line === '') return;
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (meta) {
      const [, kind, name, rest = ''] = meta;
      if (!new RegExp(`^${NAME}$`).test(name!)) problems.push(`${at}: bad metric name`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) problems.push(`${at}: unknown type`);
        if (typed.has(name!)) problems.push(`${at}: second TYPE for ${name}`);
        typed.set(name!, rest);
      }
      return;
    }
    if (line.startsWith('#')) return;
    const sample = SAMPLE.exec(line);
    if (!sample) return void problems.push(`${at}: not a sample line`);
    const name = sample[1]!;
    const family = [name, name.replace(/_(bucket|sum|count)$/, '')].find((n) => typed.has(n));
    if (family === undefined) problems.push(`${at}: no TYPE line before the sample`);
  });
  return problems;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Scrape {
  status: number;
  contentType: string | null;
  body: string;
  /** /readyz's code right after, when the node was not ready. */
  readiness: string;
}

describe('GET /metrics of a node that is not ready', () => {
  it('is valid exposition text from the moment the HTTP API listens, through start and stop', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-scrape-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const config = loadNodeConfig({ PEERWEAVE_PRESET: 'test', PEERWEAVE_INSECURE: 'true', PEERWEAVE_DATA_DIR: dir, PEERWEAVE_LOG_LEVEL: 'silent', PEERWEAVE_HTTP_PORT: String(port) });

    // Scrape as fast as one client can while the node starts and stops; refused connections (not
    // listening yet, or closed) are no answer and are skipped. In one process the components start
    // within a turn or two of the event loop after the listen, so most scrapes land once started:
    // the next test holds a node in NOT_READY for sure.
    const scrapes: Scrape[] = [];
    const run = { done: false };
    const scraper = (async () => {
      while (!run.done) {
        try {
          const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(2_000) });
          const body = await res.text();
          const ready = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.json() as Promise<{ code?: string }>).catch(() => ({ code: 'closed' }));
          scrapes.push({ status: res.status, contentType: res.headers.get('content-type'), body, readiness: ready.code ?? 'ready' });
        } catch {
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    })();
    try {
      const node = await startNode(config);
      const started = scrapes.length;
      // A few more once started, then the drain.
      await waitFor(() => scrapes.length >= started + 3, { timeoutMs: 10_000, intervalMs: 5, what: 'three scrapes of the started node' });
      await node.stop();
    } finally {
      // Also when the node fails to start: the scraper must not spin for ever.
      run.done = true;
      await scraper;
    }

    assert.ok(scrapes.length >= 3, `scraped ${scrapes.length} times`);
    for (const s of scrapes) {
      assert.notEqual(s.status, 500, 'never a 500');
      if (s.status === 503) {
        // Only while draining after stop(): the error shape, and Prometheus marks the target down.
        assert.match(s.body, /SHUTTING_DOWN/);
        continue;
      }
      assert.equal(s.status, 200);
      assert.equal(s.contentType, 'text/plain; version=0.0.4; charset=utf-8');
      assert.deepEqual(expositionProblems(s.body), [], `a scrape while ${s.readiness}`);
      assert.match(s.body, /^peerweave_node_info\{/m);
    }
  });

  it('is valid exposition text, with every peerweave metric, while the node cannot join (503 on /readyz)', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-scrape-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    // A seed nobody answers at: the node runs, but stays NOT_READY.
    const node = await startNode(
      loadNodeConfig({ PEERWEAVE_PRESET: 'test', PEERWEAVE_INSECURE: 'true', PEERWEAVE_DATA_DIR: dir, PEERWEAVE_LOG_LEVEL: 'silent', PEERWEAVE_SEEDS: `127.0.0.1:${await freePort()}` }),
    );
    t.after(() => node.stop());
    const ready = await fetch(`${node.httpUrl}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { code: string }).code, 'NOT_READY');
    const res = await fetch(`${node.httpUrl}/metrics`);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.deepEqual(expositionProblems(body), []);
    for (const name of [
      'peerweave_node_info',
      'peerweave_storage_free_bytes',
      'peerweave_storage_capacity_bytes',
      'peerweave_replication_under_replicated_blocks',
      'peerweave_content_puts_total',
      'peerweave_search_searches_total',
      'peerweave_swim_members',
    ]) {
      assert.match(body, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is exported`);
    }
    // Initialised at 0, so the first put and search show in rate().
    assert.match(body, /^peerweave_content_puts_total\{outcome="ok"\} 0$/m);
    assert.match(body, /^peerweave_search_searches_total\{mode="flood",outcome="ok"\} 0$/m);
    const free = Number(/^peerweave_storage_free_bytes (\S+)$/m.exec(body)?.[1]);
    const size = Number(/^peerweave_storage_capacity_bytes (\S+)$/m.exec(body)?.[1]);
    assert.ok(size > 0 && free >= 0 && free <= size, `free ${free} of ${size} bytes`);
  });
});

describe('expositionProblems', () => {
  const cases: [what: string, text: string, problems: number][] = [
    ['a counter with labels', '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1",y="a \\"b\\""} 3\n', 0],
    ['a histogram family', '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 0.5\nh_count 1\n', 0],
    ['NaN and Inf values, a timestamp', '# TYPE g gauge\ng NaN\ng{a="b"} +Inf 1700000000000\n', 0],
    ['a sample before its TYPE', 'g 1\n# TYPE g gauge\n', 1],
    ['a value that is not a number', '# TYPE g gauge\ng abc\n', 1],
    ['an HTML error page', '<html>500 Internal Server Error</html>\n', 1],
    ['an unknown type', '# TYPE g gauges\n', 1],
  ];
  for (const [what, text, problems] of cases) it(what, () => assert.equal(expositionProblems(text).length, problems, expositionProblems(text).join('; ')));
});
