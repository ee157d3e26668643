// `npm run bench`, section `sim`: the simulator (apps/sim) in a child process with --json, at
// BENCH_SIM_NODES (default 1 000 and 10 000 nodes), then churn at BENCH_SIM_CHURN_NODES (1 000)
// for BENCH_SIM_CHURN_MINUTES simulated minutes (default 10; the README's hour is `npm run sim --
// --churn`). Each figure beside its target (issue #16).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ChurnReport } from '../apps/sim/src/churn.ts';
import type { SimReport } from '../apps/sim/src/simulate.ts';
import type { Row } from './docker.ts';

const exec = promisify(execFile);

async function runSim<T>(root: string, args: string[]): Promise<T> {
  const { stdout } = await exec(process.execPath, ['--max-old-space-size=7168', `${root}/apps/sim/src/main.ts`, ...args, '--json'], {
    timeout: 3_600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

export async function simSection(root: string, push: (row: Row) => void): Promise<void> {
  const sizes = (process.env.BENCH_SIM_NODES ?? '1000,10000').split(',').map(Number);
  for (const nodes of sizes) {
    console.error(`· simulator: ${nodes} nodes`);
    const r = await runSim<SimReport>(root, ['--nodes', String(nodes)]);
    const n = `simulator N = ${nodes} (codecs ${r.codec ? 'on' : 'off'}, lan timings)`;
    push({
      figure: `${n}: lookup rounds until the k closest are known p50 / p90 / p99 (max)`,
      ours: `${r.rounds.p50} / ${r.rounds.p90} / ${r.rounds.p99} (${r.rounds.max})`,
      baseline: `RPCs per lookup p50 / p99: ${r.rpcs.p50} / ${r.rpcs.p99}; table ${r.table.mean.toFixed(0)} contacts/node`,
      ratio: '—',
      target: 'p50 ≤ 3, p99 ≤ 5',
    });
    push({
      figure: `${n}: lookup success (${r.lookups} lookups: the true closest first)`,
      ours: pct(r.lookupSuccess),
      baseline: `${r.messagesPerNodePerSecond.toFixed(2)} messages per node per second`,
      ratio: '—',
      target: '100 %',
    });
    push({
      figure: `${n}: ${r.killed} killed at once: time until no table holds one; lookup success meanwhile`,
      ours: `${r.holdersLeft === 0 ? `${r.detectionSimSeconds.toFixed(1)} s` : `> ${r.detectionSimSeconds.toFixed(0)} s (${r.holdersLeft} tables)`}; ${pct(r.lookupSuccessDuringKill)} of ${r.lookupsDuringKill}`,
      baseline: `suspicion timeout ${(r.timings.suspicionMult * Math.log10(r.nodes) * r.timings.probeIntervalMs / 1000).toFixed(1)} s at its minimum`,
      ratio: '—',
      target: 'all dropped',
    });
    push({
      figure: `${n}: false deaths at ${(100 * r.loss).toFixed(0)} % loss over ${r.lossPeriods} periods (outside the loss window)`,
      ours: `${r.falseDeaths} (${r.falseDeathsOutsideLoss})`,
      baseline: `run ${r.realSeconds.toFixed(0)} s real, peak RSS ${(r.peakRssMiB / 1024).toFixed(1)} GiB`,
      ratio: '—',
      target: `0; run ≤ 600 s, ≤ 8 GiB at 10 000`,
    });
  }
  const churnNodes = Number(process.env.BENCH_SIM_CHURN_NODES ?? 1000);
  const minutes = Number(process.env.BENCH_SIM_CHURN_MINUTES ?? 10);
  if (churnNodes > 0 && minutes > 0) {
    console.error(`· simulator: churn, ${churnNodes} nodes, ${minutes} min`);
    const c = await runSim<ChurnReport>(root, ['--churn', '--nodes', String(churnNodes), '--minutes', String(minutes)]);
    push({
      figure: `simulator churn N = ${churnNodes}, ${minutes} min (Weibull sessions shape ${c.sessionShape}, median ${c.medianSessionMinutes} min, crashes): lookup success mean (min)`,
      ours: `${pct(c.lookupSuccess.mean)} (${pct(c.lookupSuccess.min)}); ${c.left} left, ${c.joined} joined`,
      baseline: `${c.messagesPerNodePerSecond.mean.toFixed(2)} messages per node per second (max ${c.messagesPerNodePerSecond.max.toFixed(2)})`,
      ratio: '—',
      target: '100 %',
    });
    push({
      figure: `simulator churn N = ${churnNodes}: false deaths`,
      ours: String(c.falseDeaths),
      baseline: '—',
      ratio: '—',
      target: '0',
    });
  }
}
