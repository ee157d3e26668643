import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { MemoryNetwork } from './memory-network.ts';
import type { PeerCallContext } from '../service-types.ts';
import { ALICE, BOB, PING, PING_RESPONSE, sampleHandler } from '../routing/routing-test-messages.ts';
import { cid, NODE_A, NODE_B, sampleContentHandler } from '../content/content-test-messages.ts';
import { rejectsWithCode } from '../test-support.ts';

function setup() {
  return new MemoryNetwork({ clock: new ManualClock(0), random: new SeededRandom(3), defaultDeadlineMs: 1_000 });
}

describe('MemoryNetwork: verified caller ids (what mutual TLS proves, in-process)', () => {
  it("a node listening with an id is its calls' callerId, on unary calls and block streams; without one there is none", async () => {
    const network = setup();
    const contexts: { method: string; callerId: string | undefined }[] = [];
    const base = sampleContentHandler();
    network.listen('b', {
      ...sampleHandler(),
      ...base,
      ping: async (_r, context: PeerCallContext) => (contexts.push({ method: 'ping', callerId: context.callerId }), { ...PING_RESPONSE, sender: BOB }),
      readBlock: async (want, context) => (contexts.push({ method: 'readBlock', callerId: context.callerId }), base.readBlock(want, context)),
    }, { id: BOB.id });
    const a = network.listen('a', sampleHandler(), { id: ALICE.id }).transport;
    const anonymous = network.listen('x', sampleHandler()).transport;
    await a.request('b', 'ping', PING);
    const reader = a.openBlockReader('b');
    await reader.get(cid(1)).catch(() => {});
    reader.close();
    await anonymous.request('b', 'ping', PING);
    assert.deepEqual(contexts, [
      { method: 'ping', callerId: ALICE.id },
      { method: 'readBlock', callerId: ALICE.id },
      { method: 'ping', callerId: undefined },
    ]);
  });

  it('a request speaking for another id than its caller is refused PERMISSION_DENIED before the handler', async () => {
    const network = setup();
    const handler = sampleHandler();
    network.listen('b', handler, { id: BOB.id });
    const carol = network.listen('c', sampleHandler(), { id: 'cc'.repeat(32) }).transport;
    await rejectsWithCode(carol.request('b', 'ping', PING), 'PERMISSION_DENIED', /ping claims to come from 010101010101…/);
    assert.deepEqual(handler.received, []);
  });

  it('a peer announcing a provider record for another id is refused (PERMISSION_DENIED)', async () => {
    const network = setup();
    const content = sampleContentHandler();
    network.listen('b', content, { id: NODE_B });
    const a = network.listen('a', {}, { id: NODE_A }).transport;
    const announce = { cids: [cid(1)], address: 'a', ttlMs: 60_000 };
    await rejectsWithCode(a.request('b', 'addProvider', { ...announce, id: NODE_B }), 'PERMISSION_DENIED');
    assert.equal(content.received.length, 0);
    await a.request('b', 'addProvider', { ...announce, id: NODE_A });
    assert.deepEqual(content.received.map((r) => r.method), ['addProvider']);
  });

  it('a call expecting another node at the address fails PERMISSION_DENIED, and so does an answer from another sender', async () => {
    const network = setup();
    const handler = sampleHandler();
    network.listen('b', handler, { id: BOB.id });
    const a = network.listen('a', sampleHandler(), { id: ALICE.id }).transport;
    await rejectsWithCode(a.request('b', 'ping', PING, { expectId: 'cc'.repeat(32) }), 'PERMISSION_DENIED', /b is bbbb|b is 020202/);
    assert.deepEqual(handler.received, [], 'the wrong node never handles it');
    await a.request('b', 'ping', PING, { expectId: BOB.id });
    network.listen('liar', { ...sampleHandler(), ping: async () => ({ ...PING_RESPONSE, sender: BOB }) }, { id: 'dd'.repeat(32) });
    await rejectsWithCode(a.request('liar', 'ping', PING), 'PERMISSION_DENIED', /answer claims to come from/);
  });

  it('rules apply only where ids are known: plaintext-like nodes talk as before', async () => {
    const network = setup();
    network.listen('b', sampleHandler());
    const a = network.listen('a', sampleHandler()).transport;
    const answer = await a.request('b', 'ping', { ...PING, sender: { ...ALICE, id: 'ee'.repeat(32) } }, { expectId: 'ff'.repeat(32) });
    assert.equal(answer.sender.id, BOB.id);
  });

  it('an empty id is refused (INVALID_ARGUMENT)', () => {
    assert.throws(() => setup().listen('a', {}, { id: '' }), { code: 'INVALID_ARGUMENT' });
  });
});
