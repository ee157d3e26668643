// The chaos suite's short version (tests/chaos/, `npm run chaos` runs the full one at 20 peers):
// the same scenarios, workload and checker against the Compose cluster at 6 peers + 2 supernodes,
// with shorter faults — a 3 | 3 partition for 15 s, 5 % loss for 30 s, a short and a long pause, a
// rolling restart of 3 peers, kill -9 of r − 1 holders — and each scenario's targets asserted.
import './support/env.ts';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { table, type ScenarioResult } from '../chaos/checker.ts';
import { ChaosCluster } from '../chaos/cluster.ts';
import { Faults } from '../chaos/faults.ts';
import { SCENARIOS, SHORT, settle, type Context } from '../chaos/scenarios.ts';

/**
 * Targets the short run reports but does not fail on, each with why. None now: the two it had —
 * reads during the partition, and writes acknowledged on both sides of its 15 s cut — were a read
 * or write waiting the 5 s call deadline on a node across the cut before SWIM declared it dead (a
 * read sometimes twice, past the workload's 10 s; one side acknowledged no write in a fresh-clone
 * CI run, 0 / 1 at b8249b8). Writes hand off to the next node after 500 ms of silence (1a2c797,
 * 8f993c6) and reads ask the next node (b74c895, e560529): in four short runs since (three of the
 * partition alone, one of this file), every read during the cut succeeded (the slowest 6.6 s, one
 * begun as the cut started, against the workload's 10 s) and each side took 2 to 6 writes.
 */
const KNOWN_GAPS = new Set<string>();

describe(`chaos (short): ${SHORT.peers} peers + 2 supernodes`, { timeout: 420_000 }, () => {
  const faults = new Faults();
  const results: ScenarioResult[] = [];
  let ctx: Context | undefined;

  before(async () => {
    const cluster = await ChaosCluster.start(SHORT.peers, (line) => console.log(`# ${line}`));
    ctx = { cluster, faults, profile: SHORT, log: (line) => console.log(`# ${line}`) };
  });

  after(async () => {
    if (results.length > 0) console.log(table(results).replace(/^/gm, '# '));
    await faults.clearAll();
    await ctx?.cluster.stop();
  });

  for (const scenario of SCENARIOS) {
    it(scenario.name, async () => {
      try {
        const result = await scenario(ctx!);
        results.push(result);
        const missed = result.figures.filter((f) => f.met === false && !KNOWN_GAPS.has(f.figure));
        for (const f of result.figures.filter((x) => x.met === false && KNOWN_GAPS.has(x.figure))) {
          console.log(`# known gap, not asserted: ${f.figure}: ${f.value} (target ${f.target})`);
        }
        assert.deepEqual(
          missed.map((f) => `${f.figure}: ${f.value} (target ${f.target})`),
          [],
          `${result.scenario}: targets missed`,
        );
      } finally {
        await settle(ctx!);
      }
    });
  }
});
