// Issue #12, idle CPU: the periodic work of search at the default periods, on the manual clock. An
// idle leaf heartbeats each supernode once per heartbeat (60 s), not once per round (15 s); a
// supernode gossips with the mesh as often and otherwise only expires leaves locally; and a
// supernode that restarts still gets its leaves back within a round, seen from the incarnation
// routing shows of it, also after they gave it up as failed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { SearchLoadResponse } from '@peerweave/protocol';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_LEAF_EXPIRY_MS, DEFAULT_MAINTENANCE_MS, SHUN_ROUNDS, resolveSearchOptions } from './search-options.ts';
import { gossipDue, SupernodeServer } from './supernode-server.ts';
import { entry, hexId, setup } from './test-support.ts';

const ROUND = DEFAULT_MAINTENANCE_MS;
const HEARTBEAT = DEFAULT_HEARTBEAT_MS;
const STEP = { stepMs: 100, maxMs: 10 * HEARTBEAT };

/** A leaf attached to supernode `5` (incarnation 1), at the default periods. */
async function attachedLeaf() {
  const t = setup();
  const sn = t.add('5', { role: 'supernode' });
  const leaf = t.add('1', { attachCount: 1 });
  leaf.candidates.push({ ...sn.self, incarnation: 1 });
  leaf.records.upsert(entry('bafy1', 'cat'));
  await sn.node.start();
  await leaf.node.start();
  await t.until(() => sn.leafIndex!.count() === 1, 'attached and published', STEP);
  return { t, sn, leaf };
}

describe('search maintenance: periods and what a round skips', () => {
  it('options: a 15 s round, 180 s heartbeats, leaves expire after three heartbeats, shuns last three rounds; a short heartbeat shortens the round', () => {
    const o = resolveSearchOptions({});
    assert.deepEqual([o.maintenanceMs, o.heartbeatMs, o.leafExpiryMs, o.shunMs], [15_000, 180_000, 540_000, 45_000]);
    assert.equal(DEFAULT_LEAF_EXPIRY_MS, 3 * DEFAULT_HEARTBEAT_MS);
    const short = resolveSearchOptions({ heartbeatMs: 2_000 });
    assert.deepEqual([short.maintenanceMs, short.leafExpiryMs, short.shunMs], [2_000, 6_000, SHUN_ROUNDS * 2_000]);
    const explicit = resolveSearchOptions({ heartbeatMs: 30_000, maintenanceMs: 5_000, shunMs: 1_000 });
    assert.deepEqual([explicit.maintenanceMs, explicit.leafExpiryMs, explicit.shunMs], [5_000, 90_000, 1_000]);
    assert.throws(() => resolveSearchOptions({ maintenanceMs: -1 }), { code: 'INVALID_ARGUMENT' });
  });

  it('an idle leaf sends its supernode one heartbeat per heartbeat period (180 s), not one per 15 s round', async () => {
    const { t, sn, leaf } = await attachedLeaf();
    const before = sn.node.metrics.totals().publishesReceived;
    const periods = 10;
    await t.clock.advance(periods * HEARTBEAT);
    const beats = sn.node.metrics.totals().publishesReceived - before;
    // One per heartbeat period, rounded up to a round: between periods × 180/195 and periods.
    assert.ok(beats <= periods && beats >= Math.floor((periods * HEARTBEAT) / (HEARTBEAT + ROUND)), `${beats} heartbeats in ${periods} periods`);
    assert.deepEqual(sn.node.leaves(), [leaf.self.id], 'the leaf stays attached: never silent for the expiry');
    await leaf.node.stop();
    await sn.node.stop();
  });

  it('a supernode gossips with the mesh once per heartbeat, and still expires a silent leaf (three heartbeats, checked every round)', async () => {
    const t = setup();
    let loads = 0;
    const other = { id: hexId('9'), address: '9:1' };
    t.network.listen(other.address, {
      searchLoad: async (): Promise<SearchLoadResponse> => {
        loads++;
        return { supernode: true, leaves: 0, entries: 0, supernodes: [] };
      },
    });
    const sn = t.add('5', { role: 'supernode' });
    sn.candidates.push(other);
    await sn.node.start();
    const silent = { id: hexId('2'), address: '2:1' };
    await sn.node.handler.attach({ leaf: silent }, {} as never);
    const attachedAt = t.clock.now();
    await t.until(() => sn.node.leaves().length === 0, 'the silent leaf expired', STEP);
    const waited = t.clock.now() - attachedAt;
    assert.ok(waited >= DEFAULT_LEAF_EXPIRY_MS && waited <= DEFAULT_LEAF_EXPIRY_MS + ROUND + 100, `expired after ${waited} ms`);
    const start = t.clock.now();
    const before = loads;
    await t.clock.advance(10 * HEARTBEAT);
    const gossips = loads - before;
    assert.ok(gossips >= 8 && gossips <= 10, `${gossips} mesh gossips in 10 heartbeats (${t.clock.now() - start} ms)`);
    await sn.node.stop();
  });

  it('a supernode whose gossip learnt a supernode asks again the next round, and once a heartbeat after the mesh stops growing', async () => {
    const clock = new ManualClock(0);
    const grows = [true, true, false];
    const gossipedAt: number[] = [];
    const directory = {
      known: () => [{ id: hexId('9'), address: '9:1' }],
      gossip: async () => (gossipedAt.push(clock.now()), grows.shift() ?? false),
      prune: () => {},
      heardFrom: () => {},
    };
    const server = new SupernodeServer({ selfId: hexId('5'), role: 'supernode', clock, random: new SeededRandom(1), directory, maxLeaves: 10, leafExpiryMs: 3 * HEARTBEAT, maintenanceMs: ROUND, heartbeatMs: HEARTBEAT });
    for (let round = 0; round * ROUND <= 2 * HEARTBEAT; round++) {
      await server.maintain();
      await clock.advance(ROUND);
    }
    assert.deepEqual(gossipedAt, [0, ROUND, 2 * ROUND, 2 * ROUND + HEARTBEAT]);
  });

  it('gossipDue (table)', () => {
    const rows: [number | undefined, number, boolean][] = [
      [undefined, 0, true],
      [1_000, 1_000 + HEARTBEAT - 1, false],
      [1_000, 1_000 + HEARTBEAT, true],
      [1_000, 1_000 + 5 * HEARTBEAT, true],
    ];
    for (const [last, now, due] of rows) assert.equal(gossipDue(last, now, HEARTBEAT), due, `${last} → ${now}`);
    // The last round learnt a supernode: the mesh is still forming, ask again at the next round.
    assert.equal(gossipDue(1_000, 1_000 + ROUND, HEARTBEAT, true), true);
    assert.equal(gossipDue(1_000, 1_000 + ROUND, HEARTBEAT, false), false);
  });
});

describe('search maintenance: a restarted supernode gets its leaves back within a round', () => {
  it('restarted while the leaf is attached (it forgot the leaf): re-attached and re-published within a round, not a heartbeat', async () => {
    const { t, sn, leaf } = await attachedLeaf();
    await t.clock.advance(HEARTBEAT / 2);
    // The restart: the process goes, a new one listens at the same address with an empty index,
    // and routing soon shows it at a higher incarnation.
    t.network.kill(sn.self.address);
    await sn.node.stop();
    const again = t.add('5', { role: 'supernode' });
    await again.node.start();
    leaf.candidates.splice(0, 1, { ...again.self, incarnation: 2 });
    const restartedAt = t.clock.now();
    await t.until(() => again.leafIndex!.count() === 1, 'the leaf re-published to the restarted supernode', STEP);
    const waited = t.clock.now() - restartedAt;
    assert.ok(waited <= ROUND + 100, `back after ${waited} ms (a round is ${ROUND} ms, a heartbeat ${HEARTBEAT} ms)`);
    assert.deepEqual(again.node.leaves(), [leaf.self.id]);
    await leaf.node.stop();
    await again.node.stop();
  });

  it('declared dead and given up, then back at a higher incarnation: the shun ends at once, re-attached within a round', async () => {
    const { t, sn, leaf } = await attachedLeaf();
    t.network.kill(sn.self.address);
    await sn.node.stop();
    // Routing declares it dead: it leaves the candidates, the leaf detaches and shuns it.
    leaf.candidates.splice(0, 1);
    leaf.node.contactDead(sn.self.id);
    assert.equal(leaf.node.attachedSupernodes().length, 0);
    await t.clock.advance(5_000);
    const again = t.add('5', { role: 'supernode' });
    await again.node.start();
    leaf.candidates.push({ ...again.self, incarnation: 2 });
    const restartedAt = t.clock.now();
    await t.until(() => again.leafIndex!.count() === 1, 'the leaf re-attached to the restarted supernode', STEP);
    const waited = t.clock.now() - restartedAt;
    const shunLeft = SHUN_ROUNDS * ROUND - 5_000;
    assert.ok(waited <= ROUND + 100 && waited < shunLeft, `back after ${waited} ms, the shun had ${shunLeft} ms left`);
    await leaf.node.stop();
    await again.node.stop();
  });

  it('without a higher incarnation a given-up supernode stays shunned for its three rounds', async () => {
    const { t, sn, leaf } = await attachedLeaf();
    leaf.node.contactDead(sn.self.id);
    const shunnedAt = t.clock.now();
    await t.until(() => leaf.node.attachedSupernodes().length === 1, 're-attached once the shun ran out', STEP);
    const waited = t.clock.now() - shunnedAt;
    assert.ok(waited >= SHUN_ROUNDS * ROUND && waited <= (SHUN_ROUNDS + 1) * ROUND + 100, `re-attached after ${waited} ms`);
    await leaf.node.stop();
    await sn.node.stop();
  });
});
