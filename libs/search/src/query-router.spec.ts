import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_SEARCH_HOPS, MAX_SEARCH_LIMIT, MAX_SEARCH_TTL, MAX_SUPERNODES_PER_MESSAGE, type QueryRequest, type SearchHit } from '@peerweave/protocol';
import { floodTargets, forwardTtl, mergeAnswers, rateKey, supernodeTargets } from './query-router.ts';
import { entry, hexId, setup } from './test-support.ts';

describe('QueryRouter: flooding, serving side', () => {
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
    assert.equal(b.node.metrics.totals().duplicates, 1);
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
    assert.equal(b.node.metrics.totals().rateLimited, 2);
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

describe('QueryRouter: decisions', () => {
  const origin = { id: hexId('0'), address: '0:1' };
  const q = (over: Partial<QueryRequest> = {}): QueryRequest => ({ queryId: 'a'.repeat(32), text: 'cat', ttl: 3, hops: 0, limit: 10, mode: 'flood', origin, from: hexId('1'), ...over });
  const node = (c: string) => ({ id: hexId(c), address: `${c}:1` });

  it('rateKey: a flood per sending neighbour, a supernode-mode query per asking leaf', () => {
    const rows: [QueryRequest, string][] = [
      [q(), hexId('1')],
      [q({ from: hexId('2') }), hexId('2')],
      [q({ mode: 'supernode' }), `s:${hexId('0')}`],
      [q({ mode: 'supernode', from: hexId('2') }), `s:${hexId('0')}`],
    ];
    for (const [request, key] of rows) assert.equal(rateKey(request), key);
  });

  it('forwardTtl: the remote TTL cut to the maximum, to supernodeTtl among supernodes, 0 past the hop limit', () => {
    const rows: [Partial<QueryRequest>, number][] = [
      [{ ttl: 3 }, 3],
      [{ ttl: 50 }, MAX_SEARCH_TTL],
      [{ ttl: 0 }, 0],
      [{ ttl: -4 }, 0],
      [{ ttl: Number.NaN }, 0],
      [{ ttl: 2.7 }, 2],
      [{ ttl: 5, mode: 'supernode' }, 2],
      [{ ttl: 1, mode: 'supernode' }, 1],
      [{ ttl: 0, mode: 'supernode' }, 0],
      [{ ttl: 3, hops: MAX_SEARCH_HOPS - 1 }, 3],
      [{ ttl: 3, hops: MAX_SEARCH_HOPS }, 0],
    ];
    for (const [over, ttl] of rows) assert.equal(forwardTtl(q(over), 2), ttl, JSON.stringify(over));
  });

  it('floodTargets: the overlay but this node and those excluded', () => {
    const overlay = ['1', '2', '3', 'a'].map(node);
    const rows: [string[], string[]][] = [
      [[], ['1', '2', '3']],
      [[hexId('1')], ['2', '3']],
      [[hexId('1'), hexId('3')], ['2']],
      [[hexId('9')], ['1', '2', '3']],
    ];
    for (const [exclude, ids] of rows) assert.deepEqual(floodTargets(overlay, hexId('a'), exclude), ids.map(node), exclude.join());
    assert.deepEqual(floodTargets([], hexId('a')), []);
  });

  it('supernodeTargets: the known supernodes but the sender and the origin, none with no TTL left, at most a message full', () => {
    const known = ['0', '1', '5', '6'].map(node);
    assert.deepEqual(supernodeTargets(known, q(), 1), ['5', '6'].map(node));
    assert.deepEqual(supernodeTargets(known, q(), 0), []);
    assert.deepEqual(supernodeTargets(known, q({ from: hexId('5') }), 2), ['1', '6'].map(node));
    const many = Array.from({ length: MAX_SUPERNODES_PER_MESSAGE + 10 }, (_, i) => ({ id: i.toString(16).padStart(64, '7'), address: `${i}:1` }));
    assert.equal(supernodeTargets(many, q(), 1).length, MAX_SUPERNODES_PER_MESSAGE);
  });

  it('mergeAnswers: own and leaves by score, best first, at most MAX_SEARCH_LIMIT', () => {
    const hit = (cid: string, score: number, holder = hexId('a')): SearchHit => ({ cid, name: cid, size: 1, contentType: 'text/plain', keywords: [], score, holder });
    assert.deepEqual(mergeAnswers([], [hit('x', 1)]), [hit('x', 1)]);
    assert.deepEqual(mergeAnswers([hit('a', 1)], []), [hit('a', 1)]);
    assert.deepEqual(mergeAnswers([hit('a', 1), hit('b', 3)], [hit('c', 2, hexId('1'))]).map((h) => h.cid), ['b', 'c', 'a']);
    const lots = Array.from({ length: MAX_SEARCH_LIMIT }, (_, i) => hit(`l${i}`, i));
    assert.equal(mergeAnswers([hit('own', 1e9)], lots).length, MAX_SEARCH_LIMIT);
    assert.equal(mergeAnswers([hit('own', 1e9)], lots)[0]!.cid, 'own');
  });
});
