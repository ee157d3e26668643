import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideAttach, expiredLeaves, isHeartbeat, type AttachDecision } from './supernode-server.ts';
import { entry, hexId, setup } from './test-support.ts';

describe('SupernodeServer', () => {
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
    // A heartbeat touches no index row (no transaction); an empty full publish clears the leaf.
    let applied = 0;
    const apply = sn.leafIndex!.applyPublish.bind(sn.leafIndex!);
    sn.leafIndex!.applyPublish = (owner, change) => {
      applied++;
      apply(owner, change);
    };
    assert.deepEqual(await sn.node.handler.publish({ leaf: leaf.id, full: false, upserts: [], removed: [] }, {} as never), { accepted: true });
    assert.equal(applied, 0);
    assert.deepEqual(sn.leafIndex!.entries(leaf.id).map((e) => e.cid), ['w']);
    await sn.node.handler.publish({ leaf: leaf.id, full: true, upserts: [], removed: [] }, {} as never);
    assert.equal(applied, 1);
    assert.deepEqual(sn.leafIndex!.entries(leaf.id), []);
    await sn.node.handler.publish({ leaf: leaf.id, full: true, upserts: [entry('w', 'fish')], removed: [] }, {} as never);
    // Full: a third leaf is refused.
    await sn.node.handler.attach({ leaf: { id: hexId('2'), address: '2:1' } }, {} as never);
    assert.deepEqual(await sn.node.handler.attach({ leaf: { id: hexId('3'), address: '3:1' } }, {} as never), { accepted: false, leaves: 2 });
    const load = await sn.node.handler.searchLoad({ from: hexId('3') }, {} as never);
    assert.equal(load.supernode, true);
    assert.equal(load.leaves, 2);
    assert.equal(load.entries, 1);
  });

  it('the mesh forms in one gossip round from a chain: each asked supernode names the next, and learns the asker', async () => {
    const t = setup();
    // Routing shows each supernode only the next one: s1 → s2 → … → s6.
    const chain = ['1', '2', '3', '4', '5', '6'].map((c) => t.add(c, { role: 'supernode', maxLeaves: 10 }));
    for (let i = 0; i + 1 < chain.length; i++) chain[i]!.candidates.push(chain[i + 1]!.self);
    const ids = (n: (typeof chain)[number]): string[] => n.node.knownSupernodes().map((s) => s.id).sort();
    const others = (n: (typeof chain)[number]): string[] => chain.filter((o) => o !== n).map((o) => o.self.id).sort();
    await t.settle(chain[0]!.node.maintain());
    assert.deepEqual(ids(chain[0]!), others(chain[0]!), 's1 crawled the chain');
    for (const n of chain.slice(2)) assert.ok(ids(n).includes(chain[0]!.self.id), 'every supernode s1 asked learnt s1');
    // A node in role peer is told nothing by the same announcement.
    const peer = t.add('9');
    await peer.node.handler.searchLoad({ from: chain[0]!.self.id, supernode: chain[0]!.self }, {} as never);
    assert.deepEqual(peer.node.knownSupernodes(), []);
  });

  it('two meshes that do not know each other merge through a leaf attached to one supernode of each', async () => {
    const t = setup();
    const [s1, s2, s3, s4] = ['1', '2', '3', '4'].map((c) => t.add(c, { role: 'supernode', maxLeaves: 10 }));
    s1!.candidates.push(s2!.self);
    s2!.candidates.push(s1!.self);
    s3!.candidates.push(s4!.self);
    s4!.candidates.push(s3!.self);
    // The leaf knows (and is attached to) s1 and s3.
    const leaf = t.add('7');
    leaf.candidates.push(s1!.self, s3!.self);
    await s1!.node.handler.attach({ leaf: leaf.self }, {} as never);
    await t.settle(s1!.node.maintain());
    const ids = (n: typeof s1): string[] => n!.node.knownSupernodes().map((s) => s.id).sort();
    assert.deepEqual(ids(s1), [s2, s3, s4].map((n) => n!.self.id).sort(), 's1 learnt s3 from its leaf, and s4 from s3');
    assert.ok(ids(s3).includes(s1!.self.id) && ids(s4).includes(s1!.self.id), 'the other mesh learnt s1');
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
});

describe('SupernodeServer: decisions', () => {
  it('decideAttach: a peer refuses; a known leaf is refreshed even when full; a new one while there is room, never itself', () => {
    const base: Parameters<typeof decideAttach>[0] = { role: 'supernode', known: false, leaves: 0, maxLeaves: 2, self: false };
    const rows: [Partial<typeof base>, AttachDecision][] = [
      [{}, 'accept'],
      [{ role: 'peer' }, 'refuse'],
      [{ role: 'peer', known: true }, 'refuse'],
      [{ known: true, leaves: 2 }, 'refresh'],
      [{ leaves: 1 }, 'accept'],
      [{ leaves: 2 }, 'refuse'],
      [{ maxLeaves: 0 }, 'refuse'],
      [{ self: true }, 'refuse'],
    ];
    for (const [over, decision] of rows) assert.equal(decideAttach({ ...base, ...over }), decision, JSON.stringify(over));
  });

  it('isHeartbeat: only an empty publish that is not full (an empty full publish clears the leaf)', () => {
    const rows: [{ full: boolean; upserts: ReturnType<typeof entry>[]; removed: string[] }, boolean][] = [
      [{ full: false, upserts: [], removed: [] }, true],
      [{ full: true, upserts: [], removed: [] }, false],
      [{ full: false, upserts: [entry('x', 'x')], removed: [] }, false],
      [{ full: false, upserts: [], removed: ['x'] }, false],
    ];
    for (const [request, heartbeat] of rows) assert.equal(isHeartbeat(request), heartbeat, JSON.stringify(request));
  });

  it('expiredLeaves: silent for the expiry or longer', () => {
    const seen: [string, number][] = [['a', 1_000], ['b', 2_000], ['c', 3_000]];
    const rows: [number, number, string[]][] = [
      [3_000, 5_000, []],
      [6_000, 5_000, ['a']],
      [7_000, 5_000, ['a', 'b']],
      [8_500, 5_000, ['a', 'b', 'c']],
      [3_000, 0, ['a', 'b', 'c']],
    ];
    for (const [now, expiry, ids] of rows) assert.deepEqual(expiredLeaves(seen, now, expiry), ids, `${now}/${expiry}`);
  });
});
