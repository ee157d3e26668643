import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@peerweave/core/testing';
import type { PeerContact } from '@peerweave/protocol';
import type { BlockKind } from '@peerweave/storage';
import type { PeerAsks, WhoHas } from './content-peers.ts';
import { DEFAULT_REPAIR_DELAY_MS, DEFAULT_REPAIR_INTERVAL_MS, Repair, REPAIR_PASS_COUNTER } from './repair.ts';
import { REVERIFY_EVERY_PASSES } from './repair-plan.ts';
import { contact, contentMetrics, memoryDb, rawBlock } from './test-support.ts';

const self = contact(0x10);
const a = contact(0x20);
const b = contact(0x30);
const c = contact(0x40);

/** A repair over fake peers: `holdings` says who holds what, `down` who does not answer. */
function setup(db = memoryDb()) {
  const clock = new ManualClock(0);
  const { metrics, recorded } = contentMetrics();
  const holdings = new Map<string, Set<string>>();
  const down = new Set<string>();
  const asked: string[] = [];
  const pushed: string[] = [];
  let replicas: PeerContact[] = [self, a, b];
  let listener: (() => void) | undefined;
  const counts = { garbage: 0, evictions: 0 };
  const holds = (peer: PeerContact, cid: string) => holdings.get(peer.id)?.has(cid) ?? false;
  const repair = new Repair({
    self,
    clock,
    db,
    metrics,
    routing: { on: (_e, l) => (listener = l), off: () => (listener = undefined) },
    replicaSet: { r: 3, knownPreferenceList: () => replicas },
    peers: {
      concurrency: 4,
      whoHas: async (asks: PeerAsks): Promise<WhoHas> => {
        const result: WhoHas = { held: new Set(), lacking: [], unreachable: new Set() };
        for (const { peer, cids } of asks.values()) {
          for (const cid of cids) {
            asked.push(`${peer.id.slice(0, 2)}/${cid.slice(-4)}`);
            if (down.has(peer.id)) result.unreachable.add(cid);
            else if (holds(peer, cid)) result.held.add(`${peer.id}/${cid}`);
            else result.lacking.push({ peer, cid });
          }
        }
        return result;
      },
    },
    push: {
      push: async (peer, cid) => {
        if (down.has(peer.id)) return false;
        pushed.push(`${peer.id.slice(0, 2)}/${cid.slice(-4)}`);
        holdings.set(peer.id, (holdings.get(peer.id) ?? new Set()).add(cid));
        return true;
      },
    },
    tombstones: { collectGarbage: () => void counts.garbage++ },
    cache: { evict: async () => void counts.evictions++ },
  });
  const hold = (cid: string, kind: BlockKind = 'replica', hintFor?: string) =>
    db.addBlock({ cid, bytes: 1, roots: ['root'], kind, ...(hintFor ? { hintFor } : {}), nowMs: 0 });
  return {
    clock,
    db,
    recorded,
    holdings,
    down,
    asked,
    pushed,
    counts,
    repair,
    hold,
    setReplicas: (list: PeerContact[]) => (replicas = list),
    contactsChanged: () => listener?.(),
  };
}

const tail = (cid: string) => cid.slice(-4);

/** Block x held here as a replica and by `others` of its set: complete, so verified by a pass. */
async function completeBlock(s: ReturnType<typeof setup>, others = [a, b]): Promise<string> {
  const x = (await rawBlock('x')).text;
  if (s.db.getBlock(x) === undefined) s.hold(x);
  for (const peer of others) s.holdings.set(peer.id, new Set([x]));
  return x;
}

describe('Repair', () => {
  it('pushes a replica copy where another replica lacks it, then leaves the verified set alone', async () => {
    const s = setup();
    const x = (await rawBlock('x')).text;
    s.hold(x);
    s.holdings.set(a.id, new Set([x]));
    assert.deepEqual(await s.repair.run(), { checked: 1, pushed: 1, handedBack: 0, backlog: 0 });
    assert.deepEqual(s.pushed, [`30/${tail(x)}`]);
    assert.equal(s.recorded.value('peerweave_replication_blocks_moved_total', { reason: 'repair' }), 1);
    assert.deepEqual([s.counts.garbage, s.counts.evictions], [1, 1], 'garbage collected first, cache evicted last');
    s.asked.length = 0;
    await s.repair.run();
    assert.deepEqual(s.asked, [], 'verified: not asked again');
  });

  it(`asks a verified set again after ${REVERIFY_EVERY_PASSES} passes, when it changes, and once the block was dropped and stored again`, async () => {
    const s = setup();
    const x = await completeBlock(s);
    await s.repair.run();
    for (let i = 1; i < REVERIFY_EVERY_PASSES; i++) await s.repair.run();
    assert.equal(s.asked.length, 2, 'only the first pass asked');
    await s.repair.run();
    assert.equal(s.asked.length, 4, 're-verified');
    s.setReplicas([self, a, c]);
    s.holdings.set(c.id, new Set([x]));
    await s.repair.run();
    assert.equal(s.asked.length, 6, 'set changed');
    s.db.removeBlock(x);
    s.hold(x);
    await s.repair.run();
    assert.equal(s.asked.length, 8, 'dropped and stored again');
  });

  it('keeps what it verified in the block rows, and a restarted repair asks about everything once', async () => {
    const s = setup();
    const x = await completeBlock(s);
    await s.repair.run();
    const first = REVERIFY_EVERY_PASSES + 1;
    assert.equal(s.db.getBlock(x)?.verified?.pass, first, 'the pass count starts past every stored pass');
    assert.equal(s.db.counter(REPAIR_PASS_COUNTER), first);
    const changes = s.db.changes;
    await s.repair.run();
    assert.equal(s.db.changes, changes, 'marking verified is not a change of the store');

    const restarted = setup(s.db);
    await completeBlock(restarted);
    await restarted.repair.run();
    assert.equal(restarted.asked.length, 2, 'asked again after the restart, although its row says verified');
    await restarted.repair.run();
    assert.equal(restarted.asked.length, 2, 'then verified');
    assert.equal(s.db.counter(REPAIR_PASS_COUNTER), first + REVERIFY_EVERY_PASSES + 1);
  });

  it('a replica that does not answer is backlog, and the set is asked again next pass', async () => {
    const s = setup();
    const x = (await rawBlock('x')).text;
    s.hold(x);
    s.holdings.set(a.id, new Set([x]));
    s.down.add(b.id);
    assert.equal((await s.repair.run()).backlog, 1);
    assert.equal(s.recorded.value('peerweave_replication_repair_backlog_blocks'), 1);
    s.down.clear();
    assert.equal((await s.repair.run()).pushed, 1);
  });

  it('peerweave_replication_under_replicated_blocks counts the blocks left short of r after a pass', async () => {
    const s = setup();
    const x = (await rawBlock('x')).text;
    const y = (await rawBlock('y')).text;
    s.hold(x);
    s.hold(y);
    const under = () => s.recorded.value('peerweave_replication_under_replicated_blocks');
    s.down.add(b.id);
    await s.repair.run();
    assert.equal(under(), 2, 'a replica that does not answer: both blocks short');
    s.down.clear();
    await s.repair.run();
    assert.equal(under(), 0, 'pushed to it: complete');
    // Only two nodes known for the keys: short whatever they hold, and asked again every pass.
    s.setReplicas([self, a]);
    await s.repair.run();
    assert.equal(under(), 2);
    s.asked.length = 0;
    await s.repair.run();
    assert.equal(under(), 2);
    assert.equal(s.asked.length, 2, 'a short set is never taken as verified');
    s.setReplicas([self, a, c]);
    await s.repair.run();
    assert.equal(under(), 0, 'a third node for them: pushed there, complete');
  });

  it('a copy this node is no longer responsible for is handed over, then demoted to cache', async () => {
    const s = setup();
    const x = (await rawBlock('x')).text;
    s.hold(x);
    s.setReplicas([a, b, c]);
    s.down.add(c.id);
    await s.repair.run();
    assert.equal(s.db.getBlock(x)?.kind, 'replica', 'kept while a new replica could not get it');
    s.down.clear();
    await s.repair.run();
    assert.equal(s.db.getBlock(x)?.kind, 'cache');
    assert.deepEqual(s.pushed.sort(), [`20/${tail(x)}`, `30/${tail(x)}`, `40/${tail(x)}`]);
  });

  it('hints go back to their node once it is a replica again, or become this node’s replica', async () => {
    const s = setup();
    const back = (await rawBlock('back')).text;
    const mine = (await rawBlock('mine')).text;
    s.hold(back, 'hint', a.id);
    s.hold(mine, 'hint', c.id);
    const report = await s.repair.run();
    assert.equal(report.handedBack, 1);
    assert.deepEqual(s.pushed, [`20/${tail(back)}`]);
    assert.equal(s.db.getBlock(back)?.kind, 'replica', 'this node is a replica itself');
    assert.equal(s.db.getBlock(mine)?.kind, 'replica', 'promoted');
    assert.equal(s.recorded.value('peerweave_replication_handoffs_total', { event: 'delivered' }), 1);
  });

  it('concurrent calls share one pass', async () => {
    const s = setup();
    const [one, two] = [s.repair.run(), s.repair.run()];
    assert.equal(one, two);
    await one;
    assert.equal(s.counts.garbage, 1);
  });

  it('runs every interval and soon after contacts change, while started', async () => {
    const s = setup();
    await s.repair.start();
    await s.clock.advance(DEFAULT_REPAIR_INTERVAL_MS - 1);
    assert.equal(s.counts.garbage, 0);
    await s.clock.advance(1);
    assert.equal(s.counts.garbage, 1);
    s.contactsChanged();
    s.contactsChanged();
    await s.clock.advance(DEFAULT_REPAIR_DELAY_MS);
    assert.equal(s.counts.garbage, 2, 'a burst of changes makes one pass');
    await s.repair.stop();
    s.contactsChanged();
    await s.clock.advance(3 * DEFAULT_REPAIR_INTERVAL_MS);
    assert.equal(s.counts.garbage, 2);
  });
  it('a period in which nothing changed after a pass that left nothing to do is skipped without a walk', async () => {
    const s = setup();
    const cid = (await rawBlock('x')).text;
    const cid2 = (await rawBlock('y')).text;
    s.hold(cid);
    for (const peer of [a, b]) s.holdings.set(peer.id, new Set([cid]));
    await s.repair.start();
    await s.clock.advance(DEFAULT_REPAIR_INTERVAL_MS);
    assert.equal(s.counts.evictions, 1, 'the first pass runs');
    const asked = s.asked.length;
    await s.clock.advance(5 * DEFAULT_REPAIR_INTERVAL_MS);
    assert.equal(s.counts.evictions, 1, 'then nothing to walk');
    assert.equal(s.repair.skipped, 5);
    assert.equal(s.asked.length, asked, 'and nobody asked');
    assert.equal(s.counts.garbage, 6, 'expired tombstones are still collected every period');

    // A new block: the next period walks again.
    s.hold(cid2);
    await s.clock.advance(DEFAULT_REPAIR_INTERVAL_MS);
    assert.equal(s.counts.evictions, 2);
    assert.deepEqual(s.pushed.map(tail).sort(), [tail(cid2), tail(cid2)]);
    // It pushed, so the pass after it runs too (and finds nothing); then quiet again.
    await s.clock.advance(DEFAULT_REPAIR_INTERVAL_MS);
    assert.equal(s.counts.evictions, 3);
    await s.clock.advance(DEFAULT_REPAIR_INTERVAL_MS);
    assert.equal(s.counts.evictions, 3);

    // A contact change always runs a pass, and so does a pass that left a backlog, until it clears.
    s.contactsChanged();
    await s.clock.advance(DEFAULT_REPAIR_DELAY_MS);
    assert.equal(s.counts.evictions, 4);
    s.down.add(c.id);
    s.setReplicas([self, a, c]);
    s.contactsChanged();
    await s.clock.advance(DEFAULT_REPAIR_DELAY_MS);
    assert.equal(s.counts.evictions, 5);
    await s.clock.advance(DEFAULT_REPAIR_INTERVAL_MS);
    assert.equal(s.counts.evictions, 6, 'a backlog keeps the periodic passes running');
    s.down.delete(c.id);
    await s.clock.advance(DEFAULT_REPAIR_INTERVAL_MS);
    assert.equal(s.counts.evictions, 7);
    assert.equal(s.holdings.get(c.id)?.size, 2, 'the new replica that came up got both blocks');
    await s.repair.stop();
  });
});
