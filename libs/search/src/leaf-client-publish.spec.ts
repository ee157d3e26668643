// The leaf's publishes to a supernode: changes coalesced over the linger, never two in flight,
// the full publish on attach, heartbeats only when due, a restarted supernode noticed from its
// incarnation, detaching, stopping. A LeafClient alone against a fake
// supernode on the manual clock, so every publish and every timer is seen.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeerweaveError, SeededRandom } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { MAX_INDEX_ENTRIES_PER_MESSAGE, type IndexEntry, type PublishRequest, type PublishResponse, type SearchClient } from '@peerweave/protocol';
import { LeafClient, mergeChanges, pendingBatch, roundAction, type PendingChanges } from './leaf-client.ts';
import { entry, hexId } from './test-support.ts';

const LINGER = 100;
const HEARTBEAT = 60_000;
const ROUND = 15_000;

/** A leaf attached (or about to be) to one fake supernode that records every publish. */
function harness(options: { publishDelayMs?: number; entries?: IndexEntry[] } = {}) {
  const clock = new ManualClock(0);
  /** The fake supernode as routing shows it; `restart()` raises its incarnation. */
  const supernode = { id: hexId('5'), address: '5:1', incarnation: 100 };
  /** A restarted supernode no longer knows the leaf: it refuses publishes until the leaf attaches again. */
  let knowsLeaf = false;
  let attaches = 0;
  const local = new Map((options.entries ?? []).map((e) => [e.cid, e]));
  /** Every publish received, in arrival order, with the clock time it arrived at. */
  const publishes: (PublishRequest & { at: number })[] = [];
  /** While set, publishes wait for `release()`; else they are answered at once. */
  let hold = false;
  let waiting: (() => void)[] = [];
  /** What the supernode does with the next publishes: accept, refuse, or fail as unreachable. */
  let answer: 'accept' | 'refuse' | 'unavailable' = 'accept';
  let inFlight = 0;
  let maxInFlight = 0;
  const givenUp: string[] = [];
  const transport = {
    request: async (_address: string, method: string, request: unknown) => {
      if (method === 'attach') {
        attaches++;
        knowsLeaf = true;
        return { accepted: true, leaves: 1 };
      }
      assert.equal(method, 'publish');
      publishes.push({ ...(request as PublishRequest), at: clock.now() });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if (hold) await new Promise<void>((resolve) => waiting.push(resolve));
        if (answer === 'unavailable') throw new PeerweaveError('UNAVAILABLE', 'supernode down');
        return { accepted: answer === 'accept' && knowsLeaf } satisfies PublishResponse;
      } finally {
        inFlight--;
      }
    },
  } as unknown as SearchClient;
  const leaf = new LeafClient({
    self: { id: hexId('1'), address: '1:1' },
    active: true,
    transport,
    clock,
    random: new SeededRandom(7),
    directory: {
      known: () => [supernode],
      discover: async () => {},
      load: async () => ({ supernode: true, leaves: 0 }),
      isShunned: () => false,
      incarnationOf: () => supernode.incarnation,
      shun: () => {},
      forget: () => {},
      giveUp: (id) => givenUp.push(id),
      prune: () => {},
    },
    localEntries: () => [...local.values()],
    attachCount: 1,
    probeCount: 1,
    maintenanceMs: ROUND,
    heartbeatMs: HEARTBEAT,
    publishDelayMs: options.publishDelayMs ?? LINGER,
    callDeadlineMs: 2_000,
  });

  /** Starts the leaf and runs the clock until it is attached and its full publish answered. */
  async function attach(): Promise<void> {
    await leaf.start();
    for (let t = 0; leaf.attachedCount === 0 || inFlight > 0; t += 100) {
      assert.ok(t < ROUND, 'attached within the first round');
      await clock.advance(100);
    }
  }

  /** The node holds (upserts) or stops holding (removed) records, and tells the leaf client. */
  function change(upserts: IndexEntry[], removed: string[] = []): void {
    for (const e of upserts) local.set(e.cid, e);
    for (const cid of removed) local.delete(cid);
    leaf.indexChanged(upserts, removed);
  }

  async function release(): Promise<void> {
    hold = false;
    const w = waiting;
    waiting = [];
    for (const resolve of w) resolve();
    await clock.advance(0);
  }

  const shape = (p: PublishRequest) => ({ full: p.full, upserts: p.upserts.map((e) => e.cid), removed: p.removed });

  return {
    clock,
    leaf,
    supernode,
    publishes,
    givenUp,
    attach,
    change,
    release,
    shape,
    holdPublishes: () => (hold = true),
    /** The supernode restarts: it forgets the leaf, and routing shows a higher incarnation (at `address`, by default the same). */
    restart: (address = supernode.address) => {
      knowsLeaf = false;
      supernode.incarnation += 1_000;
      supernode.address = address;
    },
    get attaches() {
      return attaches;
    },
    answerWith: (a: typeof answer) => (answer = a),
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

describe('LeafClient: publishes coalesced per supernode', () => {
  it('many changes within the linger go out as one publish with the merged entries, after the linger', async () => {
    const h = harness({ entries: [entry('a', 'old')] });
    await h.attach();
    assert.deepEqual(h.publishes.map(h.shape), [{ full: true, upserts: ['a'], removed: [] }], 'the whole index on attach');
    const start = h.clock.now();
    for (let i = 0; i < 20; i++) {
      h.change([entry(`c${i}`, `n${i}`)]);
      await h.clock.advance(4);
    }
    h.change([], ['a']);
    h.change([entry('c3', 'renamed')]);
    await h.clock.advance(start + LINGER - 1 - h.clock.now());
    assert.equal(h.publishes.length, 1, 'nothing before the linger is over');
    await h.clock.advance(1);
    assert.equal(h.publishes.length, 2);
    const batch = h.publishes[1]!;
    assert.equal(batch.at, start + LINGER, 'the linger counts from the first change of the batch');
    assert.deepEqual(h.shape(batch), { full: false, upserts: Array.from({ length: 20 }, (_, i) => `c${i}`), removed: ['a'] });
    assert.equal(batch.upserts.find((e) => e.cid === 'c3')!.name, 'renamed', 'the later upsert of a CID wins');
    await h.clock.advance(10 * LINGER);
    assert.equal(h.publishes.length, 2, 'nothing more to send');
    await h.leaf.stop();
  });

  it('merge rules: a later change of the same CID wins, in both orders', async () => {
    const rows: [string, [IndexEntry[], string[]][], { upserts: string[]; removed: string[] }][] = [
      ['upsert then remove', [[[entry('x', 'x')], []], [[], ['x']]], { upserts: [], removed: ['x'] }],
      ['remove then upsert', [[[], ['x']], [[entry('x', 'x')], []]], { upserts: ['x'], removed: [] }],
      ['upsert, remove, upsert', [[[entry('x', 'x')], []], [[], ['x']], [[entry('x', 'x2')], []]], { upserts: ['x'], removed: [] }],
      ['one change with both: removal after upsert, as a supernode applies it', [[[entry('x', 'x')], ['x']]], { upserts: [], removed: ['x'] }],
      ['different CIDs all kept', [[[entry('x', 'x')], ['y']], [[entry('z', 'z')], []]], { upserts: ['x', 'z'], removed: ['y'] }],
      ['nothing', [], { upserts: [], removed: [] }],
    ];
    for (const [name, changes, expected] of rows) {
      const pending: PendingChanges = new Map();
      for (const [upserts, removed] of changes) mergeChanges(pending, upserts, removed);
      const batch = pendingBatch(pending);
      assert.deepEqual({ upserts: batch.upserts.map((e) => e.cid), removed: batch.removed }, expected, name);
    }
    const last = new Map() as PendingChanges;
    mergeChanges(last, [entry('x', 'first')], []);
    mergeChanges(last, [entry('x', 'second')], []);
    assert.equal(pendingBatch(last).upserts[0]!.name, 'second');

    // The same through a leaf: what the supernode receives.
    const h = harness();
    await h.attach();
    h.change([entry('p', 'p'), entry('q', 'q')]);
    h.change([], ['p']);
    h.change([], ['q']);
    h.change([entry('q', 'q again')]);
    await h.clock.advance(LINGER);
    assert.deepEqual(h.publishes.slice(1).map(h.shape), [{ full: false, upserts: ['q'], removed: ['p'] }]);
    await h.leaf.stop();
  });

  it('changes made while a publish is in flight go out in the next one, right after it, never two at once', async () => {
    const h = harness();
    await h.attach();
    h.holdPublishes();
    h.change([entry('a', 'a')]);
    await h.clock.advance(LINGER);
    assert.equal(h.publishes.length, 2);
    assert.equal(h.inFlight, 1);
    h.change([entry('b', 'b')]);
    await h.clock.advance(5 * LINGER);
    h.change([], ['a']);
    h.change([entry('c', 'c')]);
    await h.leaf.maintain(); // a heartbeat round: the publish in flight is heard anyway
    await h.clock.advance(5 * LINGER);
    assert.equal(h.publishes.length, 2, 'held back while the first is in flight, whatever the linger or the heartbeat');
    const answeredAt = h.clock.now();
    await h.release();
    assert.equal(h.publishes.length, 3, 'sent as soon as the one in flight was answered');
    assert.equal(h.publishes[2]!.at, answeredAt, 'no second linger');
    assert.deepEqual(h.publishes.slice(1).map(h.shape), [
      { full: false, upserts: ['a'], removed: [] },
      { full: false, upserts: ['b', 'c'], removed: ['a'] },
    ]);
    assert.equal(h.maxInFlight, 1, 'never two publishes in flight to one supernode');
    await h.leaf.stop();
  });

  it('a full publish reads the index when it goes: changes before it are in it, changes during it follow it', async () => {
    const h = harness({ entries: [entry('a', 'a')] });
    h.holdPublishes();
    await h.leaf.start();
    while (h.inFlight === 0) await h.clock.advance(100);
    assert.deepEqual(h.publishes.map(h.shape), [{ full: true, upserts: ['a'], removed: [] }]);
    h.change([entry('b', 'b')], ['a']);
    await h.clock.advance(3 * LINGER);
    assert.equal(h.publishes.length, 1);
    await h.release();
    assert.deepEqual(h.publishes.map(h.shape), [
      { full: true, upserts: ['a'], removed: [] },
      { full: false, upserts: ['b'], removed: ['a'] },
    ]);
    await h.leaf.stop();
  });

  it('a batch larger than a message goes in several, in order', async () => {
    const h = harness();
    await h.attach();
    const n = MAX_INDEX_ENTRIES_PER_MESSAGE * 2 + 5;
    h.change(Array.from({ length: n }, (_, i) => entry(`c${i}`, `n${i}`)));
    await h.clock.advance(LINGER);
    const batches = h.publishes.slice(1);
    assert.deepEqual(batches.map((p) => [p.full, p.upserts.length]), [[false, MAX_INDEX_ENTRIES_PER_MESSAGE], [false, MAX_INDEX_ENTRIES_PER_MESSAGE], [false, 5]]);
    assert.deepEqual(batches.flatMap((p) => p.upserts.map((e) => e.cid)), Array.from({ length: n }, (_, i) => `c${i}`));
    await h.leaf.stop();
  });

  it('heartbeats only when due: a round calls nobody until nothing went there for heartbeatMs; any publish counts; a pending batch goes at once', async () => {
    const h = harness();
    await h.attach();
    const attachedAt = h.publishes[0]!.at;
    await h.leaf.maintain();
    await h.clock.advance(0);
    assert.equal(h.publishes.length, 1, 'no heartbeat right after the full publish');
    // The leaf's own rounds (every ROUND) run meanwhile: the first heartbeat comes at the first round
    // at least HEARTBEAT after the attach, then one per HEARTBEAT (rounded up to a round).
    await h.clock.advance(attachedAt + 3 * HEARTBEAT + ROUND - h.clock.now());
    const beats = h.publishes.slice(1);
    assert.equal(beats.length, 3, `three heartbeats in three heartbeat periods (${beats.map((p) => p.at - attachedAt).join(', ')})`);
    assert.ok(beats.every((p) => p.upserts.length === 0 && p.removed.length === 0 && !p.full), 'empty publishes');
    let previous = attachedAt;
    for (const b of beats) {
      assert.ok(b.at - previous >= HEARTBEAT && b.at - previous < HEARTBEAT + ROUND + 10, `gap ${b.at - previous} ms`);
      previous = b.at;
    }
    // A change goes after its linger and counts as the heartbeat: the next empty one waits a whole period.
    h.change([entry('a', 'a')]);
    await h.clock.advance(LINGER);
    const changedAt = h.publishes.at(-1)!.at;
    assert.deepEqual(h.shape(h.publishes.at(-1)!), { full: false, upserts: ['a'], removed: [] });
    await h.clock.advance(HEARTBEAT - ROUND);
    assert.equal(h.publishes.at(-1)!.at, changedAt, 'no heartbeat within a period of the change');
    await h.clock.advance(2 * ROUND);
    assert.ok(h.publishes.at(-1)!.at - changedAt >= HEARTBEAT, 'then one');
    // A pending batch goes with the round, before its linger is over.
    h.change([entry('b', 'b')]);
    await h.leaf.maintain();
    await h.clock.advance(0);
    assert.deepEqual(h.shape(h.publishes.at(-1)!), { full: false, upserts: ['b'], removed: [] }, 'the batch goes with the round');
    const count = h.publishes.length;
    await h.clock.advance(2 * LINGER);
    assert.equal(h.publishes.length, count, 'and its linger timer is gone');
    await h.leaf.stop();
  });

  it('round rules (table): what a round does with one attached supernode', () => {
    const base = { now: 100_000, lastSentAt: 90_000, heartbeatMs: HEARTBEAT, pending: false, attachedIncarnation: 5, attachedAddress: 'a:1' };
    const same = { id: 'x', address: 'a:1', incarnation: 5 };
    const rows: [string, Parameters<typeof roundAction>[0], ReturnType<typeof roundAction>][] = [
      ['nothing changed, heartbeat not due', { ...base, current: same }, 'skip'],
      ['heartbeat due exactly', { ...base, lastSentAt: base.now - HEARTBEAT, current: same }, 'send'],
      ['changes pending', { ...base, pending: true, current: same }, 'send'],
      ['incarnation rose (restart or refute): heartbeat now', { ...base, current: { ...same, incarnation: 6 } }, 'send'],
      ['incarnation rose at another address: attach there', { ...base, current: { ...same, address: 'b:1', incarnation: 6 } }, 'moved'],
      ['another address, same incarnation: stale view, nothing', { ...base, current: { ...same, address: 'b:1' } }, 'skip'],
      ['lower incarnation (stale gossip): nothing', { ...base, current: { ...same, incarnation: 4 } }, 'skip'],
      ['routing does not show it (dead, or learnt only)', { ...base, current: undefined }, 'skip'],
      ['no incarnation at attach: no rise to see', { ...base, attachedIncarnation: undefined, current: same }, 'skip'],
    ];
    for (const [name, input, expected] of rows) assert.equal(roundAction(input), expected, name);
  });

  it('a supernode that restarted is noticed at the next round from its incarnation: refused, attached again, whole index sent', async () => {
    const h = harness({ entries: [entry('a', 'a')] });
    await h.attach();
    assert.equal(h.attaches, 1);
    h.restart();
    // Nothing is due by time (the full publish just went): only the incarnation says something changed.
    const restartedAt = h.clock.now();
    while (h.attaches < 2 || h.inFlight > 0) {
      assert.ok(h.clock.now() - restartedAt < ROUND + ROUND / 2 + 10, 'attached again within a round and its jitter, long before a heartbeat');
      await h.clock.advance(100);
    }
    assert.ok(h.clock.now() - restartedAt < HEARTBEAT / 2);
    assert.deepEqual(h.givenUp, [], 'a restarted supernode is not given up');
    assert.equal(h.leaf.attachedCount, 1);
    assert.deepEqual(
      h.publishes.slice(1).map(h.shape),
      [
        { full: false, upserts: [], removed: [] },
        { full: true, upserts: ['a'], removed: [] },
      ],
      'one heartbeat (refused), then the whole index',
    );
    await h.leaf.stop();
  });

  it('a supernode back at another address is attached there again without a refused call', async () => {
    const h = harness({ entries: [entry('a', 'a')] });
    await h.attach();
    h.restart('5:2');
    const restartedAt = h.clock.now();
    while (h.attaches < 2 || h.inFlight > 0) {
      assert.ok(h.clock.now() - restartedAt < ROUND + ROUND / 2 + 10, 'within a round and its jitter');
      await h.clock.advance(100);
    }
    assert.deepEqual(h.leaf.attached(), [{ id: h.supernode.id, address: '5:2' }]);
    assert.deepEqual(h.givenUp, []);
    assert.deepEqual(h.publishes.slice(1).map(h.shape), [{ full: true, upserts: ['a'], removed: [] }]);
    await h.leaf.stop();
  });

  for (const [answer, reason] of [['unavailable', 'failed'], ['refuse', 'refused']] as const) {
    it(`a ${reason} publish detaches as before, and the changes pending for that supernode are dropped`, async () => {
      const h = harness();
      await h.attach();
      h.holdPublishes();
      h.answerWith(answer);
      h.change([entry('a', 'a')]);
      await h.clock.advance(LINGER);
      h.change([entry('b', 'b')]);
      await h.release();
      assert.equal(h.leaf.attachedCount, 0, 'detached');
      assert.deepEqual(h.givenUp, reason === 'failed' ? [h.supernode.id] : [], 'an unreachable supernode is given up, one that refused is not');
      assert.equal(h.publishes.length, 2, 'what was pending for it is not sent');
      await h.clock.advance(2 * LINGER);
      assert.equal(h.publishes.length, 2);
      await h.leaf.stop();
    });
  }

  it('stop leaves no timer and sends nothing after it; a linger of 0 still coalesces what comes in one turn', async () => {
    const h = harness();
    await h.attach();
    h.change([entry('a', 'a')]);
    h.change([entry('b', 'b')]);
    assert.ok(h.clock.pending >= 2, 'the linger and the heartbeat round are scheduled');
    await h.leaf.stop();
    assert.equal(h.clock.pending, 0, 'no timer left behind');
    h.change([entry('c', 'c')]);
    assert.equal(h.clock.pending, 0, 'a change after stop schedules nothing');
    await h.clock.advance(10 * HEARTBEAT);
    assert.equal(h.publishes.length, 1, 'only the full publish of the attach');

    const zero = harness({ publishDelayMs: 0 });
    await zero.attach();
    zero.change([entry('a', 'a')]);
    zero.change([entry('b', 'b')], ['a']);
    await zero.clock.advance(0);
    assert.deepEqual(zero.publishes.slice(1).map(zero.shape), [{ full: false, upserts: ['b'], removed: ['a'] }]);
    await zero.leaf.stop();
  });
});
