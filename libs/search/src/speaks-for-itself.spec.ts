// Search under verified ids (issue #15 item 2): over the in-memory network with ids (what mutual
// TLS proves over gRPC), a node attaches and publishes only its own index, and a query copy names
// its real sender.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PeerTransport } from '@peerweave/protocol';
import { createSearchCluster, type SearchCluster } from './testing/index.ts';

const EVIL = 'ee'.repeat(32);

describe('search: a node speaks only for itself', () => {
  let cluster: SearchCluster;
  let evil: PeerTransport;

  /** The call's outcome (its code, or OK) on the cluster's manual clock. */
  async function codeOf(promise: Promise<unknown>): Promise<string> {
    let outcome: string | undefined;
    promise.then(
      () => (outcome = 'OK'),
      (err: { code?: string }) => (outcome = err.code ?? 'no code'),
    );
    for (let ms = 0; outcome === undefined; ms += 10) {
      if (ms > 10_000) throw new Error('no answer within 10 s of clock time');
      await cluster.advance(10, 10);
    }
    return outcome;
  }

  before(async () => {
    cluster = await createSearchCluster(4, { overlay: 'synthetic', supernodes: 1, seed: 21 });
    evil = cluster.network.listen('evil:7400', {}, { id: EVIL }).transport;
  });
  after(() => cluster?.stop());

  it("attaching or publishing as another leaf is refused PERMISSION_DENIED; as itself it is served", async () => {
    const supernode = cluster.supernodes()[0]!;
    const victim = cluster.nodes.find((n) => n.role !== 'supernode')!;
    assert.equal(await codeOf(evil.request(supernode.address, 'attach', { leaf: victim.self })), 'PERMISSION_DENIED');
    assert.equal(await codeOf(evil.request(supernode.address, 'publish', { leaf: victim.id, full: true, upserts: [], removed: [] })), 'PERMISSION_DENIED');
    assert.equal(await codeOf(evil.request(supernode.address, 'attach', { leaf: { id: EVIL, address: 'evil:7400' } })), 'OK');
    assert.equal(await codeOf(evil.request(supernode.address, 'publish', { leaf: EVIL, full: true, upserts: [], removed: [] })), 'OK');
  });

  it('a query copy whose `from` is another node is refused', async () => {
    const target = cluster.nodes[0]!;
    const victim = cluster.nodes[1]!;
    const query = { queryId: 'ab'.repeat(16), text: 'words', ttl: 1, hops: 0, limit: 5, mode: 'flood' as const, origin: { id: EVIL, address: 'evil:7400' } };
    assert.equal(await codeOf(evil.request(target.address, 'query', { ...query, from: victim.id })), 'PERMISSION_DENIED');
    assert.equal(await codeOf(evil.request(target.address, 'query', { ...query, from: EVIL })), 'OK');
  });
});
