// `npm run sim -- --nodes 10000`: the real routing code at scale, in one process.
// `npm run sim -- --search --nodes 10000`: flooded and supernode search (issue #7).
import { parseArgs } from 'node:util';
import { simulateSearch, type SearchSimReport } from './search-sim.ts';
import { lanTimings, type SimTimings } from './sim-timings.ts';
import { simulate, type SimReport } from './simulate.ts';
import { DEFAULT_MEDIAN_SESSION_MINUTES, simulateChurn, type ChurnReport } from './churn.ts';

const USAGE = `usage: npm run sim -- [--nodes N] [--seed S] [--lookups L] [--kill K] [--loss RATE]
                      [--loss-periods P] [--detect-limit S] [--probe-interval MS] [--probe-timeout MS] [--k K]
                      [--codec on|off] [--json]
       npm run sim -- --churn [--nodes N] [--seed S] [--minutes M] [--median-session MIN] [--sample S] [--codec on|off]
                      [--content on|off] [--objects O] [--puts-per-sample P] [--json]
         (timings: the lan preset of libs/config unless overridden)
       npm run sim -- --search [--nodes N] [--seed S] [--supernodes K] [--queries Q] [--ttls 1,2,...] [--overlay routing|synthetic] [--json]
         (--overlay routing: the real routing code's overlay, the default; synthetic: a comparison without routing)`;

function int(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new Error(`--${name}=${value} is invalid: expected an integer ${min}..${max}`);
  }
  return Number(value);
}

function print(r: SimReport): void {
  const pc = (p: { p50: number; p90: number; p99: number; max: number }): string => `${p.p50} / ${p.p90} / ${p.p99} / ${p.max}`;
  const t = r.timings;
  const rows: [string, string, string][] = [
    ['nodes', String(r.nodes), ''],
    ['timings', `lan preset: probe ${t.probeIntervalMs}/${t.probeTimeoutMs} ms, suspicion mult ${t.suspicionMult}, k ${t.k}, alpha ${t.alpha}`, ''],
    ['codecs', r.codec ? 'on (every message encoded and decoded)' : 'off', ''],
    ['lookup rounds until the k closest are known p50 / p90 / p99 / max', pc(r.rounds), 'target p50 ≤ 3, p99 ≤ 5'],
    ['lookup RPCs p50 / p90 / p99 / max', pc(r.rpcs), ''],
    ['depth of the closest node p50 / p90 / p99 / max', pc(r.hops), ''],
    [`lookup success (true closest first), ${r.lookups} lookups`, `${(100 * r.lookupSuccess).toFixed(1)} %`, 'target 100 %'],
    ['table size per node mean (min..max)', `${r.table.mean.toFixed(1)} (${r.table.min}..${r.table.max})`, ''],
    ['messages per node per second', r.messagesPerNodePerSecond.toFixed(2), ''],
    [
      r.killed === 0 ? 'kill phase' : `time until no table holds the ${r.killed} killed`,
      r.killed === 0
        ? 'skipped (--kill 0)'
        : r.holdersLeft === 0
        ? `${r.detectionSimSeconds.toFixed(1)} s simulated`
        : `> ${r.detectionSimSeconds.toFixed(0)} s (${r.holdersLeft} tables still hold one)`,
      r.killed === 0 ? '' : 'target: all dropped',
    ],
    [`lookup success meanwhile (${r.lookupsDuringKill} lookups)`, `${(100 * r.lookupSuccessDuringKill).toFixed(1)} %`, ''],
    [`false deaths, ${(100 * r.loss).toFixed(0)} % loss, ${r.lossPeriods} periods`, String(r.falseDeaths), 'target 0'],
    ['false deaths outside the loss window', String(r.falseDeathsOutsideLoss), 'target 0'],
    ['run', `${r.realSeconds.toFixed(1)} s real, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`, 'target at 10 000: ≤ 600 s, ≤ 8 GiB'],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const v = Math.max(...rows.map(([, x]) => x.length));
  for (const [k, x, target] of rows) console.log(`${k.padEnd(w)}  ${target ? x.padEnd(v) + '  ' + target : x}`);
}

function printChurn(r: ChurnReport): void {
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  console.log('at (s)  running  left  joined  lookup success  msg/node/s  stale tables' + (r.content ? '  objects readable / acknowledged  held  lost (all r left within one repair)' : ''));
  for (const s of r.samples) {
    const c = s.content;
    console.log(
      `${s.at.toFixed(0).padStart(6)}  ${String(s.running).padStart(7)}  ${String(s.left).padStart(4)}  ${String(s.joined).padStart(6)}  ${pct(s.lookupSuccess).padStart(14)}  ${s.messagesPerNodePerSecond.toFixed(2).padStart(10)}  ${String(s.staleTables).padStart(12)}` +
        (c ? `  ${`${pct(c.readable / Math.max(1, c.acknowledged))} (${c.readable} / ${c.acknowledged})`.padStart(31)}  ${String(c.held).padStart(4)}  ${c.lost} (${c.lostWithinOneRepair})` : ''),
    );
  }
  const rows: [string, string][] = [
    ['nodes', String(r.nodes)],
    ['churn', `${r.minutes} min simulated; sessions Weibull shape ${r.sessionShape}, median ${r.medianSessionMinutes} min (Stutzbach & Rejaie, IMC 2006); departures: ${r.departures} (no leave announced); arrivals Poisson`],
    ['left / joined', `${r.left} / ${r.joined}`],
    ['lookup success mean (min over samples)', `${pct(r.lookupSuccess.mean)} (${pct(r.lookupSuccess.min)})`],
    ['messages per node per second mean (max)', `${r.messagesPerNodePerSecond.mean.toFixed(2)} (${r.messagesPerNodePerSecond.max.toFixed(2)})`],
    ['false deaths (live nodes declared dead)', `${r.falseDeaths}  target 0`],
    [
      'content under churn',
      r.content
        ? `MODEL (placement and repair by libs/replication's preferenceList / planRepair / settleRepair over the real routing; no ContentNode): r = ${r.content.replicationFactor}, w = ${r.content.writeQuorum}, repair every ${r.content.repairIntervalMs / 1000} s; ${r.content.puts} puts (${r.content.failedPuts} not acknowledged), ${r.content.pushes} repair copies`
        : 'off (--content off)',
    ],
    ...(r.content
      ? ([
          ['acknowledged objects readable, lowest share at a sample', `${pct(r.content.readableMin)}  target 100 % while fewer than r holders leave within one repair period`],
          ['acknowledged objects lost (all r holders left within one repair period)', `${r.content.last.lost} (${r.content.last.lostWithinOneRepair}) of ${r.content.last.acknowledged}`],
        ] as [string, string][])
      : []),
    ['run', `${r.realSeconds.toFixed(1)} s real, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
}

function printSearch(r: SearchSimReport): void {
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  const rows: [string, string][] = [
    ['nodes (supernodes)', `${r.nodes} (${r.supernodes})`],
    ['overlay', r.overlay],
    ['queries per figure', String(r.queries)],
  ];
  for (const f of r.flood) {
    rows.push([`flood TTL ${f.ttl}: recall / files found / messages per query`, `${pct(f.recall)} / ${pct(f.fileRecall)} / ${f.messagesPerQuery.toFixed(1)}`]);
  }
  if (r.supernode) {
    const s = r.supernode;
    rows.push(['supernodes: recall / files found / messages per query', `${pct(s.recall)} / ${pct(s.fileRecall)} / ${s.messagesPerQuery.toFixed(1)}`]);
    const widest = r.flood.reduce<(typeof r.flood)[number] | undefined>((a, f) => (a === undefined || f.ttl > a.ttl ? f : a), undefined);
    if (widest) rows.push([`supernode messages vs TTL-${widest.ttl} flood`, pct(s.messagesPerQuery / widest.messagesPerQuery)]);
    rows.push(['every leaf attached after', `${s.attachSimSeconds.toFixed(1)} s simulated`]);
    rows.push([`supernodes each supernode knows then, min / mean (of ${r.supernodes - 1})`, `${s.meshKnown.min} / ${s.meshKnown.mean.toFixed(1)}`]);
  }
  if (r.supernodeSettled) {
    const s = r.supernodeSettled;
    rows.push([
      'supernode mesh formed (every supernode knows every other)',
      s.meshSimSeconds === undefined ? `not within the wait (each knew ${s.meshKnown.min} / ${s.meshKnown.mean.toFixed(1)})` : `${s.meshSimSeconds.toFixed(0)} s simulated after the first searches`,
    ]);
    rows.push(['supernodes then: recall / files found / messages per query', `${pct(s.recall)} / ${pct(s.fileRecall)} / ${s.messagesPerQuery.toFixed(1)}`]);
  }
  rows.push(['run', `${r.realSeconds.toFixed(1)} s real, heap ${r.heapMiB.toFixed(0)} MiB`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
}

async function runSearch(values: { nodes?: string; seed?: string; supernodes?: string; queries?: string; ttls?: string; overlay?: string; json?: boolean }): Promise<void> {
  const nodes = int('nodes', values.nodes, 1000, 2, 100_000);
  const ttls = (values.ttls ?? '1,2,3,4,5,6,7').split(',').map((t) => int('ttls', t, 0, 0, 7));
  // The real routing overlay at every size; the synthetic one only as a labelled comparison.
  const overlay = values.overlay ?? 'routing';
  if (overlay !== 'routing' && overlay !== 'synthetic') throw new Error(`--overlay=${overlay} is invalid: expected routing or synthetic`);
  const report = await simulateSearch({
    nodes,
    overlay,
    seed: int('seed', values.seed, 1, 0, 2 ** 31),
    supernodes: int('supernodes', values.supernodes, Math.max(10, Math.floor(nodes / 500)), 0, nodes),
    queries: int('queries', values.queries, nodes >= 10_000 ? 20 : 50, 1, 100_000),
    ttls,
    ...(values.json ? {} : { onProgress: (line: string) => console.error(`· ${line}`) }),
  });
  if (values.json) console.log(JSON.stringify(report));
  else printSearch(report);
}

try {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string' },
      seed: { type: 'string' },
      lookups: { type: 'string' },
      kill: { type: 'string' },
      loss: { type: 'string' },
      'loss-periods': { type: 'string' },
      'detect-limit': { type: 'string' },
      'probe-interval': { type: 'string' },
      'probe-timeout': { type: 'string' },
      k: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
      search: { type: 'boolean' },
      supernodes: { type: 'string' },
      queries: { type: 'string' },
      ttls: { type: 'string' },
      overlay: { type: 'string' },
      codec: { type: 'string' },
      churn: { type: 'boolean' },
      minutes: { type: 'string' },
      'median-session': { type: 'string' },
      sample: { type: 'string' },
      content: { type: 'string' },
      objects: { type: 'string' },
      'puts-per-sample': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.search) {
    await runSearch(values);
    process.exit(0);
  }
  const loss = values.loss === undefined ? 0.05 : Number(values.loss);
  if (!(loss >= 0 && loss < 1)) throw new Error(`--loss=${values.loss} is invalid: expected a rate 0 <= r < 1`);
  const codec = values.codec ?? 'on';
  if (codec !== 'on' && codec !== 'off') throw new Error(`--codec=${codec} is invalid: expected on or off`);
  const nodes = int('nodes', values.nodes, 1000, 2, 100_000);
  const lan = lanTimings();
  const probeIntervalMs = int('probe-interval', values['probe-interval'], lan.probeIntervalMs, 10, 60_000);
  const timings: SimTimings = {
    ...lan,
    probeIntervalMs,
    probeTimeoutMs: int('probe-timeout', values['probe-timeout'], values['probe-interval'] === undefined ? lan.probeTimeoutMs : Math.floor(probeIntervalMs / 2), 1, probeIntervalMs - 1),
    k: int('k', values.k, lan.k, 2, 64),
  };
  const contentFlag = values.content ?? 'on';
  if (contentFlag !== 'on' && contentFlag !== 'off') throw new Error(`--content=${contentFlag} is invalid: expected on or off`);
  const contentOn = contentFlag === 'on';
  if (values.churn) {
    const churn = await simulateChurn({
      nodes,
      seed: int('seed', values.seed, 1, 0, 2 ** 31),
      minutes: int('minutes', values.minutes, 60, 1, 24 * 60),
      medianSessionMinutes: int('median-session', values['median-session'], DEFAULT_MEDIAN_SESSION_MINUTES, 1, 100_000),
      sampleSeconds: int('sample', values.sample, 60, 1, 86_400),
      lookupsPerSample: 20,
      codec: codec === 'on',
      timings,
      ...(contentOn
        ? { content: { objects: int('objects', values.objects, 500, 0, 1_000_000), putsPerSample: int('puts-per-sample', values['puts-per-sample'], 10, 0, 100_000) } }
        : {}),
      ...(values.json ? {} : { onProgress: (line: string) => console.error(`· ${line}`) }),
    });
    if (values.json) console.log(JSON.stringify(churn));
    else printChurn(churn);
    process.exit(0);
  }
  const report = await simulate({
    nodes,
    seed: int('seed', values.seed, 1, 0, 2 ** 31),
    lookups: int('lookups', values.lookups, 500, 1, 100_000),
    kill: int('kill', values.kill, Math.max(1, Math.floor(nodes / 100)), 0, nodes - 1),
    loss,
    lossPeriods: int('loss-periods', values['loss-periods'], 1000, 0, 100_000),
    detectLimitSeconds: int('detect-limit', values['detect-limit'], 300, 1, 86_400),
    lookupsPerPeriodDuringKill: 5,
    codec: codec === 'on',
    timings,
    ...(values.json ? {} : { onProgress: (line: string) => console.error(`· ${line}`) }),
  });
  if (values.json) console.log(JSON.stringify(report));
  else print(report);
} catch (err) {
  console.error(`sim: ${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}
