import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnavailableError } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { PeerContact, PeerTransport } from '@peerweave/protocol';
import { ContentPeers, DEFAULT_BLOCK_DEADLINE_MS, groupByPeer, HAS_BATCH, PROVIDERS_DEADLINE_MS, QUERY_DEADLINE_MS } from './content-peers.ts';
import { contact, noBlockStreams } from './test-support.ts';

interface Sent {
  address: string;
  method: string;
  request: unknown;
  deadlineMs: number | undefined;
}

/** A transport that answers with `answer(method, request, address)` and records every call. */
function transport(answer: (method: string, request: never, address: string) => unknown) {
  const sent: Sent[] = [];
  const t: Pick<PeerTransport, 'request' | 'openBlockReader' | 'openBlockWriter'> = {
    // A peer of an older version: block transfer falls back to the unary calls tested here.
    ...noBlockStreams(),
    request: (async (address: string, method: string, request: unknown, options?: { deadlineMs?: number }) => {
      sent.push({ address, method, request, deadlineMs: options?.deadlineMs });
      return answer(method, request as never, address);
    }) as PeerTransport['request'],
  };
  return { transport: t, sent };
}

const self = contact(1);
const a = contact(2);
const b = contact(3);

function peers(answer: (method: string, request: never, address: string) => unknown, init: { blockDeadlineMs?: number; holds?: (cid: string) => boolean } = {}) {
  const t = transport(answer);
  return { peers: new ContentPeers({ self, transport: t.transport, clock: new ManualClock(0), holds: init.holds ?? (() => false), ...init }), sent: t.sent };
}

describe('ContentPeers', () => {
  it('fetchBlock: the bytes when found, undefined when not', async () => {
    const data = new Uint8Array([1, 2]);
    const { peers: p, sent } = peers((_m, r: { cid: string }) => (r.cid === 'have' ? { found: true, data } : { found: false, data: new Uint8Array(0) }));
    assert.deepEqual(await p.fetchBlock(a, 'have', undefined), data);
    assert.equal(await p.fetchBlock(a, 'lack', undefined), undefined);
    assert.deepEqual(sent.map((s) => [s.address, s.method]), [[a.address, 'getBlock'], [a.address, 'getBlock']]);
  });

  it('storeBlock and storeRecord: whether the peer stored it', async () => {
    const { peers: p } = peers((m, r: { hintFor?: string }) => ({ stored: m === 'putRecord' || r.hintFor === '' }));
    assert.equal(await p.storeBlock(a, { cid: 'x', data: new Uint8Array(0), roots: [], hintFor: '' }, undefined), true);
    assert.equal(await p.storeBlock(a, { cid: 'x', data: new Uint8Array(0), roots: [], hintFor: b.id }, undefined), false);
    assert.equal(await p.storeRecord(a, {} as never, undefined), true);
  });

  const deadlines: [method: string, call: (p: ContentPeers) => Promise<unknown>, blockDeadlineMs: number, expected: number][] = [
    ['getBlock', (p) => p.fetchBlock(a, 'x', undefined), DEFAULT_BLOCK_DEADLINE_MS, DEFAULT_BLOCK_DEADLINE_MS],
    ['putBlock', (p) => p.storeBlock(a, { cid: 'x', data: new Uint8Array(0), roots: [], hintFor: '' }, undefined), 800, 800],
    ['getRecord', (p) => p.getRecord(a, 'x', undefined), 800, 800],
    ['hasBlocks (short by default)', (p) => p.whoHas(groupByPeer([[a, 'x']]), undefined), DEFAULT_BLOCK_DEADLINE_MS, QUERY_DEADLINE_MS],
    ['hasBlocks (never longer than a block)', (p) => p.whoHas(groupByPeer([[a, 'x']]), undefined), 800, 800],
    ['getProviders', (p) => p.getProviders(a, 'x', undefined), 800, PROVIDERS_DEADLINE_MS],
    ['addProvider', (p) => p.addProvider(a, { cids: ['x'], id: self.id, address: self.address, ttlMs: 1 }, undefined), 800, PROVIDERS_DEADLINE_MS],
  ];
  for (const [method, call, blockDeadlineMs, expected] of deadlines) {
    it(`${method} with a block deadline of ${blockDeadlineMs} ms: ${expected} ms`, async () => {
      const { peers: p, sent } = peers(() => ({ found: false, data: new Uint8Array(0), stored: true, have: [true], providers: [], accepted: 1 }), { blockDeadlineMs });
      await call(p);
      assert.equal(sent[0]!.deadlineMs, expected);
    });
  }

  it('whoHas: one HasBlocks per peer and batch, this node answered locally, a failing peer makes its blocks unreachable', async () => {
    const many = Array.from({ length: HAS_BATCH + 2 }, (_, i) => `c${i}`);
    const { peers: p, sent } = peers(
      (_m, r: { cids: string[] }, address) => {
        if (address === b.address) throw new UnavailableError('down');
        return { have: r.cids.map((c) => c !== 'c1') };
      },
      { holds: (cid) => cid === 'mine' },
    );
    const asks = groupByPeer([...many.map((c) => [a, c] as const), [b, 'x'], [self, 'mine'], [self, 'other']]);
    const { held, lacking, unreachable } = await p.whoHas(asks, undefined);
    // Peers are asked in parallel, each peer's batches in order.
    const perPeer = (address: string) => sent.filter((s) => s.address === address).map((s) => (s.request as { cids: string[] }).cids.length);
    assert.deepEqual([perPeer(a.address), perPeer(b.address), perPeer(self.address)], [[HAS_BATCH, 2], [1], []]);
    assert.equal(held.size, many.length - 1 + 1);
    assert.ok(held.has(`${self.id}/mine`) && held.has(`${a.id}/c0`) && !held.has(`${a.id}/c1`));
    assert.deepEqual(lacking.map((l) => `${l.peer.id.slice(0, 2)}/${l.cid}`).sort(), ['01/other', '02/c1']);
    assert.deepEqual([...unreachable], ['x']);
  });
});

describe('groupByPeer', () => {
  const cases: [what: string, pairs: [PeerContact, string][], expected: [string, string[]][]][] = [
    ['nothing', [], []],
    ['first-seen order of peers, cids in order', [[b, '1'], [a, '2'], [b, '3']], [[b.id, ['1', '3']], [a.id, ['2']]]],
  ];
  for (const [what, pairs, expected] of cases) {
    it(what, () => assert.deepEqual([...groupByPeer(pairs)].map(([id, g]) => [id, g.cids]), expected));
  }
});
