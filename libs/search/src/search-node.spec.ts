import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom, noopMetrics, type Metrics } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { HitsRequest, IndexEntry, QueryRequest, SearchHandler, SearchOrigin } from '@peerweave/protocol';
import { MemoryNetwork } from '@peerweave/protocol/testing';
import { SearchNode, compareXor, type SearchNodeInit } from './search-node.ts';
import { MemoryIndex, MemoryLeafIndex } from './testing/memory-index.ts';

const hexId = (c: string): string => c.repeat(64);
const entry = (cid: string, name: string, keywords: string[] = []): IndexEntry => ({ cid, name, size: 10, contentType: 'text/plain', keywords });

/** A small network on a manual clock; messages are validated as the wire would. */
function setup() {
  const clock = new ManualClock(1_000_000);
  const random = new SeededRandom(42);
  const network = new MemoryNetwork({ clock, random, latencyMs: 1, defaultDeadlineMs: 2_000, validateMessages: true });
  const nodes = new Map<string, { node: SearchNode; records: MemoryIndex; leafIndex?: MemoryLeafIndex; overlay: SearchOrigin[]; candidates: SearchOrigin[] }>();

  function add(
    c: string,
    options: Partial<Omit<SearchNodeInit, 'self' | 'transport' | 'clock' | 'random' | 'index' | 'overlay' | 'supernodeCandidates' | 'localEntries'>> = {},
  ) {
    const self = { id: hexId(c), address: `${c}:1` };
    const records = new MemoryIndex();
    const leafIndex = options.role === 'supernode' ? new MemoryLeafIndex() : undefined;
    const overlay: SearchOrigin[] = [];
    const candidates: SearchOrigin[] = [];
    let node: SearchNode | undefined;
    const listener = network.listen(self.address, {
      query: (r, ctx) => node!.handler.query(r, ctx),
      hits: (r, ctx) => node!.handler.hits(r, ctx),
      attach: (r, ctx) => node!.handler.attach(r, ctx),
      publish: (r, ctx) => node!.handler.publish(r, ctx),
      searchLoad: (r, ctx) => node!.handler.searchLoad(r, ctx),
    });
    node = new SearchNode({
      role: 'peer',
      quietMs: 100,
      ...options,
      self,
      transport: listener.transport,
      clock,
      random,
      index: records,
      ...(leafIndex ? { leafIndex } : {}),
      overlay: () => overlay,
      supernodeCandidates: () => candidates,
      localEntries: () => records.entries(),
    });
    const n = { node, records, overlay, candidates, self, ...(leafIndex ? { leafIndex } : {}) };
    nodes.set(c, n);
    return n;
  }

  /** A node that only records what it is sent. */
  function spy(c: string, queryAnswer = true) {
    const self = { id: hexId(c), address: `${c}:1` };
    const queries: QueryRequest[] = [];
    const hits: HitsRequest[] = [];
    const handler: Partial<SearchHandler> = {
      query: async (r) => {
        queries.push(r);
        return { accepted: queryAnswer };
      },
      hits: async (r) => {
        hits.push(r);
        return { wanted: true };
      },
    };
    const listener = network.listen(self.address, handler);
    return { self, queries, hits, transport: listener.transport };
  }

  async function settle<T>(promise: Promise<T>, step = 5): Promise<T> {
    let done = false;
    void promise.then(
      () => (done = true),
      () => (done = true),
    );
    while (!done) await clock.advance(step);
    return promise;
  }

  const query = (over: Partial<QueryRequest> & { origin: SearchOrigin }): QueryRequest => ({
    queryId: '0123456789abcdef0123456789abcdef',
    text: 'cat',
    ttl: 3,
    hops: 0,
    limit: 10,
    mode: 'flood',
    from: over.origin.id,
    ...over,
  });

  return { clock, random, network, add, spy, settle, query, nodes };
}

describe('SearchNode: flooding, serving side', () => {
  it('cuts a remote TTL to the hard maximum: ttl 50 is forwarded with 6', async () => {
    const t = setup();
    const origin = t.spy('0');
    const next = t.spy('2');
    const b = t.add('1');
    b.overlay.push(next.self, origin.self);
    const ack = await b.node.handler.query(t.query({ origin: origin.self, ttl: 50 }), { signal: new AbortController().signal } as never);
    assert.equal(ack.accepted, true);
    await t.clock.advance(10);
    assert.equal(next.queries.length, 1);
    assert.equal(next.queries[0]!.ttl, 6);
    assert.equal(next.queries[0]!.hops, 1);
    assert.equal(next.queries[0]!.from, b.self.id);
    assert.equal(origin.queries.length, 0, 'never sent back to the origin or the sender');
  });

  it('answers a ttl 0 query straight to the origin and does not forward it', async () => {
    const t = setup();
    const origin = t.spy('0');
    const next = t.spy('2');
    const b = t.add('1');
    b.records.upsert(entry('bafycat', 'a cat picture'));
    b.overlay.push(next.self);
    await b.node.handler.query(t.query({ origin: origin.self, ttl: 0 }), {} as never);
    await t.clock.advance(10);
    assert.equal(next.queries.length, 0);
    assert.equal(origin.hits.length, 1);
    assert.equal(origin.hits[0]!.responder, b.self.id);
    assert.deepEqual(origin.hits[0]!.hits.map((h) => [h.cid, h.holder]), [['bafycat', b.self.id]]);
  });

  it('sends no Hits when it has no match', async () => {
    const t = setup();
    const origin = t.spy('0');
    const b = t.add('1');
    b.records.upsert(entry('bafydog', 'a dog'));
    await b.node.handler.query(t.query({ origin: origin.self, ttl: 0 }), {} as never);
    await t.clock.advance(10);
    assert.equal(origin.hits.length, 0);
  });

  it('drops a query id it has seen: not answered or forwarded twice', async () => {
    const t = setup();
    const origin = t.spy('0');
    const next = t.spy('3');
    const b = t.add('1');
    b.records.upsert(entry('bafycat', 'cat'));
    b.overlay.push(next.self);
    const first = await b.node.handler.query(t.query({ origin: origin.self, ttl: 2 }), {} as never);
    const again = await b.node.handler.query(t.query({ origin: origin.self, ttl: 2, from: hexId('2') }), {} as never);
    await t.clock.advance(10);
    assert.equal(first.accepted, true);
    assert.equal(again.accepted, false);
    assert.equal(next.queries.length, 1);
    assert.equal(origin.hits.length, 1);
    assert.equal(b.node.stats().duplicates, 1);
  });

  it('rate-limits queries per neighbour, refilling with time', async () => {
    const t = setup();
    const origin = t.spy('0');
    const b = t.add('1', { queryRatePerSecond: 1, queryBurst: 3 });
    const send = (i: number, from: string) =>
      b.node.handler.query(t.query({ origin: origin.self, ttl: 0, from, queryId: i.toString(16).padStart(32, '0') }), {} as never);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await send(i, hexId('2'))).accepted);
    assert.deepEqual(answers, [true, true, true, false, false]);
    assert.equal((await send(10, hexId('3'))).accepted, true, 'another neighbour has its own bucket');
    assert.equal(b.node.stats().rateLimited, 2);
    await t.clock.advance(1_000);
    assert.equal((await send(11, hexId('2'))).accepted, true);
  });

  it('a peer refuses supernode-mode queries and never forwards them', async () => {
    const t = setup();
    const origin = t.spy('0');
    const next = t.spy('2');
    const b = t.add('1');
    b.overlay.push(next.self);
    const ack = await b.node.handler.query(t.query({ origin: origin.self, mode: 'supernode' }), {} as never);
    await t.clock.advance(10);
    assert.equal(ack.accepted, false);
    assert.equal(next.queries.length, 0);
  });
});

describe('SearchNode: asking', () => {
  it('floods with ttl − 1, merges hits by CID and ranks them, completes after the quiet period', async () => {
    const t = setup();
    const asker = t.add('a');
    const b = t.add('b');
    const c = t.add('c');
    const d = t.add('d');
    asker.overlay.push(b.self, c.self);
    b.overlay.push(d.self);
    asker.records.upsert(entry('bafy1', 'red cat'));
    b.records.upsert(entry('bafy1', 'red cat'));
    b.records.upsert(entry('bafy2', 'cat', ['cat']));
    c.records.upsert(entry('bafy3', 'dog', ['cat']));
    d.records.upsert(entry('bafy2', 'cat'));
    const started = t.clock.now();
    const r = await t.settle(asker.node.search('cat', { ttl: 2, mode: 'flood' }));
    assert.equal(r.mode, 'flood');
    assert.equal(r.partial, false);
    assert.deepEqual(r.hits.map((h) => h.cid).sort(), ['bafy1', 'bafy2', 'bafy3']);
    assert.equal(r.hits.at(-1)!.cid, 'bafy3', 'a keyword-only match ranks below name matches');
    assert.deepEqual([...r.hits.find((h) => h.cid === 'bafy1')!.holders].sort(), [asker.self.id, b.self.id].sort());
    assert.deepEqual([...r.hits.find((h) => h.cid === 'bafy2')!.holders].sort(), [b.self.id, d.self.id].sort());
    assert.deepEqual(new Set(r.responders), new Set([asker.self.id, b.self.id, c.self.id, d.self.id]));
    // 2 queries sent (to b and c), 3 Hits received (b, c, d); b forwarded 1 to d.
    assert.equal(r.messages, 5);
    assert.equal(b.node.stats().queriesForwarded, 1);
    const elapsed = t.clock.now() - started;
    assert.ok(elapsed >= 100 && elapsed < 200, `ended by the quiet period (${elapsed} ms)`);
  });

  it('a user TTL of 1 reaches the neighbours only', async () => {
    const t = setup();
    const asker = t.add('a');
    const n1 = t.spy('1');
    asker.overlay.push(n1.self);
    await t.settle(asker.node.search('cat', { ttl: 1, mode: 'flood' }));
    assert.equal(n1.queries[0]!.ttl, 0);
    assert.match(n1.queries[0]!.queryId, /^[0-9a-f]{32}$/);
  });

  it('returns at once when the limit of distinct hits is in', async () => {
    const t = setup();
    const asker = t.add('a');
    const b = t.add('b');
    asker.overlay.push(b.self);
    b.records.upsert(entry('bafy1', 'cat'));
    b.records.upsert(entry('bafy2', 'cat'));
    const started = t.clock.now();
    const r = await t.settle(asker.node.search('cat', { ttl: 1, limit: 2, mode: 'flood' }), 1);
    assert.equal(r.hits.length, 2);
    assert.equal(r.partial, false);
    assert.ok(t.clock.now() - started < 50, 'did not wait for the quiet period');
  });

  it('marks the result partial when the deadline comes first', async () => {
    const t = setup();
    const asker = t.add('a', { quietMs: 1_000 });
    const b = t.add('b');
    asker.overlay.push(b.self);
    b.records.upsert(entry('bafy1', 'cat'));
    const r = await t.settle(asker.node.search('cat', { ttl: 1, deadlineMs: 200, mode: 'flood' }));
    assert.equal(r.partial, true);
    assert.deepEqual(r.hits.map((h) => h.cid), ['bafy1']);
  });

  it('answers Hits for a finished search with wanted: false', async () => {
    const t = setup();
    const asker = t.add('a');
    const r = await t.settle(asker.node.search('cat', { ttl: 0 }));
    assert.equal(r.messages, 0);
    const answer = await asker.node.handler.hits({ queryId: 'f'.repeat(32), responder: hexId('b'), hits: [] }, {} as never);
    assert.equal(answer.wanted, false);
  });

  it('rejects with the abort error when the caller aborts', async () => {
    const t = setup();
    const asker = t.add('a', { quietMs: 1_000 });
    const b = t.spy('b');
    asker.overlay.push(b.self);
    const controller = new AbortController();
    const search = asker.node.search('cat', { signal: controller.signal, mode: 'flood' });
    await t.clock.advance(10);
    controller.abort();
    await assert.rejects(t.settle(search), { code: 'ABORTED' });
  });

  it('counts every search by mode and outcome (peerweave_search_searches_total); bad input is no search', async () => {
    const t = setup();
    const counts = new Map<string, number>();
    const metrics: Metrics = {
      ...noopMetrics,
      counter: (o) => ({
        inc: (labels = {}, value = 1) => {
          if (o.name !== 'peerweave_search_searches_total') return;
          const l = labels as Record<string, string | number>;
          const key = `${String(l.mode)}/${String(l.outcome)}`;
          counts.set(key, (counts.get(key) ?? 0) + value);
        },
      }),
    };
    const asker = t.add('a', { metrics, quietMs: 1_000 });
    const b = t.add('b');
    asker.overlay.push(b.self);
    b.records.upsert(entry('bafy1', 'cat'));
    assert.deepEqual(Object.fromEntries(counts), { 'flood/ok': 0, 'supernode/ok': 0 }, 'exported at 0 before the first search');
    await t.settle(asker.node.search('cat', { ttl: 1, mode: 'flood', deadlineMs: 5_000 }));
    await t.settle(asker.node.search('cat', { ttl: 1, mode: 'flood', deadlineMs: 200 }));
    await assert.rejects(t.settle(asker.node.search('cat', { mode: 'supernode' })), { code: 'UNAVAILABLE' });
    await assert.rejects(asker.node.search('   '), { code: 'INVALID_QUERY' });
    await assert.rejects(asker.node.search('cat', { ttl: -1 }), { code: 'INVALID_ARGUMENT' });
    assert.deepEqual(Object.fromEntries(counts), { 'flood/ok': 1, 'supernode/ok': 0, 'flood/partial': 1, 'supernode/unavailable': 1 });
  });

  it('refuses a bad query or TTL before sending anything', async () => {
    const t = setup();
    const asker = t.add('a');
    await assert.rejects(asker.node.search('   '), { code: 'INVALID_QUERY' });
    await assert.rejects(asker.node.search('cat', { ttl: -1 }), { code: 'INVALID_ARGUMENT' });
  });
});

describe('SearchNode: supernode role', () => {
  it('a peer refuses Attach and says it is no supernode', async () => {
    const t = setup();
    const peer = t.add('1');
    const sn = t.spy('5');
    peer.candidates.push(sn.self);
    assert.deepEqual(await peer.node.handler.attach({ leaf: { id: hexId('2'), address: '2:1' } }, {} as never), { accepted: false, leaves: 0 });
    const load = await peer.node.handler.searchLoad({ from: hexId('2') }, {} as never);
    assert.equal(load.supernode, false);
    assert.deepEqual(load.supernodes, [sn.self], 'but tells which supernodes it knows');
    assert.deepEqual(await peer.node.handler.publish({ leaf: hexId('2'), full: true, upserts: [], removed: [] }, {} as never), { accepted: false });
  });

  it('indexes its leaves: full publish replaces, incremental adds and removes, unattached is refused', async () => {
    const t = setup();
    const sn = t.add('5', { role: 'supernode', maxLeaves: 2 });
    const leaf = { id: hexId('1'), address: '1:1' };
    assert.deepEqual(await sn.node.handler.publish({ leaf: leaf.id, full: true, upserts: [entry('x', 'cat')], removed: [] }, {} as never), { accepted: false });
    assert.deepEqual(await sn.node.handler.attach({ leaf }, {} as never), { accepted: true, leaves: 1 });
    await sn.node.handler.publish({ leaf: leaf.id, full: true, upserts: [entry('x', 'cat'), entry('y', 'cat dog')], removed: [] }, {} as never);
    assert.equal(sn.leafIndex!.count(), 2);
    await sn.node.handler.publish({ leaf: leaf.id, full: false, upserts: [entry('z', 'bird')], removed: ['x'] }, {} as never);
    assert.deepEqual(sn.leafIndex!.entries(leaf.id).map((e) => e.cid).sort(), ['y', 'z']);
    await sn.node.handler.publish({ leaf: leaf.id, full: true, upserts: [entry('w', 'fish')], removed: [] }, {} as never);
    assert.deepEqual(sn.leafIndex!.entries(leaf.id).map((e) => e.cid), ['w']);
    // Full: a third leaf is refused.
    await sn.node.handler.attach({ leaf: { id: hexId('2'), address: '2:1' } }, {} as never);
    assert.deepEqual(await sn.node.handler.attach({ leaf: { id: hexId('3'), address: '3:1' } }, {} as never), { accepted: false, leaves: 2 });
    const load = await sn.node.handler.searchLoad({ from: hexId('3') }, {} as never);
    assert.equal(load.supernode, true);
    assert.equal(load.leaves, 2);
    assert.equal(load.entries, 1);
  });

  it('drops a leaf not heard from within the expiry, with its entries', async () => {
    const t = setup();
    const sn = t.add('5', { role: 'supernode', heartbeatMs: 1_000, leafExpiryMs: 3_000 });
    await sn.node.start();
    const quiet = { id: hexId('1'), address: '1:1' };
    const alive = { id: hexId('2'), address: '2:1' };
    for (const leaf of [quiet, alive]) {
      await sn.node.handler.attach({ leaf }, {} as never);
      await sn.node.handler.publish({ leaf: leaf.id, full: true, upserts: [entry(`c${leaf.id[0]}`, 'cat')], removed: [] }, {} as never);
    }
    for (let i = 0; i < 5; i++) {
      await t.clock.advance(1_000);
      await sn.node.handler.publish({ leaf: alive.id, full: false, upserts: [], removed: [] }, {} as never);
    }
    assert.deepEqual(sn.node.leaves(), [alive.id]);
    assert.deepEqual(sn.leafIndex!.owners(), [alive.id]);
    await sn.node.stop();
  });

  it('a leaf attaches to the least loaded of the closest supernodes and publishes its index', async () => {
    const t = setup();
    // Leaf id 1…; supernodes 0… and 3… are closer (XOR) than f….
    const near = t.add('0', { role: 'supernode' });
    const mid = t.add('3', { role: 'supernode' });
    const far = t.add('f', { role: 'supernode' });
    assert.ok(compareXor(near.self.id, far.self.id, hexId('1')) < 0);
    // Load `near` with two other leaves.
    await near.node.handler.attach({ leaf: { id: hexId('7'), address: '7:1' } }, {} as never);
    await near.node.handler.attach({ leaf: { id: hexId('8'), address: '8:1' } }, {} as never);
    const leaf = t.add('1', { attachCount: 1, probeCount: 2, heartbeatMs: 1_000 });
    leaf.candidates.push(far.self, near.self, mid.self);
    leaf.records.upsert(entry('bafy1', 'cat'));
    await leaf.node.start();
    await t.clock.advance(1_500);
    assert.deepEqual(leaf.node.attachedSupernodes().map((s) => s.id), [mid.self.id], 'least loaded of the 2 closest');
    assert.deepEqual(mid.leafIndex!.entries(leaf.self.id).map((e) => e.cid), ['bafy1']);
    leaf.records.upsert(entry('bafy2', 'dog'));
    leaf.node.indexChanged([entry('bafy2', 'dog')], ['bafy1']);
    await t.clock.advance(10);
    assert.deepEqual(mid.leafIndex!.entries(leaf.self.id).map((e) => e.cid), ['bafy2']);
    await leaf.node.stop();
  });

  it('searches through its supernode, which answers for its leaves and forwards to the other supernodes', async () => {
    const t = setup();
    const s1 = t.add('5', { role: 'supernode', supernodeTtl: 1 });
    const s2 = t.add('6', { role: 'supernode', supernodeTtl: 1 });
    const s3 = t.spy('7');
    s1.candidates.push(s2.self, s3.self);
    s2.candidates.push(s1.self, s3.self);
    const asker = t.add('1', { attachCount: 1, heartbeatMs: 1_000 });
    const other = t.add('2', { attachCount: 1, heartbeatMs: 1_000 });
    asker.candidates.push(s1.self);
    other.candidates.push(s2.self);
    other.records.upsert(entry('bafyo', 'cat'));
    const flood = t.spy('9');
    asker.overlay.push(flood.self);
    for (const n of [asker, other]) await n.node.start();
    await t.clock.advance(1_500);
    assert.equal(s2.leafIndex!.count(), 1);
    const r = await t.settle(asker.node.search('cat'));
    assert.equal(r.mode, 'supernode');
    assert.deepEqual(r.hits.map((h) => [h.cid, h.holders]), [['bafyo', [other.self.id]]]);
    assert.deepEqual([...r.responders].sort(), [s1.self.id, s2.self.id], 's2 answers for its leaf; s1, with no match, answers empty');
    assert.equal(flood.queries.length, 0, 'no flooding');
    // s1 forwarded to s2 and s3 with ttl 0; s2 did not forward further.
    assert.equal(s3.queries.length, 1);
    assert.equal(s3.queries[0]!.ttl, 0);
    assert.equal(s3.queries[0]!.mode, 'supernode');
    assert.equal(s2.node.stats().queriesForwarded, 0);
    for (const n of [asker, other]) await n.node.stop();
  });

  it('a supernode search ends as soon as every supernode reached has answered, without waiting for quiet', async () => {
    const t = setup();
    const s1 = t.add('5', { role: 'supernode' });
    const s2 = t.add('6', { role: 'supernode' });
    s1.candidates.push(s2.self);
    s2.candidates.push(s1.self);
    const asker = t.add('1', { attachCount: 1, heartbeatMs: 1_000, quietMs: 5_000, deadlineMs: 20_000 });
    const other = t.add('2', { attachCount: 1, heartbeatMs: 1_000 });
    asker.candidates.push(s1.self);
    other.candidates.push(s2.self);
    other.records.upsert(entry('bafyq', 'quick'));
    for (const n of [asker, other]) await n.node.start();
    await t.clock.advance(1_500);
    const started = t.clock.now();
    const r = await t.settle(asker.node.search('quick'));
    assert.equal(r.mode, 'supernode');
    assert.equal(r.partial, false);
    assert.deepEqual(r.hits.map((h) => h.cid), ['bafyq']);
    assert.ok(t.clock.now() - started < 5_000, `done after ${t.clock.now() - started} ms of clock time, before the 5 s quiet period`);
    for (const n of [asker, other]) await n.node.stop();
  });

  it('auto falls back to flooding when its supernode fails, and re-attaches elsewhere', async () => {
    const t = setup();
    const s1 = t.add('5', { role: 'supernode' });
    const s2 = t.add('6', { role: 'supernode' });
    const asker = t.add('1', { attachCount: 1, heartbeatMs: 1_000 });
    const holder = t.add('2');
    holder.records.upsert(entry('bafyh', 'cat'));
    asker.overlay.push(holder.self);
    asker.candidates.push(s1.self);
    await asker.node.start();
    await t.clock.advance(1_500);
    assert.deepEqual(asker.node.attachedSupernodes().map((s) => s.id), [s1.self.id]);
    t.network.kill(s1.self.address);
    const r = await t.settle(asker.node.search('cat'));
    assert.equal(r.mode, 'flood');
    assert.deepEqual(r.hits.map((h) => h.cid), ['bafyh']);
    assert.equal(asker.node.attachedSupernodes().length, 0, 'the failed supernode is let go');
    // It learns of s2 and attaches there at the next maintenance.
    asker.candidates.push(s2.self);
    await t.clock.advance(2_000);
    assert.deepEqual(asker.node.attachedSupernodes().map((s) => s.id), [s2.self.id]);
    await asker.node.stop();
  });

  it('a failed heartbeat detaches; contactDead forgets a supernode and drops a leaf', async () => {
    const t = setup();
    const s1 = t.add('5', { role: 'supernode' });
    const leaf = t.add('1', { attachCount: 1, heartbeatMs: 1_000 });
    leaf.candidates.push(s1.self);
    leaf.records.upsert(entry('bafy1', 'cat'));
    await leaf.node.start();
    await t.clock.advance(1_500);
    assert.equal(leaf.node.attachedSupernodes().length, 1);
    s1.node.contactDead(leaf.self.id);
    assert.equal(s1.leafIndex!.count(), 0, 'entries of a dead leaf are dropped');
    // The supernode no longer knows the leaf: the next heartbeat is refused, the leaf re-attaches.
    await t.clock.advance(2_500);
    assert.equal(leaf.node.attachedSupernodes().length, 1);
    assert.equal(s1.leafIndex!.count(), 1, 'republished in full');
    leaf.node.contactDead(s1.self.id);
    assert.equal(leaf.node.attachedSupernodes().length, 0);
    await leaf.node.stop();
  });

  it('registers its metrics under peerweave_search_*', () => {
    const t = setup();
    const names: string[] = [];
    const record = (o: { name: string }) => names.push(o.name);
    const metrics: Metrics = {
      counter: (o) => (record(o), noopMetrics.counter(o)),
      gauge: (o) => (record(o), noopMetrics.gauge(o)),
      histogram: (o) => (record(o), noopMetrics.histogram(o)),
    };
    t.add('1', { metrics });
    assert.ok(names.length >= 9);
    for (const n of names) assert.match(n, /^peerweave_search_/);
  });
});
