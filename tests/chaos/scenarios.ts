// The chaos scenarios of issue #16, each with its target, run against one Compose cluster in turn
// (the full run and the short one in the test command differ only in the profile).
import { waitFor } from '@peerweave/core/testing';
import { loadNodeConfig } from '@peerweave/config';
import { getJson } from '../e2e/support/http.ts';
import { finalFigures, finalRead, workloadFigures, examples, type Figure, type ScenarioResult } from './checker.ts';
import type { ChaosCluster, ChaosNode } from './cluster.ts';
import type { Faults } from './faults.ts';
import { ViewMonitor } from './monitor.ts';
import { Workload, sleep, type WorkloadOptions } from './workload.ts';

export interface Profile {
  name: string;
  peers: number;
  /** Workload running before a fault, so that there is something to read. */
  warmupMs: number;
  partitionMs: number;
  lossMs: number;
  lossShare: number;
  /** Peers restarted one at a time (the first `restartPeers`). */
  restartPeers: number;
  /** Size of the object whose holders are killed (several blocks). */
  killObjectBytes: number;
  workload: WorkloadOptions;
}

export const FULL: Profile = {
  name: 'full',
  peers: 20,
  warmupMs: 10_000,
  partitionMs: 60_000,
  lossMs: 300_000,
  lossShare: 0.05,
  restartPeers: 20,
  killObjectBytes: 4 * 1024 * 1024,
  workload: { writeEveryMs: 1_000, readers: 2, readEveryMs: 250, minBytes: 256, maxBytes: 8_192, timeoutMs: 10_000 },
};

export const SHORT: Profile = {
  name: 'short',
  peers: 6,
  warmupMs: 4_000,
  partitionMs: 15_000,
  lossMs: 30_000,
  lossShare: 0.05,
  restartPeers: 3,
  killObjectBytes: 2 * 1024 * 1024,
  workload: { writeEveryMs: 1_000, readers: 2, readEveryMs: 300, minBytes: 256, maxBytes: 8_192, timeoutMs: 10_000 },
};

/** r: copies of every block (the routing layer's DEFAULT_REPLICATION_FACTOR, which the image runs with). */
export const R = 3;
/** Targets of the issue. */
export const CONVERGE_TARGET_MS = 10_000;
export const REPAIR_TARGET_MS = 30_000;
export const RESTART_READS_TARGET = 99.9;
/** "Taken back at once" after a long pause: within one join interval (the routing node's default 5 s). */
export const BACK_TARGET_MS = 5_000;

/** The settings the Compose nodes run with (PEERWEAVE_PRESET=lan). */
const LAN = loadNodeConfig({ PEERWEAVE_PRESET: 'lan', PEERWEAVE_INSECURE: 'true' });

/**
 * The least time a member can stay suspect before it is declared dead, at `n` members and the lan
 * preset: suspicionMult × max(1, log10 n) × probe interval (memberlist); with no confirmations a
 * suspicion lasts up to suspicionMaxMult times that.
 */
export function suspicionMinMs(n: number): number {
  return LAN.suspicionMult * Math.max(1, Math.log10(n)) * LAN.probeIntervalMs;
}
export function suspicionMaxMs(n: number): number {
  return LAN.suspicionMaxMult * suspicionMinMs(n);
}

export interface Context {
  cluster: ChaosCluster;
  faults: Faults;
  profile: Profile;
  log: (line: string) => void;
}

const secondsOf = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Every view but `victim`'s own, and whether all of them list it in `state`. */
async function allSee(cluster: ChaosCluster, victim: ChaosNode, ok: (state: string | undefined) => boolean): Promise<boolean> {
  const observers = cluster.live().filter((n) => n !== victim);
  const views = await Promise.all(observers.map((o) => cluster.peersOf(o).catch(() => undefined)));
  return views.every((v) => v !== undefined && ok(v.peers.find((p) => p.id === victim.id)?.state));
}

async function timed(name: string, log: (line: string) => void, body: () => Promise<Figure[]>): Promise<ScenarioResult> {
  const t0 = Date.now();
  log(`▶ ${name}`);
  const figures = await body();
  const result = { scenario: name, seconds: (Date.now() - t0) / 1000, figures };
  for (const f of figures) log(`  ${f.figure}: ${f.value} (target ${f.target})${f.met === false ? ' MISSED' : ''}`);
  return result;
}

/** Writes each side must see tried during a cut for its "acknowledged on each side" figure to mean anything. */
export const MIN_WRITES_PER_SIDE = 3;

/**
 * Partition: the peers split in halves (a supernode on each side) for `partitionMs`, then healed.
 * During the cut the writer goes through each side in turn (a random node of it), so that both
 * sides are asked to take writes whatever the random picks; each side's reads go to what was
 * written on that side since. After the heal, every acknowledged write is read through every
 * node, and the time until every view lists every node alive again is the convergence figure.
 */
export function partition(ctx: Context): Promise<ScenarioResult> {
  const { cluster, faults, profile, log } = ctx;
  const half = Math.floor(profile.peers / 2);
  return timed(`partition ${half} | ${profile.peers - half} for ${profile.partitionMs / 1000} s, then heal`, log, async () => {
    const peers = cluster.peerNodes;
    const a = [...peers.slice(0, half), cluster.node('supernode-1')];
    const b = [...peers.slice(half), cluster.node('supernode-2')];
    const sideOf = new Map<string, 'A' | 'B'>([...a.map((n) => [n.name, 'A'] as const), ...b.map((n) => [n.name, 'B'] as const)]);
    const workload = new Workload(cluster, profile.workload);
    workload.tag = 'before';
    workload.start();
    let cutViews = '';
    let cutAt = 0;
    let convergeMs = Number.NaN;
    try {
      await sleep(profile.warmupMs);
      // What each side holds of the earlier writes: the sides of their holders.
      const idSide = new Map(cluster.nodes.map((n) => [n.id, sideOf.get(n.name)!]));
      const heldOn = new Map<string, Set<'A' | 'B'>>();
      for (const w of [...workload.written]) {
        const r = await getJson<Replicas>(`${cluster.nodes[0]!.base}/v1/objects/${w.cid}/replicas`, 10_000).catch(() => undefined);
        heldOn.set(w.cid, new Set((r?.blocks ?? []).flatMap((b) => b.holders.map((h) => idSide.get(h)!)).filter(Boolean)));
      }
      workload.tag = 'partitioned';
      const defaultPick = workload.pick;
      const defaultWriteVia = workload.writeVia;
      let turn = 0;
      workload.writeVia = (c) => {
        const side = turn++ % 2 === 0 ? 'A' : 'B';
        const nodes = c.serving().filter((n) => sideOf.get(n.name) === side);
        return nodes[Math.floor(Math.random() * nodes.length)];
      };
      // Each side reads what it holds: earlier writes with a holder on its side, and what was
      // acknowledged on its side since the cut.
      workload.pick = (c, written) => {
        const nodes = c.serving();
        const via = nodes[Math.floor(Math.random() * nodes.length)];
        if (!via) return undefined;
        const side = sideOf.get(via.name)!;
        const mine = written.filter((w) => (w.tag === 'partitioned' ? sideOf.get(w.via) === side : heldOn.get(w.cid)?.has(side)));
        return mine.length === 0 ? undefined : { object: mine[Math.floor(Math.random() * mine.length)]!, via };
      };
      await faults.partition(a, b);
      cutAt = Date.now();
      log(`  cut: ${a.map((n) => n.name).join(' ')} | ${b.map((n) => n.name).join(' ')}`);
      await sleep(profile.partitionMs);
      // How far each side got in declaring the other dead (for the record).
      const views = await Promise.all(cluster.nodes.map(async (n) => [n, await cluster.peersOf(n).catch(() => undefined)] as const));
      let dead = 0;
      let pairs = 0;
      for (const [n, v] of views) {
        for (const m of sideOf.get(n.name) === 'A' ? b : a) {
          pairs++;
          if (v?.peers.find((p) => p.id === m.id)?.state === 'dead') dead++;
        }
      }
      cutViews = `${dead} / ${pairs}`;
      await faults.heal();
      const healedAt = Date.now();
      workload.tag = 'healed';
      workload.pick = defaultPick;
      workload.writeVia = defaultWriteVia;
      await cluster.waitConverged(120_000, (line) => log(`    ${line}`)).catch(() => {});
      convergeMs = (await cluster.converged()) ? Date.now() - healedAt : Number.NaN;
      log(`  views converged ${Number.isNaN(convergeMs) ? 'not within 120 s' : secondsOf(convergeMs)} after the heal`);
      await sleep(profile.warmupMs);
    } finally {
      await workload.stop();
      await faults.heal();
    }
    const acked = (side: 'A' | 'B'): number => workload.written.filter((w) => w.tag === 'partitioned' && sideOf.get(w.via) === side).length;
    const tried = (side: 'A' | 'B'): number => workload.writes.filter((w) => w.tag === 'partitioned' && sideOf.get(w.via) === side).length;
    const final = await finalRead(cluster, workload.written, { everywhere: true, deadlineMs: 60_000 });
    if (final.failed.length > 0) log(`  final read failures: ${examples(final.failed)}`);
    const during = workload.reads.filter((r) => r.tag === 'partitioned');
    const duringFailed = during.filter((r) => r.outcome === 'failed');
    if (duringFailed.length > 0) log(`  failed reads during the cut: ${examples(duringFailed)}; started ${duringFailed.map((r) => secondsOf(r.at - cutAt)).join(', ')} after the cut`);
    const slow = during.filter((r) => (r.ms ?? 0) > 2_000);
    if (slow.length > 0) log(`  reads over 2 s during the cut: ${slow.map((r) => `${secondsOf(r.ms!)} at +${secondsOf(r.at - cutAt)}`).join(', ')}`);
    const spread = (values: number[]): string => {
      const ms = [...values].sort((x, y) => x - y);
      const q = (f: number): string => secondsOf(ms[Math.min(ms.length - 1, Math.floor(f * ms.length))]!);
      return ms.length === 0 ? '—' : `${q(0.5)} / ${q(0.99)} / ${secondsOf(ms.at(-1)!)}`;
    };
    const writesDuring = workload.writes.filter((w) => w.tag === 'partitioned');
    log(`  writes during the cut: ${writesDuring.map((w) => `${w.ok ? 'ok' : 'failed'} ${secondsOf(w.ms)} at +${secondsOf(w.at - cutAt)} via ${w.via}`).join(', ') || 'none'}`);
    return [
      { figure: 'cross-side pairs held dead at the end of the cut', value: cutViews, target: '—' },
      { figure: 'read time during the cut (p50 / p99 / max)', value: spread(during.map((r) => r.ms ?? 0)), target: '—' },
      { figure: 'write time during the cut, acknowledged or not (p50 / p99 / max)', value: spread(writesDuring.map((w) => w.ms)), target: '—' },
      {
        figure: 'writes tried during the cut (side A / side B)',
        value: `${tried('A')} / ${tried('B')}`,
        target: `≥ ${MIN_WRITES_PER_SIDE} each`,
        met: tried('A') >= MIN_WRITES_PER_SIDE && tried('B') >= MIN_WRITES_PER_SIDE,
      },
      { figure: 'writes acknowledged during the cut (side A / side B)', value: `${acked('A')} / ${acked('B')}`, target: '> 0 each', met: acked('A') > 0 && acked('B') > 0 },
      ...workloadFigures(workload, { tags: ['partitioned'], readTarget: 100 }).slice(1),
      { figure: 'views converged after the heal', value: Number.isNaN(convergeMs) ? '> 120 s' : secondsOf(convergeMs), target: `≤ ${CONVERGE_TARGET_MS / 1000} s`, met: convergeMs <= CONVERGE_TARGET_MS },
      ...finalFigures(final, true),
    ];
  });
}

/**
 * Runs `fault` with the workload writing and reading and a view monitor sweeping (both stopped
 * when it ends, also when it throws), then reads every acknowledged write back once through
 * some node. `noDeathExpected`: every death the monitor sees is a false one (a pause shorter than
 * the suspicion timeout), not only those of nodes that are up.
 */
async function underWorkload(
  ctx: Context,
  fault: (workload: Workload) => Promise<void>,
  options: { monitorEveryMs?: number; noDeathExpected?: boolean } = {},
): Promise<{ workload: Workload; monitor: ViewMonitor; final: Awaited<ReturnType<typeof finalRead>> }> {
  const { cluster, profile } = ctx;
  const workload = new Workload(cluster, profile.workload);
  const monitor = new ViewMonitor(cluster, options.monitorEveryMs);
  if (options.noDeathExpected) monitor.expected = () => false;
  workload.start();
  monitor.start();
  try {
    await fault(workload);
  } finally {
    await Promise.all([workload.stop(), monitor.stop()]);
  }
  const final = await finalRead(cluster, workload.written, { everywhere: false, deadlineMs: 60_000 });
  return { workload, monitor, final };
}

/** Loss: `lossShare` of every node's outgoing packets dropped for `lossMs`; no view may list a running node dead. */
export function loss(ctx: Context): Promise<ScenarioResult> {
  const { cluster, faults, profile, log } = ctx;
  return timed(`${profile.lossShare * 100} % packet loss on every node for ${profile.lossMs / 1000} s`, log, async () => {
    const { workload, monitor, final } = await underWorkload(ctx, async (workload) => {
      try {
        await sleep(profile.warmupMs);
        workload.tag = 'lossy';
        await faults.loss(cluster.nodes, profile.lossShare);
        await sleep(profile.lossMs);
        await faults.heal();
        workload.tag = 'after';
        await sleep(profile.warmupMs);
      } finally {
        await faults.heal();
      }
    });
    const fd = monitor.summary();
    if (fd.events > 0) log(`  false deaths: ${monitor.falseDeaths.slice(0, 5).map((d) => `${d.observer} saw ${d.member} ${d.state}`).join('; ')}`);
    return [
      { figure: 'false deaths (members / observations)', value: `${fd.members} / ${fd.events} in ${monitor.sweeps} sweeps of every view`, target: '0', met: fd.events === 0 },
      ...workloadFigures(workload, { tags: ['lossy'] }),
      ...finalFigures(final, false),
    ];
  });
}

/**
 * A pause of ¾ of the least suspicion timeout (a suspicion starts only after a failed probe, and
 * reaches that least timeout only with confirmations): nobody may list the node dead, during or
 * after.
 */
export function shortPause(ctx: Context): Promise<ScenarioResult> {
  const { cluster, profile, log } = ctx;
  const pauseMs = Math.round(0.75 * suspicionMinMs(cluster.nodes.length));
  return timed(`pause of ${secondsOf(pauseMs)} (¾ of the least suspicion timeout, ${secondsOf(suspicionMinMs(cluster.nodes.length))})`, log, async () => {
    const victim = cluster.peerNodes[2]!;
    let settledMs = Number.NaN;
    const { workload, monitor, final } = await underWorkload(
      ctx,
      async (workload) => {
        await sleep(profile.warmupMs);
        workload.tag = 'paused';
        await cluster.pause(victim);
        await sleep(pauseMs);
        await cluster.unpause(victim);
        const t0 = Date.now();
        workload.tag = 'after';
        await waitFor(() => allSee(cluster, victim, (s) => s === 'alive'), { timeoutMs: 30_000, intervalMs: 250, what: `every view to list ${victim.name} alive` }).catch(() => {});
        settledMs = Date.now() - t0;
        await sleep(2_000);
      },
      { monitorEveryMs: 250, noDeathExpected: true },
    );
    const fd = monitor.summary();
    return [
      { figure: `views listing ${victim.name} dead`, value: `${fd.events} (${monitor.sweeps} sweeps)`, target: '0', met: fd.events === 0 },
      { figure: 'alive in every view again after the pause', value: secondsOf(settledMs), target: '—' },
      ...workloadFigures(workload),
      ...finalFigures(final, false),
    ];
  });
}

/**
 * A pause until every other view lists the node dead (so longer than any suspicion timeout), then
 * resumed: the time until every view lists it alive again is "taken back at once".
 */
export function longPause(ctx: Context): Promise<ScenarioResult> {
  const { cluster, profile, log } = ctx;
  return timed('pause until declared dead everywhere, then resume', log, async () => {
    const victim = cluster.peerNodes[3]!;
    let deadMs = Number.NaN;
    let backMs = Number.NaN;
    const { workload, monitor, final } = await underWorkload(ctx, async (workload) => {
      await sleep(profile.warmupMs);
      workload.tag = 'paused';
      await cluster.pause(victim);
      const pausedAt = Date.now();
      try {
        await waitFor(() => allSee(cluster, victim, (s) => s === 'dead'), { timeoutMs: 120_000, intervalMs: 250, what: `every view to list ${victim.name} dead` });
        deadMs = Date.now() - pausedAt;
      } finally {
        await cluster.unpause(victim);
      }
      const t0 = Date.now();
      workload.tag = 'after';
      await waitFor(() => allSee(cluster, victim, (s) => s === 'alive'), { timeoutMs: 60_000, intervalMs: 100, what: `every view to list ${victim.name} alive` }).catch(() => {});
      if (await allSee(cluster, victim, (s) => s === 'alive')) backMs = Date.now() - t0;
      await sleep(2_000);
    });
    const fd = monitor.summary();
    return [
      { figure: `paused ${victim.name} dead in every view after`, value: Number.isNaN(deadMs) ? '> 120 s' : secondsOf(deadMs), target: `declared (suspicion ${secondsOf(suspicionMinMs(cluster.nodes.length))}–${secondsOf(suspicionMaxMs(cluster.nodes.length))} after a failed probe)`, met: !Number.isNaN(deadMs) },
      { figure: 'alive in every view after resuming', value: Number.isNaN(backMs) ? '> 60 s' : secondsOf(backMs), target: `≤ ${BACK_TARGET_MS / 1000} s ("at once")`, met: backMs <= BACK_TARGET_MS },
      { figure: 'false deaths of other nodes', value: String(fd.events), target: '0', met: fd.events === 0 },
      ...workloadFigures(workload),
      ...finalFigures(final, false),
    ];
  });
}

/**
 * Rolling restart: each of the first `restartPeers` peers in turn is taken out of the workload's
 * rotation, drained, restarted with `docker restart` (SIGTERM: it leaves, then starts on its
 * volume), and put back once /readyz answers 200 and every view lists it alive.
 */
export function rollingRestart(ctx: Context): Promise<ScenarioResult> {
  const { cluster, profile, log } = ctx;
  return timed(`rolling restart of ${profile.restartPeers} peers, one at a time`, log, async () => {
    const took: number[] = [];
    const { workload, monitor, final } = await underWorkload(ctx, async (workload) => {
      await sleep(profile.warmupMs);
      workload.tag = 'rolling';
      for (const n of cluster.peerNodes.slice(0, profile.restartPeers)) {
        const t0 = Date.now();
        cluster.out.add(n.name);
        await waitFor(() => (workload.inflight.get(n.name) ?? 0) === 0, { timeoutMs: 20_000, intervalMs: 50, what: `requests through ${n.name} to finish` }).catch(() => {});
        await cluster.restart(n);
        await waitFor(() => allSee(cluster, n, (s) => s === 'alive'), { timeoutMs: 30_000, intervalMs: 250, what: `every view to list ${n.name} alive` }).catch(() => {});
        took.push(Date.now() - t0);
        log(`  ${n.name} restarted and alive everywhere in ${secondsOf(took.at(-1)!)}`);
      }
      workload.tag = 'after';
      await sleep(profile.warmupMs);
    });
    const failed = workload.reads.filter((r) => r.tag === 'rolling' && r.outcome !== 'ok');
    if (failed.length > 0) log(`  failed reads: ${examples(failed, 5)}`);
    const sorted = [...took].sort((x, y) => x - y);
    const fd = monitor.summary();
    return [
      ...workloadFigures(workload, { tags: ['rolling'], readTarget: RESTART_READS_TARGET }),
      ...finalFigures(final, false),
      { figure: 'per peer: out of rotation → alive everywhere (median / max)', value: `${secondsOf(sorted[Math.floor(sorted.length / 2)] ?? Number.NaN)} / ${secondsOf(sorted.at(-1) ?? Number.NaN)}`, target: '—' },
      { figure: 'false deaths of running nodes', value: String(fd.events), target: '0', met: fd.events === 0 },
    ];
  });
}

interface Replicas {
  blocks: { cid: string; replicas: string[]; holders: string[] }[];
}

/** kill -9 of r − 1 holders of a multi-block object: nothing lost, every block on r live holders again within 30 s. */
export function killHolders(ctx: Context): Promise<ScenarioResult> {
  const { cluster, profile, log } = ctx;
  return timed(`kill -9 of r − 1 = ${R - 1} holders`, log, async () => {
    const workload = new Workload(cluster, { ...profile.workload, maxBytes: profile.workload.maxBytes });
    workload.start();
    let repairMs = Number.NaN;
    let victims: ChaosNode[] = [];
    const writer = cluster.peerNodes[0]!;
    try {
      await sleep(profile.warmupMs);
      // One multi-block object, put through peer-1, the way content.e2e.ts does with 50 MiB.
      const big = await new Workload(cluster, { ...profile.workload, minBytes: profile.killObjectBytes, maxBytes: profile.killObjectBytes, timeoutMs: 60_000 }).write(writer);
      if (!big) throw new Error('the multi-block object was not acknowledged');
      workload.written.push(big);
      const where = (via: ChaosNode): Promise<Replicas> => getJson<Replicas>(`${via.base}/v1/objects/${big.cid}/replicas`, 20_000);
      const before = await waitFor(async () => {
        const r = await where(cluster.peerNodes[1]!);
        return r.blocks.every((b) => b.holders.length >= R) ? r : undefined;
      }, { timeoutMs: 60_000, intervalMs: 1_000, what: 'every block on r holders before the kill' });
      const held = new Map<string, number>();
      for (const b of before.blocks) for (const h of b.holders) held.set(h, (held.get(h) ?? 0) + 1);
      victims = cluster.peerNodes
        .filter((n) => n !== writer && (held.get(n.id) ?? 0) > 0)
        .sort((x, y) => (held.get(y.id) ?? 0) - (held.get(x.id) ?? 0))
        .slice(0, R - 1);
      if (victims.length < R - 1) throw new Error(`only ${victims.length} holders besides the writer`);
      workload.tag = 'killed';
      const killedAt = Date.now();
      await Promise.all(victims.map((v) => cluster.kill(v)));
      log(`  killed ${victims.map((v) => `${v.name} (${held.get(v.id)} of ${before.blocks.length} blocks)`).join(', ')}`);
      const gone = new Set(victims.map((v) => v.id));
      await waitFor(async () => {
        const r = await where(cluster.serving()[0]!);
        return r.blocks.every((b) => b.holders.filter((h) => !gone.has(h)).length >= R);
      }, { timeoutMs: 120_000, intervalMs: 1_000, what: 'every block on r live holders' }).then(() => (repairMs = Date.now() - killedAt)).catch(() => {});
      log(`  replicas back to r ${Number.isNaN(repairMs) ? 'not within 120 s' : `${secondsOf(repairMs)} after the kill`}`);
      await sleep(profile.warmupMs);
    } finally {
      await workload.stop();
    }
    const final = await finalRead(cluster, workload.written, { everywhere: false, deadlineMs: 60_000, timeoutMs: 30_000 });
    // The killed holders come back, so that the cluster is whole for whatever runs next.
    await Promise.all(victims.map((v) => cluster.startAgain(v).catch((err: Error) => log(`  ${v.name} did not start again: ${err.message}`))));
    return [
      { figure: 'every block on r live holders again', value: Number.isNaN(repairMs) ? '> 120 s' : secondsOf(repairMs), target: `≤ ${REPAIR_TARGET_MS / 1000} s`, met: repairMs <= REPAIR_TARGET_MS },
      ...workloadFigures(workload, { tags: ['killed'] }),
      ...finalFigures(final, false),
    ];
  });
}

export const SCENARIOS = [partition, loss, shortPause, longPause, rollingRestart, killHolders] as const;

/** Runs `scenarios` in turn on one cluster; a scenario that throws becomes a failed row, and the next one runs. */
export async function runAll(ctx: Context, scenarios: readonly ((ctx: Context) => Promise<ScenarioResult>)[] = SCENARIOS): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    try {
      results.push(await scenario(ctx));
    } catch (err) {
      ctx.log(`  ✗ ${scenario.name}: ${(err as Error).stack ?? err}`);
      results.push({ scenario: scenario.name, seconds: 0, figures: [{ figure: 'ran to the end', value: (err as Error).message.slice(0, 200), target: 'yes', met: false }] });
    } finally {
      await settle(ctx);
    }
  }
  return results;
}

/** Between scenarios: faults cleared, whatever a failed scenario left frozen or killed running again, views converged. */
export async function settle(ctx: Context): Promise<void> {
  await ctx.faults.heal();
  for (const n of ctx.cluster.nodes.filter((x) => ctx.cluster.down.has(x.name))) {
    await ctx.cluster.unpause(n).catch(() => {});
    await ctx.cluster.startAgain(n).catch(() => {});
  }
  await ctx.cluster.waitConverged(60_000).catch(() => ctx.log('  (views not converged within 60 s before the next scenario)'));
}
