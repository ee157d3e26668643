// SWIM under verified ids (issue #15 item 2): an admitted but hostile member, on the in-memory
// network with ids (what mutual TLS proves over gRPC), cannot speak for another member; gossip
// about third parties still travels, as SWIM's dissemination needs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PeerContact, PeerTransport } from '@peerweave/protocol';
import { createTestCluster, type TestCluster } from './testing/index.ts';

const FAST = { swim: { probeIntervalMs: 200, probeTimeoutMs: 100 } };
const EVIL = 'ee'.repeat(32);

/** Settles `promise` on the cluster's manual clock (messages take 1 ms each way). */
async function settle<T>(cluster: TestCluster, promise: Promise<T>): Promise<T> {
  let done = false;
  void promise.finally(() => (done = true)).catch(() => {});
  for (let ms = 0; !done; ms += 1) {
    if (ms > 5_000) throw new Error('no answer within 5 s of clock time');
    await cluster.advance(1, 1);
  }
  return promise;
}

describe('SWIM: a member speaks only for itself', () => {
  let cluster: TestCluster;
  let evil: PeerTransport;
  const evilContact: PeerContact = { id: EVIL, address: 'evil:7400', role: 'peer', incarnation: 1 };

  const codeOf = (promise: Promise<unknown>): Promise<string> =>
    settle(cluster, promise).then(
      () => 'OK',
      (err: { code?: string }) => err.code ?? 'no code',
    );

  before(async () => {
    cluster = await createTestCluster(4, { seed: 5, routing: FAST });
    evil = cluster.network.listen('evil:7400', {}, { id: EVIL }).transport;
  });
  after(() => cluster?.stop());

  function victimContact(index: number, incarnation: number): PeerContact {
    const node = cluster.nodes[index]!;
    return { id: node.id, address: node.address, role: 'peer', incarnation };
  }

  it('a leave for another member is refused PERMISSION_DENIED, and that member stays alive', async () => {
    const [target, victim] = [cluster.nodes[0]!, cluster.nodes[1]!];
    assert.equal(target.routing.stateOf(victim.id), 'alive');
    const code = await codeOf(evil.request(target.address, 'leave', { sender: victimContact(1, Number.MAX_SAFE_INTEGER), updates: [] }));
    assert.equal(code, 'PERMISSION_DENIED');
    assert.equal(target.routing.stateOf(victim.id), 'alive');
  });

  it("a ping or pingReq in another member's name (its contact, a forged incarnation) is refused", async () => {
    const target = cluster.nodes[0]!;
    const forged = victimContact(2, Number.MAX_SAFE_INTEGER - 1);
    assert.equal(await codeOf(evil.request(target.address, 'ping', { sender: forged, updates: [], target: target.id })), 'PERMISSION_DENIED');
    assert.equal(
      await codeOf(evil.request(target.address, 'pingReq', { sender: forged, updates: [], target: victimContact(3, 0), timeoutMs: 100 })),
      'PERMISSION_DENIED',
    );
    assert.equal(await codeOf(evil.request(target.address, 'findNode', { sender: forged, updates: [], key: EVIL, count: 3 })), 'PERMISSION_DENIED');
    const seen = target.routing.peers().find((p) => p.id === forged.id);
    assert.ok(seen !== undefined && seen.incarnation < forged.incarnation, 'the forged incarnation was not applied');
  });

  it('a member speaking for itself is served, and its gossip about others is accepted (bounded by incarnations)', async () => {
    const target = cluster.nodes[0]!;
    const other = cluster.nodes[3]!;
    const known = target.routing.peers().find((p) => p.id === other.id)!;
    const answer = await settle(cluster, evil.request(target.address, 'ping', {
      sender: evilContact,
      updates: [{ state: 'suspect', contact: victimContact(3, known.incarnation), from: EVIL }],
      target: target.id,
    }));
    assert.equal(answer.sender.id, target.id);
    assert.equal(target.routing.stateOf(EVIL), 'alive');
    assert.equal(target.routing.stateOf(other.id), 'suspect', 'a claim about a third party is gossip: applied, and refutable');
  });

  it('a probe that expects another node at an address fails instead of talking to it', async () => {
    const [a, b] = [cluster.nodes[0]!, cluster.nodes[1]!];
    const ping = { sender: victimContact(0, 1), updates: [], target: '' };
    assert.equal(await codeOf(a.transport.request(b.address, 'ping', ping, { expectId: EVIL })), 'PERMISSION_DENIED');
  });
});
