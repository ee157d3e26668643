import { createTestCluster, type ClusterNode, type TestCluster } from '@peerweave/routing/testing';
import { closestN, idFromHex } from '@peerweave/routing';
import { routingOptions, type SimTimings } from './sim-timings.ts';

export interface SimOptions {
  nodes: number;
  seed: number;
  lookups: number;
  /** Nodes killed at once for the detection figure. */
  kill: number;
  /** Message loss during the false-death window. */
  loss: number;
  /** Protocol periods of the loss window. */
  lossPeriods: number;
  /** Simulated seconds to wait for killed nodes to leave every table before reporting what is left. */
  detectLimitSeconds: number;
  /** Lookups started every protocol period while the killed nodes are being detected. */
  lookupsPerPeriodDuringKill: number;
  /** Every message through its codec both ways, as on the wire (MemoryNetworkInit.codec). */
  codec: boolean;
  timings: SimTimings;
  onProgress?: (line: string) => void;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface SimReport {
  nodes: number;
  seed: number;
  codec: boolean;
  timings: SimTimings;
  joinSimSeconds: number;
  lookups: number;
  /** Rounds of the iterative lookup until the k closest were known (IPFS's path length). */
  rounds: Percentiles;
  /** FIND_NODE RPCs per lookup. */
  rpcs: Percentiles;
  /** Depth at which the closest node was first learnt (the figure reported before rounds). */
  hops: Percentiles;
  /** Share of lookups whose first result is the true closest live node. */
  lookupSuccess: number;
  table: { mean: number; min: number; max: number };
  messagesPerNodePerPeriod: number;
  messagesPerNodePerSecond: number;
  killed: number;
  detectionSimSeconds: number;
  /** Tables still holding a killed node when the detection limit ended (0: all dropped). */
  holdersLeft: number;
  /** Lookups started while the killed nodes were still in some table, and the share that succeeded. */
  lookupsDuringKill: number;
  lookupSuccessDuringKill: number;
  loss: number;
  lossPeriods: number;
  /** (observer, member) pairs where a live member was declared dead or gone during the loss window. */
  falseDeaths: number;
  /** The same outside the loss window (join, lookups, kill phase). */
  falseDeathsOutsideLoss: number;
  realSeconds: number;
  heapMiB: number;
  peakRssMiB: number;
}

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted.at(-1) ?? 0 };
}

/** Advances the clock in small steps until every promise has settled. */
export async function settleAll(cluster: TestCluster, promises: Promise<unknown>[], stepMs = 5): Promise<void> {
  let left = promises.length;
  for (const p of promises) void p.then(() => left--, () => left--);
  while (left > 0) await cluster.clock.advance(stepMs);
}

interface LookupSample {
  rounds: number;
  rpcs: number;
  hops: number;
  ok: boolean;
}

/**
 * One lookup of a random key from `from`; ok when it completed and its first result is the true
 * closest of the running nodes (other than `from`).
 */
export function startLookup(cluster: TestCluster, from: ClusterNode, ids: Uint8Array[]): Promise<LookupSample> {
  const key = cluster.random.bytes(32);
  return from.routing.lookup(key).then(
    (result) => {
      const truth = closestN(
        cluster.nodes.filter((n) => n.running && n !== from),
        key,
        1,
        (n) => ids[n.index]!,
      )[0];
      return { rounds: result.rounds, rpcs: result.queried, hops: result.hops, ok: !result.timedOut && result.closest[0]?.id === truth?.id };
    },
    () => ({ rounds: 0, rpcs: 0, hops: 0, ok: false }),
  );
}

export function randomRunning(cluster: TestCluster): ClusterNode {
  for (;;) {
    const n = cluster.nodes[cluster.random.int(cluster.nodes.length)]!;
    if (n.running) return n;
  }
}

/** Deaths (and leaves) declared by running nodes, recorded as they happen ('contact-dead'). */
export class DeathLog {
  readonly events: { at: number; observer: string; member: string }[] = [];
  readonly #cluster: TestCluster;
  readonly #watched = new WeakSet<object>();

  constructor(cluster: TestCluster) {
    this.#cluster = cluster;
    this.watchAll();
  }

  /** Watches every node's current routing instance (call again after nodes join or restart). */
  watchAll(): void {
    for (const n of this.#cluster.nodes) this.watch(n);
  }

  watch(n: ClusterNode): void {
    const routing = n.routing;
    if (this.#watched.has(routing)) return;
    this.#watched.add(routing);
    routing.on('contact-dead', (member) => {
      if (n.running) this.events.push({ at: this.#cluster.clock.now(), observer: n.id, member });
    });
  }
}

/**
 * Where the simulated clock starts: 1 s, not a date. Times and incarnations stay below 2^30 ms
 * (12 days), so V8 keeps them as small integers instead of boxing each in a heap number: at 1 000
 * nodes 1.25 million heap numbers, 19 MiB of a 230 MiB heap.
 */
export const SIM_START_MS = 1_000;

/** The simulated network: `nodes` real routing nodes joined over the memory network on a manual clock. */
export function createSimCluster(nodes: number, seed: number, codec: boolean, t: SimTimings): Promise<TestCluster> {
  return createTestCluster(nodes, {
    seed,
    startMs: SIM_START_MS,
    // 20 batches: each batch waits a second while every node already in runs, so fewer, larger
    // batches join 10 000 nodes in ~210 000 node-periods instead of ~510 000 with 50.
    joinBatch: Math.max(50, Math.floor(nodes / 20)),
    joinSettleMs: 1_000,
    codec,
    routing: routingOptions(t),
  });
}

/**
 * Runs the real routing code (Kademlia + SWIM) for `nodes` nodes over the in-memory network on a
 * manual clock, with the codecs on and the lan preset's timings, and measures: lookup rounds,
 * RPCs and success, table sizes, message rate, time to drop `kill` nodes killed at once from every
 * table (with lookups running meanwhile), and false deaths during a window of message loss.
 */
export async function simulate(o: SimOptions): Promise<SimReport> {
  const started = Date.now();
  const progress = o.onProgress ?? (() => {});
  const t = o.timings;
  let peakRss = process.memoryUsage().rss;
  const sampleRss = (): void => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  const real = (): string => `${((Date.now() - started) / 1000).toFixed(0)} s real`;

  const cluster = await createSimCluster(o.nodes, o.seed, o.codec, t);
  const joinSimSeconds = (cluster.clock.now() - SIM_START_MS) / 1000;
  progress(`joined ${o.nodes} nodes (${joinSimSeconds.toFixed(0)} s simulated, ${real()})`);
  const deaths = new DeathLog(cluster);
  await cluster.advance(5 * t.probeIntervalMs, t.probeIntervalMs);
  sampleRss();

  // Steady-state message rate.
  const periods = 10;
  cluster.network.resetStats();
  await cluster.advance(periods * t.probeIntervalMs, t.probeIntervalMs);
  const sent = cluster.network.stats().total.sent;
  const messagesPerNodePerPeriod = sent / o.nodes / periods;

  // Lookups of random ids from random nodes, a batch at a time.
  const ids = cluster.nodes.map((n) => idFromHex(n.id));
  const samples: LookupSample[] = [];
  const batch = 25;
  for (let i = 0; i < o.lookups; i += batch) {
    const round: Promise<LookupSample>[] = [];
    for (let j = i; j < Math.min(o.lookups, i + batch); j++) round.push(startLookup(cluster, randomRunning(cluster), ids));
    await settleAll(cluster, round);
    for (const r of round) samples.push(await r);
  }
  sampleRss();
  {
    // Printed as soon as known: a big run that dies later still leaves its lookup figures.
    const r = percentiles(samples.map((s) => s.rounds));
    const q = percentiles(samples.map((s) => s.rpcs));
    const ok = samples.filter((s) => s.ok).length;
    progress(`${o.lookups} lookups done: rounds p50/p90/p99 ${r.p50}/${r.p90}/${r.p99}, RPCs ${q.p50}/${q.p90}/${q.p99}, ${ok} found the closest (${real()})`);
  }

  const sizes = cluster.nodes.map((n) => n.routing.tableSize);
  const table = {
    mean: sizes.reduce((a, b) => a + b, 0) / sizes.length,
    min: Math.min(...sizes),
    max: Math.max(...sizes),
  };

  // Kill some nodes at once; time until no live node still holds any of them in its table, with
  // lookups from random live nodes started every period meanwhile.
  const victims = new Set<number>();
  while (victims.size < Math.min(o.kill, o.nodes - 1)) victims.add(cluster.random.int(o.nodes));
  const victimIds = new Set([...victims].map((i) => cluster.nodes[i]!.id));
  for (const v of victims) cluster.kill(v);
  const killedAt = cluster.clock.now();
  // Asked every period of the kill phase: at 10 000 nodes a copy of the 100 ids for each node made
  // a million-element garbage per period.
  const victimList = [...victimIds];
  const holders = (): number => {
    let count = 0;
    for (const n of cluster.nodes) if (n.running && victimList.some((id) => n.routing.hasContact(id))) count++;
    return count;
  };
  const duringKill: Promise<LookupSample>[] = [];
  let holdersLeft = victims.size > 0 ? holders() : 0;
  while (holdersLeft > 0 && cluster.clock.now() - killedAt < o.detectLimitSeconds * 1000) {
    for (let j = 0; j < o.lookupsPerPeriodDuringKill; j++) duringKill.push(startLookup(cluster, randomRunning(cluster), ids));
    await cluster.advance(t.probeIntervalMs, t.probeIntervalMs);
    holdersLeft = holders();
  }
  const detectionSimSeconds = (cluster.clock.now() - killedAt) / 1000;
  await settleAll(cluster, duringKill);
  const killSamples = await Promise.all(duringKill);
  sampleRss();
  progress(
    victims.size === 0
      ? 'kill phase skipped'
      : holdersLeft === 0
      ? `killed ${victims.size}: dropped everywhere after ${detectionSimSeconds.toFixed(1)} s simulated (${real()})`
      : `killed ${victims.size}: ${holdersLeft} tables still hold one after ${detectionSimSeconds.toFixed(0)} s simulated (${real()})`,
  );

  // False deaths: live nodes declared dead by live nodes during a window of loss.
  const isFalse = (e: { member: string }): boolean => !victimIds.has(e.member);
  const falseBefore = deaths.events.filter(isFalse).length;
  cluster.network.setLoss(o.loss);
  const lossStart = deaths.events.length;
  for (let p = 0; p < o.lossPeriods; p++) {
    await cluster.advance(t.probeIntervalMs, t.probeIntervalMs);
    if (p % 100 === 99) {
      sampleRss();
      progress(`loss window: ${p + 1} periods, ${deaths.events.slice(lossStart).filter(isFalse).length} false deaths (${real()})`);
    }
  }
  cluster.network.setLoss(0);
  const falseDeaths = deaths.events.slice(lossStart).filter(isFalse).length;
  progress(`loss window: ${falseDeaths} false deaths (${real()})`);

  sampleRss();
  const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
  await cluster.stop();
  const ok = (xs: LookupSample[]): number => xs.filter((s) => s.ok).length / Math.max(1, xs.length);
  return {
    nodes: o.nodes,
    seed: o.seed,
    codec: o.codec,
    timings: t,
    joinSimSeconds,
    lookups: samples.length,
    rounds: percentiles(samples.map((s) => s.rounds)),
    rpcs: percentiles(samples.map((s) => s.rpcs)),
    hops: percentiles(samples.map((s) => s.hops)),
    lookupSuccess: ok(samples),
    table,
    messagesPerNodePerPeriod,
    messagesPerNodePerSecond: messagesPerNodePerPeriod * (1000 / t.probeIntervalMs),
    killed: victims.size,
    detectionSimSeconds,
    holdersLeft,
    lookupsDuringKill: killSamples.length,
    lookupSuccessDuringKill: ok(killSamples),
    loss: o.loss,
    lossPeriods: o.lossPeriods,
    falseDeaths,
    falseDeathsOutsideLoss: falseBefore,
    realSeconds: (Date.now() - started) / 1000,
    heapMiB,
    peakRssMiB: peakRss / 2 ** 20,
  };
}
