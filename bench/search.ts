// Search figures for `npm run bench` (section `search`, issue #7), from the simulator: flooding at
// TTL 2, 4 and 7 and search through supernodes, at N = 1 000 on the overlay the real routing code
// builds, and at N = 10 000 on the synthetic Kademlia-like overlay (routing is too slow to run at
// that size within the bench's time: `npm run sim -- --search` now defaults to the real overlay at
// every size, so this section asks for the synthetic one above 2 000 nodes, labelled as such;
// BENCH_SEARCH_OVERLAY=routing runs the real one at every size). The baseline of each figure
// is the TTL-7 flood of the same run: recall there is the most flooding can give, and its message
// count is what the supernodes must undercut (target: ≥ 99 % recall at N = 10 000 with ≤ 1 % of
// its messages). Each size runs in a child process (`npm run sim -- --search --json`).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SearchSimReport } from '../apps/sim/src/search-sim.ts';
import type { Row } from './docker.ts';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function runSim(nodes: number): Promise<SearchSimReport> {
  const queries = Number(process.env.BENCH_SEARCH_QUERIES ?? (nodes >= 10_000 ? 20 : 50));
  const { stdout } = await exec(
    process.execPath,
    [
      '--max-old-space-size=8192',
      `${ROOT}/apps/sim/src/main.ts`,
      '--search',
      '--nodes',
      String(nodes),
      '--supernodes',
      String(Math.max(10, Math.floor(nodes / 500))),
      '--queries',
      String(queries),
      '--ttls',
      '2,4,7',
      '--overlay',
      process.env.BENCH_SEARCH_OVERLAY ?? (nodes > 2_000 ? 'synthetic' : 'routing'),
      '--json',
    ],
    { timeout: 1_800_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as SearchSimReport;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

export async function searchSection(push: (row: Row) => void): Promise<void> {
  const sizes = (process.env.BENCH_SEARCH_NODES ?? '1000,10000').split(',').map(Number);
  for (const nodes of sizes) {
    console.error(`· search simulator: ${nodes} nodes`);
    const r = await runSim(nodes);
    const ttl7 = r.flood.find((f) => f.ttl === 7)!;
    for (const f of r.flood) {
      push({
        figure: `search N = ${nodes} (${r.overlay.startsWith('the routing') ? 'routing overlay' : 'synthetic overlay'}): flood TTL ${f.ttl}, recall / messages per query`,
        ours: `${pct(f.recall)} / ${f.messagesPerQuery.toFixed(0)}`,
        baseline: `TTL-7 flood ${pct(ttl7.recall)} / ${ttl7.messagesPerQuery.toFixed(0)}`,
        ratio: `${(f.messagesPerQuery / ttl7.messagesPerQuery).toFixed(3)}× messages`,
        target: '—',
      });
    }
    const s = r.supernode!;
    push({
      figure: `search N = ${nodes}: ${r.supernodes} supernodes, recall / messages per query`,
      ours: `${pct(s.recall)} / ${s.messagesPerQuery.toFixed(1)}`,
      baseline: `TTL-7 flood ${pct(ttl7.recall)} / ${ttl7.messagesPerQuery.toFixed(0)}`,
      ratio: `${(s.messagesPerQuery / ttl7.messagesPerQuery).toFixed(4)}× messages`,
      target: nodes >= 10_000 ? 'recall ≥ 99 %' : '—',
    });
    push({
      figure: `search N = ${nodes}: supernode messages as a share of the TTL-7 flood's`,
      ours: pct(s.messagesPerQuery / ttl7.messagesPerQuery),
      baseline: '100 % (TTL-7 flood)',
      ratio: `${(s.messagesPerQuery / ttl7.messagesPerQuery).toFixed(4)}×`,
      target: nodes >= 10_000 ? '≤ 1 %' : '—',
    });
    console.error(`  (${r.realSeconds.toFixed(1)} s real, ${r.queries} queries per figure)`);
  }
}
