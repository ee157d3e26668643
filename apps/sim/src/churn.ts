import type { ClusterNode } from '@peerweave/routing/testing';
import { idFromHex } from '@peerweave/routing';
import type { Random } from '@peerweave/core';
import type { SimTimings } from './sim-timings.ts';
import { createSimCluster, DeathLog, randomRunning, settleAll, startLookup } from './simulate.ts';
import { ContentModel, type ContentSample } from './content-model.ts';

/**
 * Session lengths: Weibull with shape < 1, heavy-tailed (most sessions short, a few very long),
 * as Stutzbach & Rejaie measured in Gnutella, BitTorrent and Kad ("Understanding Churn in
 * Peer-to-Peer Networks", IMC 2006: session lengths fit Weibull or log-normal distributions far
 * better than the exponential that memoryless models assume). Shape 0.5 lies in the range of
 * their Weibull fits (below 1); the scale is our choice, set by the median session below.
 */
export const SESSION_SHAPE = 0.5;
/** Median session (simulated minutes): half the nodes present at the start leave within it. */
export const DEFAULT_MEDIAN_SESSION_MINUTES = 30;

export interface ChurnOptions {
  nodes: number;
  seed: number;
  /** Simulated minutes of churn. */
  minutes: number;
  medianSessionMinutes: number;
  /** Simulated seconds between two samples. */
  sampleSeconds: number;
  /** Lookups started at each sample. */
  lookupsPerSample: number;
  codec: boolean;
  timings: SimTimings;
  /**
   * Content on (content-model.ts, a model: placement and repair by libs/replication's pure
   * functions over the real routing): objects put before the churn starts, and more put at each
   * sample. Off when undefined.
   */
  content?: { objects: number; putsPerSample: number };
  onProgress?: (line: string) => void;
}

export interface ChurnSample {
  /** Simulated seconds since churn started. */
  at: number;
  running: number;
  left: number;
  joined: number;
  lookupSuccess: number;
  messagesPerNodePerSecond: number;
  /** Running nodes whose table holds a node that crashed more than a minute ago. */
  staleTables: number;
  /** With content on: acknowledged objects and how many a reader finds. */
  content?: ContentSample;
}

export interface ChurnReport {
  nodes: number;
  minutes: number;
  sessionShape: number;
  medianSessionMinutes: number;
  departures: 'crash';
  left: number;
  joined: number;
  samples: ChurnSample[];
  lookupSuccess: { mean: number; min: number };
  messagesPerNodePerSecond: { mean: number; max: number };
  /** Live nodes declared dead or gone by live nodes during the churn. */
  falseDeaths: number;
  /** With content on: the lowest share of acknowledged objects readable at a sample, and totals. */
  content?: {
    replicationFactor: number;
    writeQuorum: number;
    repairIntervalMs: number;
    readableMin: number;
    puts: number;
    failedPuts: number;
    pushes: number;
    last: ContentSample;
  };
  realSeconds: number;
  peakRssMiB: number;
}

/** A Weibull draw by inversion: scale × (−ln U)^(1/shape). */
export function weibull(random: Random, shape: number, scale: number): number {
  const u = Math.max(Number.EPSILON, 1 - random.next());
  return scale * Math.pow(-Math.log(u), 1 / shape);
}

/** Weibull scale for a given median: median = scale × (ln 2)^(1/shape). */
export function scaleForMedian(median: number, shape: number): number {
  return median / Math.pow(Math.LN2, 1 / shape);
}

/** Γ(1 + 1/shape) for shape 0.5 is 2: the mean session is twice the scale. */
function meanSession(scale: number, shape: number): number {
  return shape === 0.5 ? 2 * scale : scale * gamma(1 + 1 / shape);
}

function gamma(z: number): number {
  // Lanczos approximation (g = 7), good to ~15 digits for z > 0.5.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  z -= 1;
  let x = c[0]!;
  for (let i = 1; i < 9; i++) x += c[i]! / (z + i);
  const t = z + 7.5;
  return Math.sqrt(2 * Math.PI) * Math.pow(t, z + 0.5) * Math.exp(-t) * x;
}

/**
 * Nodes leave (crash: no leave announced, the harder case for the others) at the end of sessions
 * drawn from a Weibull distribution, and new nodes (new ids) arrive as a Poisson process at the
 * rate that keeps the population at `nodes` on average; the real routing code runs throughout.
 * Every `sampleSeconds` it samples lookup success, messages per node per second and tables still
 * holding a node that crashed over a minute before.
 */
export async function simulateChurn(o: ChurnOptions): Promise<ChurnReport> {
  const started = Date.now();
  const progress = o.onProgress ?? (() => {});
  const t = o.timings;
  let peakRss = process.memoryUsage().rss;
  const cluster = await createSimCluster(o.nodes, o.seed, o.codec, t);
  await cluster.advance(5 * t.probeIntervalMs, t.probeIntervalMs);
  progress(`joined ${o.nodes} nodes (${((Date.now() - started) / 1000).toFixed(0)} s real)`);
  const deaths = new DeathLog(cluster);
  const content = o.content
    ? new ContentModel({ cluster, replicationFactor: t.replicationFactor, writeQuorum: t.writeQuorum })
    : undefined;
  if (content && o.content) {
    await content.put(o.content.objects);
    content.repair();
    progress(`content: ${o.content.objects} objects put with r = ${t.replicationFactor}, w = ${t.writeQuorum} (${((Date.now() - started) / 1000).toFixed(0)} s real)`);
  }
  let lastRepair = cluster.clock.now();

  const scaleMs = scaleForMedian(o.medianSessionMinutes * 60_000, SESSION_SHAPE);
  const arrivalRatePerMs = o.nodes / meanSession(scaleMs, SESSION_SHAPE);
  const start = cluster.clock.now();
  const endsAt = new Map<number, number>();
  const session = (n: ClusterNode): void => void endsAt.set(n.index, cluster.clock.now() + weibull(cluster.random, SESSION_SHAPE, scaleMs));
  // The nodes present at the start are a snapshot of a network in equilibrium: each is part-way
  // through a session drawn length-biased (long sessions are more likely to be under way), so
  // the population neither collapses nor grows from the start.
  for (const n of cluster.running()) endsAt.set(n.index, cluster.clock.now() + residualSession(cluster.random, scaleMs));
  let nextArrival = start + exponential(cluster.random, arrivalRatePerMs);
  const crashedAt = new Map<string, number>();
  let left = 0;
  let joined = 0;
  const samples: ChurnSample[] = [];
  const ids = (): Uint8Array[] => cluster.nodes.map((n) => idFromHex(n.id));
  let sentAtSample = cluster.network.stats().total.sent;
  let lastSample = start;
  const end = start + o.minutes * 60_000;

  while (cluster.clock.now() < end) {
    await cluster.advance(t.probeIntervalMs, t.probeIntervalMs);
    const now = cluster.clock.now();
    for (const [index, at] of endsAt) {
      if (at > now) continue;
      endsAt.delete(index);
      const n = cluster.nodes[index]!;
      if (!n.running) continue;
      cluster.kill(index);
      content?.departed(index);
      crashedAt.set(n.id, now);
      left++;
    }
    if (content && now - lastRepair >= t.repairIntervalMs) {
      content.repair();
      lastRepair = now;
    }
    while (nextArrival <= now) {
      const n = cluster.join();
      deaths.watch(n);
      session(n);
      joined++;
      nextArrival += exponential(cluster.random, arrivalRatePerMs);
    }
    if (now - lastSample >= o.sampleSeconds * 1000 || now >= end) {
      const sent = cluster.network.stats().total.sent;
      const running = cluster.running();
      const lookups: Promise<{ ok: boolean }>[] = [];
      const idList = ids();
      for (let i = 0; i < o.lookupsPerSample; i++) lookups.push(startLookup(cluster, randomRunning(cluster), idList));
      await settleAll(cluster, lookups);
      const results = await Promise.all(lookups);
      if (content && o.content) await content.put(o.content.putsPerSample);
      const contentSample = content ? await content.sample() : undefined;
      const stale = [...crashedAt].filter(([, at]) => now - at > 60_000).map(([id]) => id);
      const sample: ChurnSample = {
        at: (now - start) / 1000,
        running: running.length,
        left,
        joined,
        lookupSuccess: results.filter((r) => r.ok).length / Math.max(1, results.length),
        messagesPerNodePerSecond: (sent - sentAtSample) / running.length / ((now - lastSample) / 1000),
        staleTables: running.filter((n) => stale.some((id) => n.routing.hasContact(id))).length,
        ...(contentSample ? { content: contentSample } : {}),
      };
      samples.push(sample);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      progress(
        `churn ${sample.at.toFixed(0)} s: ${sample.running} running, ${left} left, ${joined} joined, lookups ${(100 * sample.lookupSuccess).toFixed(0)} %, ` +
          `${sample.messagesPerNodePerSecond.toFixed(2)} msg/node/s, ${sample.staleTables} stale tables` +
          (contentSample ? `, content ${contentSample.readable}/${contentSample.acknowledged} readable (${contentSample.lost} lost)` : '') +
          ` (${((Date.now() - started) / 1000).toFixed(0)} s real)`,
      );
      sentAtSample = cluster.network.stats().total.sent;
      lastSample = cluster.clock.now();
    }
  }
  const falseDeaths = deaths.events.filter((e) => {
    const at = crashedAt.get(e.member);
    return at === undefined || e.at < at;
  }).length;
  await cluster.stop();
  const successes = samples.map((s) => s.lookupSuccess);
  const rates = samples.map((s) => s.messagesPerNodePerSecond);
  return {
    nodes: o.nodes,
    minutes: o.minutes,
    sessionShape: SESSION_SHAPE,
    medianSessionMinutes: o.medianSessionMinutes,
    departures: 'crash',
    left,
    joined,
    samples,
    lookupSuccess: { mean: mean(successes), min: Math.min(...successes) },
    messagesPerNodePerSecond: { mean: mean(rates), max: Math.max(...rates) },
    falseDeaths,
    ...(content
      ? {
          content: {
            replicationFactor: t.replicationFactor,
            writeQuorum: t.writeQuorum,
            repairIntervalMs: t.repairIntervalMs,
            readableMin: Math.min(...samples.map((s) => (s.content && s.content.acknowledged > 0 ? s.content.readable / s.content.acknowledged : 1))),
            puts: content.puts,
            failedPuts: content.failedPuts,
            pushes: content.pushes,
            last: samples.at(-1)!.content!,
          },
        }
      : {}),
    realSeconds: (Date.now() - started) / 1000,
    peakRssMiB: peakRss / 2 ** 20,
  };
}

/**
 * The time left of a session under way at a random instant, for shape 0.5: U × L with L
 * length-biased. If X ~ Weibull(k, λ), (X/λ)^k ~ Exp(1), and length-biasing it gives
 * Gamma(1 + 1/k) = Gamma(3) for k = 0.5, a sum of three Exp(1); so L = λ × G².
 */
function residualSession(random: Random, scale: number): number {
  const e = (): number => -Math.log(Math.max(Number.EPSILON, 1 - random.next()));
  const g = e() + e() + e();
  return random.next() * scale * g * g;
}

function exponential(random: Random, ratePerMs: number): number {
  return -Math.log(Math.max(Number.EPSILON, 1 - random.next())) / ratePerMs;
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

