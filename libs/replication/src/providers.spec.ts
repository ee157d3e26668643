import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnavailableError, type ProviderRecord } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { AddProviderRequest, PeerContact } from '@peerweave/protocol';
import { MAX_PROVIDER_TTL_MS, Providers } from './providers.ts';
import { contact, contentMetrics, memoryDb, rawBlock } from './test-support.ts';

const self = contact(1);
const a = contact(2);
const b = contact(3);
const TTL = 8_000;

async function setup(answers: Map<string, readonly ProviderRecord[] | Error> = new Map(), isDown?: (id: string) => boolean) {
  const clock = new ManualClock(1_000);
  const db = memoryDb();
  const { metrics, recorded } = contentMetrics();
  const told: [string, AddProviderRequest][] = [];
  const providers = new Providers({
    self,
    db,
    clock,
    metrics,
    providerTtlMs: TTL,
    ...(isDown ? { isDown } : {}),
    replicaSet: { r: 3, knownPreferenceList: () => [self, a, b] },
    peers: {
      concurrency: 4,
      addProvider: async (peer: PeerContact, request: AddProviderRequest) => {
        if (peer.id === b.id && answers.get('fail-announce')) throw new UnavailableError('down');
        told.push([peer.id, request]);
      },
      getProviders: async (peer: PeerContact) => {
        const answer = answers.get(peer.id) ?? [];
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  });
  const root = await rawBlock('root');
  const leaf = await rawBlock('leaf');
  return { clock, db, recorded, told, providers, root, leaf };
}

describe('Providers', () => {
  it('provide: the record goes to the other replicas of the root, and is kept here when this node is one', async () => {
    const s = await setup();
    s.providers.provide(s.root.text, [s.leaf.text]);
    await s.clock.advance(0);
    assert.deepEqual(s.told.map(([id]) => id), [a.id, b.id]);
    assert.deepEqual(s.told[0]![1], { cids: [s.root.text], id: self.id, address: self.address, ttlMs: TTL });
    assert.deepEqual(s.db.providers(s.root.text, s.clock.now(), 10).map((p) => p.id), [self.id]);
    assert.equal(s.recorded.value('peerweave_content_provider_announcements_total', { outcome: 'ok' }), 3);
    assert.deepEqual(s.providers.provided(), [s.root.text]);
  });

  it('an announcement that fails is counted by its code', async () => {
    const s = await setup(new Map([['fail-announce', []]]));
    s.providers.provide(s.root.text, [s.leaf.text]);
    await s.clock.advance(0);
    assert.equal(s.recorded.value('peerweave_content_provider_announcements_total', { outcome: 'unavailable' }), 1);
  });

  it('findProviders: the records of the replicas, merged, an unreachable one adding nobody', async () => {
    const p = (id: number, expiresMs: number): ProviderRecord => ({ id: contact(id).id, address: contact(id).address, expiresMs });
    const s = await setup(
      new Map<string, readonly ProviderRecord[] | Error>([
        [a.id, [p(7, 5_000), p(8, 5_000)]],
        [b.id, new UnavailableError('down')],
      ]),
    );
    s.providers.accept({ cids: [s.root.text], id: contact(7).id, address: contact(7).address, ttlMs: 9_000 });
    const { replicas, providers } = await s.providers.providerRecords(s.root.text);
    assert.deepEqual(replicas, [self.id, a.id, b.id]);
    assert.deepEqual(providers.map((r) => [r.id.slice(0, 2), r.expiresMs]), [['07', 10_000], ['08', 5_000]]);
    const contacts = await s.providers.findProviders(s.root.text);
    assert.deepEqual(contacts[1], { id: contact(8).id, address: contact(8).address, role: 'peer', incarnation: 0 });
  });

  it('findProviders leaves out providers routing holds down (suspect, dead, left), keeps those it does not know', async () => {
    const p = (id: number): ProviderRecord => ({ id: contact(id).id, address: contact(id).address, expiresMs: 5_000 });
    const s = await setup(new Map<string, readonly ProviderRecord[] | Error>([[a.id, [p(7), p(8), p(9)]]]), (id) => id === contact(8).id);
    const contacts = await s.providers.findProviders(s.root.text);
    assert.deepEqual(contacts.map((c) => c.id), [contact(7).id, contact(9).id]);
    const { providers } = await s.providers.providerRecords(s.root.text);
    assert.equal(providers.length, 3, 'the records themselves are still served as they are');
  });

  it('accept caps the lifetime and refuses a malformed CID', async () => {
    const s = await setup();
    s.providers.accept({ cids: [s.root.text], id: a.id, address: a.address, ttlMs: 10 * MAX_PROVIDER_TTL_MS });
    assert.equal(s.providers.recordsFor(s.root.text)[0]!.expiresMs, 1_000 + MAX_PROVIDER_TTL_MS);
    assert.throws(() => s.providers.accept({ cids: ['nope'], id: a.id, address: a.address, ttlMs: 1 }), { code: 'INVALID_CID' });
  });

  it('refreshes at half the lifetime while a leaf is held, forgets the object once none is or it is deleted', async () => {
    const s = await setup();
    await s.providers.start();
    s.db.addBlock({ cid: s.leaf.text, bytes: 4, roots: [], kind: 'cache', nowMs: 0 });
    s.providers.provide(s.root.text, [s.leaf.text]);
    await s.clock.advance(0);
    assert.equal(s.told.length, 2);
    await s.clock.advance(TTL / 4);
    assert.equal(s.told.length, 2, 'a quarter in: not yet');
    await s.clock.advance(TTL / 4);
    assert.equal(s.told.length, 4, 'half the lifetime: announced again');
    s.db.removeBlock(s.leaf.text);
    await s.clock.advance(TTL / 4);
    assert.deepEqual(s.providers.provided(), [], 'no leaf held: forgotten');
    await s.clock.advance(TTL);
    assert.equal(s.told.length, 4);
    await s.providers.stop();
    assert.equal(s.clock.pending, 0, 'no timer left');
  });
});
