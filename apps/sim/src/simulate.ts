import { createTestCluster, type TestCluster } from '@peerweave/routing/testing';
import { closestN, idFromHex } from '@peerweave/routing';

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
  probeIntervalMs: number;
  probeTimeoutMs: number;
  k: number;
  onProgress?: (line: string) => void;
}

export interface SimReport {
  nodes: number;
  seed: number;
  joinSimSeconds: number;
  hops: { p50: number; p90: number; p99: number; max: number };
  lookupSuccess: number;
  table: { mean: number; min: number; max: number };
  messagesPerNodePerPeriod: number;
  messagesPerNodePerSecond: number;
  killed: number;
  detectionSimSeconds: number;
  /** Tables still holding a killed node when the detection limit ended (0: all dropped). */
  holdersLeft: number;
  loss: number;
  lossPeriods: number;
  falseDeaths: number;
  realSeconds: number;
  heapMiB: number;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

async function settle<T>(cluster: TestCluster, promise: Promise<T>, stepMs = 5): Promise<T> {
  let done = false;
  void promise.finally(() => (done = true)).catch(() => {});
  while (!done) await cluster.clock.advance(stepMs);
  return promise;
}

/**
 * Runs the real routing code (Kademlia + SWIM) for `nodes` nodes over the in-memory network on a
 * manual clock and measures what the issue asks: lookup hops and success, table sizes, message
 * rate, time to drop killed nodes everywhere, and false deaths under loss.
 */
export async function simulate(o: SimOptions): Promise<SimReport> {
  const started = Date.now();
  const progress = o.onProgress ?? (() => {});
  const cluster = await createTestCluster(o.nodes, {
    seed: o.seed,
    joinBatch: Math.max(50, Math.floor(o.nodes / 50)),
    joinSettleMs: 1_000,
    routing: { k: o.k, swim: { probeIntervalMs: o.probeIntervalMs, probeTimeoutMs: o.probeTimeoutMs } },
  });
  const joinSimSeconds = (cluster.clock.now() - 1_700_000_000_000) / 1000;
  progress(`joined ${o.nodes} nodes (${joinSimSeconds.toFixed(0)} s simulated, ${((Date.now() - started) / 1000).toFixed(1)} s real)`);
  await cluster.advance(5 * o.probeIntervalMs);

  // Steady-state message rate.
  const periods = 10;
  cluster.network.resetStats();
  await cluster.advance(periods * o.probeIntervalMs);
  const sent = cluster.network.stats().total.sent;
  const messagesPerNodePerPeriod = sent / o.nodes / periods;

  // Lookups of random node ids from random nodes; success = the true closest live node is first.
  const hops: number[] = [];
  let success = 0;
  const ids = cluster.nodes.map((n) => idFromHex(n.id));
  for (let i = 0; i < o.lookups; i++) {
    const from = cluster.nodes[cluster.random.int(o.nodes)]!;
    const key = cluster.random.bytes(32);
    const result = await settle(cluster, from.routing.lookup(key));
    hops.push(result.hops);
    const truth = closestN(
      cluster.nodes.filter((n) => n !== from),
      key,
      1,
      (n) => ids[n.index]!,
    )[0]!;
    if (result.closest[0]?.id === truth.id) success++;
  }
  hops.sort((a, b) => a - b);
  progress(`${o.lookups} lookups done`);

  const sizes = cluster.nodes.map((n) => n.routing.tableSize);
  const table = {
    mean: sizes.reduce((a, b) => a + b, 0) / sizes.length,
    min: Math.min(...sizes),
    max: Math.max(...sizes),
  };

  // Kill some nodes at once; time until no live node still holds any of them in its table.
  const victims = new Set<number>();
  while (victims.size < Math.min(o.kill, o.nodes - 1)) victims.add(cluster.random.int(o.nodes));
  const victimIds = [...victims].map((i) => cluster.nodes[i]!.id);
  for (const v of victims) cluster.kill(v);
  const killedAt = cluster.clock.now();
  const holds = (): boolean =>
    cluster.running().some((n) => victimIds.some((id) => n.routing.hasContact(id)));
  const holders = (): number =>
    cluster.running().filter((n) => victimIds.some((id) => n.routing.hasContact(id))).length;
  while (victims.size > 0 && holds()) {
    await cluster.advance(o.probeIntervalMs, o.probeIntervalMs);
    if (cluster.clock.now() - killedAt >= o.detectLimitSeconds * 1000) break;
  }
  const detectionSimSeconds = (cluster.clock.now() - killedAt) / 1000;
  const holdersLeft = holders();
  progress(
    victims.size === 0
      ? 'kill phase skipped'
      : holdersLeft === 0
      ? `killed ${victims.size}: dropped everywhere after ${detectionSimSeconds.toFixed(1)} s simulated`
      : `killed ${victims.size}: ${holdersLeft} tables still hold one after ${detectionSimSeconds.toFixed(0)} s simulated`,
  );

  // False deaths: live nodes declared dead by any live node during a window of loss.
  cluster.network.setLoss(o.loss);
  const live = cluster.running();
  let falseDeaths = 0;
  const declared = new Set<string>();
  for (let p = 0; p < o.lossPeriods; p++) {
    await cluster.advance(o.probeIntervalMs, o.probeIntervalMs);
    if (p % 10 === 9 || p === o.lossPeriods - 1) {
      for (const n of live) {
        for (const peer of n.routing.peers()) {
          if ((peer.state === 'dead' || peer.state === 'left') && !victimIds.includes(peer.id)) {
            const key = `${n.id}>${peer.id}`;
            if (!declared.has(key)) {
              declared.add(key);
              falseDeaths++;
            }
          }
        }
      }
    }
  }
  cluster.network.setLoss(0);
  progress(`loss window: ${falseDeaths} false deaths`);

  const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
  await cluster.stop();
  return {
    nodes: o.nodes,
    seed: o.seed,
    joinSimSeconds,
    hops: { p50: pct(hops, 50), p90: pct(hops, 90), p99: pct(hops, 99), max: hops.at(-1) ?? 0 },
    lookupSuccess: success / Math.max(1, o.lookups),
    table,
    messagesPerNodePerPeriod,
    messagesPerNodePerSecond: messagesPerNodePerPeriod * (1000 / o.probeIntervalMs),
    killed: victims.size,
    detectionSimSeconds,
    holdersLeft,
    loss: o.loss,
    lossPeriods: o.lossPeriods,
    falseDeaths,
    realSeconds: (Date.now() - started) / 1000,
    heapMiB,
  };
}
