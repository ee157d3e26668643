import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ManualClock } from '@peerweave/core/testing';
import {
  DEFAULT_PROBE_INTERVAL_MS,
  DEFAULT_RETRANSMIT_MULT,
  DEFAULT_SUSPICION_MAX_TIMEOUT_MULT,
  DEFAULT_SUSPICION_MULT,
} from './swim-config.ts';
import { retransmitLimit, suspicionTimeout } from './swim-math.ts';
import { SwimCluster } from './test-support.ts';

/*
 * A 30-node cluster over the fake network, every node probing all the others, on a manual clock:
 * the scenarios SWIM and Lifeguard are meant for, replayed exactly from a seed.
 */
const N = 30;
const INTERVAL = DEFAULT_PROBE_INTERVAL_MS;
const START = 1_700_000_000_000; // incarnations are clock.now()

const clusters: SwimCluster[] = [];
async function startCluster(options: Partial<ConstructorParameters<typeof SwimCluster>[0]> = {}): Promise<SwimCluster> {
  const cluster = new SwimCluster({ clock: new ManualClock(START), size: N, seed: 1, ...options });
  clusters.push(cluster);
  await cluster.start();
  return cluster;
}
after(async () => {
  for (const c of clusters) await c.stop();
});

describe('Swim cluster (30 nodes, fake network)', () => {
  it('converges: everyone sees everyone alive, with no suspicion', async () => {
    const cluster = await startCluster();
    await cluster.clock.advance(10 * INTERVAL);
    for (const node of cluster.nodes) {
      const members = node.swim.members();
      assert.equal(members.length, N - 1);
      assert.ok(members.every((m) => m.state === 'alive'));
      assert.equal(node.swim.awarenessScore, 0);
    }
    assert.deepEqual(cluster.suspicions, []);
    assert.deepEqual(cluster.deaths, []);
  });

  it('a killed node is marked dead by every other member within the bound of the formulas', async () => {
    const cluster = await startCluster({ seed: 4 });
    await cluster.clock.advance(10 * INTERVAL);
    const victim = cluster.nodes[7]!;
    await cluster.kill(victim);
    const killedAt = cluster.clock.now();

    // Detection: each of the N − 1 others probes the victim about once per N − 1 periods, so
    // k + 1 = suspicionMult − 1 distinct suspecters are expected within that many periods, plus
    // one period for the failed probe itself. Suspicion: with k confirmations the timer is at its
    // minimum, suspicionMult × log10(N) × interval. Dissemination: the dead update reaches
    // everyone within retransmitLimit(retransmitMult, N) periods of epidemic gossip.
    const detection = DEFAULT_SUSPICION_MULT * INTERVAL;
    const suspicion = suspicionTimeout(DEFAULT_SUSPICION_MULT, N, INTERVAL);
    const dissemination = retransmitLimit(DEFAULT_RETRANSMIT_MULT, N) * INTERVAL;
    const bound = detection + suspicion + dissemination; // 4 s + 5.908 s + 8 s
    assert.equal(bound, 17_908);

    const took = await cluster.runUntil(() => cluster.allSee(victim, 'dead', [victim]), bound, 100);
    assert.ok(took <= bound, `took ${took} ms`);
    // It was suspected first, and only it died.
    assert.ok(cluster.suspicions.some((s) => s.member === victim.id && s.at >= killedAt));
    assert.ok(cluster.deaths.every((d) => d.member === victim.id && d.state === 'dead'));
    // Without any confirmation the cap would be suspicionMaxTimeoutMult times longer.
    const firstDeath = Math.min(...cluster.deaths.map((d) => d.at));
    const firstSuspicion = Math.min(...cluster.suspicions.filter((s) => s.member === victim.id).map((s) => s.at));
    assert.ok(firstDeath - firstSuspicion < DEFAULT_SUSPICION_MAX_TIMEOUT_MULT * suspicion);
  });

  it('a node paused for less than the suspicion timeout is not marked dead, and refutes', async () => {
    const cluster = await startCluster({ seed: 2 });
    await cluster.clock.advance(10 * INTERVAL);
    const sleeper = cluster.nodes[3]!;
    const before = sleeper.swim.incarnation;
    const pauseMs = Math.floor(sleeper.swim.suspicionTimeoutMs() / 2);

    cluster.network.pause(sleeper.address);
    await cluster.clock.advance(pauseMs);
    cluster.network.resume(sleeper.address);
    // Long enough for any suspicion, even unconfirmed, to have run out.
    await cluster.clock.advance(sleeper.swim.suspicionMaxTimeoutMs() + 10 * INTERVAL);

    assert.deepEqual(cluster.deaths, [], 'nobody is declared dead');
    const suspected = cluster.suspicions.some((s) => s.member === sleeper.id);
    assert.ok(suspected, 'the pause was long enough to be noticed');
    assert.ok(sleeper.swim.incarnation > before, 'it refuted the suspicion by raising its incarnation');
    assert.ok(cluster.allSee(sleeper, 'alive'));
    for (const node of cluster.nodes) {
      assert.equal(node.swim.members().filter((m) => m.state !== 'alive').length, 0, `${node.index} still suspects`);
    }
  });

  it('with 5 % message loss for 1 000 probe periods, Lifeguard keeps false deaths at zero', async () => {
    const cluster = await startCluster({ seed: 3, network: { lossRate: 0.05 } });
    await cluster.clock.advance(1000 * INTERVAL);
    const lossRate = cluster.network.lost / cluster.network.sent;
    assert.ok(lossRate > 0.04 && lossRate < 0.06, `loss ${lossRate}`);
    assert.ok(cluster.suspicions.length > 0, 'loss did cause suspicions');
    assert.deepEqual(cluster.deaths, [], 'every suspicion was refuted in time');
    for (const node of cluster.nodes) assert.ok(cluster.allSee(node, 'alive'));
  });

  it('a restarted node (same id, higher incarnation) is taken back alive at once', async () => {
    const cluster = await startCluster({ seed: 5 });
    await cluster.clock.advance(10 * INTERVAL);
    const phoenix = cluster.nodes[11]!;
    const oldIncarnation = phoenix.swim.incarnation;
    await cluster.kill(phoenix);
    await cluster.runUntil(() => cluster.allSee(phoenix, 'dead', [phoenix]), 60_000);

    await cluster.restart(phoenix);
    assert.ok(phoenix.swim.incarnation > oldIncarnation);
    // Its first probe reaches someone, who takes it back on that very message.
    const first = await cluster.runUntil(() => cluster.nodes.some((n) => n.swim.stateOf(phoenix.id) === 'alive'), 2 * INTERVAL, 10);
    assert.ok(first <= 2 * INTERVAL);
    // The rest hear it from gossip or from its own probes.
    await cluster.runUntil(() => cluster.allSee(phoenix, 'alive'), retransmitLimit(DEFAULT_RETRANSMIT_MULT, N) * INTERVAL);
    for (const node of cluster.running()) {
      if (node !== phoenix) assert.equal(node.swim.members().find((m) => m.contact.id === phoenix.id)?.incarnation, phoenix.swim.incarnation);
    }
    assert.ok(phoenix.swim.members().every((m) => m.state === 'alive'));
  });

  it('a graceful leave is marked left quickly, never dead', async () => {
    const cluster = await startCluster({ seed: 6 });
    await cluster.clock.advance(10 * INTERVAL);
    const leaver = cluster.nodes[20]!;
    const leaving = leaver.swim.leave();
    await cluster.clock.advance(100);
    await leaving;
    await cluster.kill(leaver);
    const informed = cluster.nodes.filter((n) => n.swim.stateOf(leaver.id) === 'left').length;
    assert.ok(informed >= 3, `told directly: ${informed}`);

    const took = await cluster.runUntil(
      () => cluster.allSee(leaver, 'left', [leaver]),
      retransmitLimit(DEFAULT_RETRANSMIT_MULT, N) * INTERVAL,
    );
    assert.ok(took < suspicionTimeout(DEFAULT_SUSPICION_MULT, N, INTERVAL), `took ${took} ms`);
    await cluster.clock.advance(60 * INTERVAL);
    assert.ok(cluster.deaths.every((d) => d.member === leaver.id && d.state === 'left'));
    assert.ok(cluster.allSee(leaver, 'left', [leaver]));
  });
});
