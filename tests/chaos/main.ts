// `npm run chaos`: the chaos scenarios of issue #16 against the image peerweave:latest (built by
// `bash scripts/setup.sh`), at 20 peers + 2 supernodes: partition and heal, packet loss, short and
// long pauses, a rolling restart, kill -9 of r − 1 holders. Prints each scenario's figures as it
// goes and a table of all of them beside their targets at the end; exits 1 if a target was missed.
// Every container, network, volume and iptables rule is removed at the end, also on failure or ^C.
//
//   npm run chaos                      # the full run (~20 min)
//   npm run chaos -- --short           # the short profile of tests/e2e/chaos.e2e.ts
//   npm run chaos -- --only partition,loss
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { table, missed } from './checker.ts';
import { ChaosCluster } from './cluster.ts';
import { Faults } from './faults.ts';
import { FULL, SHORT, SCENARIOS, runAll } from './scenarios.ts';

const { values } = parseArgs({ options: { short: { type: 'boolean', default: false }, only: { type: 'string' } } });
const profile = values.short ? SHORT : FULL;
const only = values.only?.split(',').map((s) => s.trim());
const scenarios = only ? SCENARIOS.filter((s) => only.some((o) => s.name.toLowerCase().startsWith(o.toLowerCase()))) : SCENARIOS;
if (scenarios.length === 0) {
  console.error(`--only ${values.only}: no such scenario (${SCENARIOS.map((s) => s.name).join(', ')})`);
  process.exit(2);
}

const t0 = Date.now();
const log = (line: string): void => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const image = (() => {
  try {
    return execFileSync('docker', ['image', 'inspect', '-f', '{{index .Config.Labels "org.peerweave.build-hash"}} {{.Created}}', 'peerweave:latest'], { encoding: 'utf8' }).trim();
  } catch {
    return 'missing';
  }
})();
log(`chaos (${profile.name} profile) at ${commit}, image peerweave:latest ${image}`);

const faults = new Faults();
let cluster: ChaosCluster | undefined;
let stopping = false;
async function cleanUp(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await faults.clearAll().catch(() => {});
  await cluster?.stop().catch((err: Error) => console.error(`cleanup: ${err.message}`));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: removing the cluster`);
    void cleanUp().finally(() => process.exit(130));
  });
}

let code = 0;
try {
  cluster = await ChaosCluster.start(profile.peers, log);
  const results = await runAll({ cluster, faults, profile, log }, scenarios);
  console.log(`\nChaos figures (${profile.name} profile, ${profile.peers} peers + 2 supernodes, commit ${commit}, ${((Date.now() - t0) / 60_000).toFixed(1)} min):\n`);
  console.log(table(results));
  const miss = missed(results);
  if (miss.length > 0) {
    console.log(`\n${miss.length} target(s) missed: ${miss.map((m) => m.figure).join('; ')}`);
    code = 1;
  }
} catch (err) {
  console.error(err);
  code = 1;
} finally {
  await cleanUp();
}
process.exit(code);
