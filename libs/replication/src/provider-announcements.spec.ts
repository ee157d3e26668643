// Provider announcements under verified ids (issue #15 item 2): a peer announcing a provider record
// for another id is refused, over the in-memory network with ids (what mutual TLS proves over gRPC),
// against real content nodes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PeerTransport } from '@peerweave/protocol';
import { createContentCluster, type ContentCluster } from './testing/index.ts';

const EVIL = 'ee'.repeat(32);
const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';

describe('provider announcements: a node announces only itself', () => {
  let cluster: ContentCluster;
  let evil: PeerTransport;

  before(async () => {
    cluster = await createContentCluster(3, { seed: 9 });
    evil = cluster.network.listen('evil:7400', {}, { id: EVIL }).transport;
  });
  after(() => cluster?.stop());

  it('a peer announcing a provider record for another id is refused (PERMISSION_DENIED) and nothing is recorded', async () => {
    const [target, victim] = [cluster.nodes[0]!, cluster.nodes[1]!];
    await assert.rejects(
      evil.request(target.address, 'addProvider', { cids: [CID], id: victim.id, address: 'evil:7400', ttlMs: 60_000 }),
      { code: 'PERMISSION_DENIED' },
    );
    const { providers } = await evil.request(target.address, 'getProviders', { cid: CID });
    assert.deepEqual(providers, []);
  });

  it('announcing itself is recorded', async () => {
    const target = cluster.nodes[0]!;
    const { accepted } = await evil.request(target.address, 'addProvider', { cids: [CID], id: EVIL, address: 'evil:7400', ttlMs: 60_000 });
    assert.equal(accepted, 1);
    const { providers } = await evil.request(target.address, 'getProviders', { cid: CID });
    assert.deepEqual(providers.map((p) => p.id), [EVIL]);
  });

  it('anti-entropy in the name of another node is refused too', async () => {
    const [target, victim] = [cluster.nodes[0]!, cluster.nodes[1]!];
    await assert.rejects(evil.request(target.address, 'syncKeys', { from: victim.id, prefixes: [0] }), { code: 'PERMISSION_DENIED' });
  });
});
