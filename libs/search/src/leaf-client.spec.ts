import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IndexEntry } from '@peerweave/protocol';
import { compareDistance, idFromHex } from '@peerweave/routing';
import { attachOrder, byLoad, publishMessages } from './leaf-client.ts';
import { entry, hexId, setup } from './test-support.ts';

describe('LeafClient', () => {
  it('a leaf attaches to the least loaded of the closest supernodes and publishes its index', async () => {
    const t = setup();
    // Leaf id 1…; supernodes 0… and 3… are closer (XOR) than f….
    const near = t.add('0', { role: 'supernode' });
    const mid = t.add('3', { role: 'supernode' });
    const far = t.add('f', { role: 'supernode' });
    assert.ok(compareDistance(idFromHex(near.self.id), idFromHex(far.self.id), idFromHex(hexId('1'))) < 0);
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
    // Incremental changes linger (publishDelayMs) before they go: wait for them to arrive.
    const cids = () => mid.leafIndex!.entries(leaf.self.id).map((e) => e.cid);
    await t.until(() => cids().join() === 'bafy2', 'the change reaches the supernode');
    assert.deepEqual(cids(), ['bafy2']);
    const sent = leaf.node.metrics.totals().publishesSent;
    assert.ok(sent >= 2, 'the whole index, the change (and heartbeats)');
    assert.equal(mid.node.metrics.totals().publishesReceived, sent, 'each counted once at each end');
    await leaf.node.stop();
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
});

describe('LeafClient: decisions', () => {
  const node = (c: string) => ({ id: hexId(c), address: `${c}:1` });

  it('attachOrder: closest by XOR distance first (routing\'s metric), ids that are not 64 hex left out', () => {
    const rows: [string, string[], string[]][] = [
      ['1', ['f', '0', '3'], ['0', '3', 'f']],
      ['f', ['0', '3', 'e', '8'], ['e', '8', '3', '0']],
      ['0', [], []],
    ];
    for (const [self, candidates, order] of rows) assert.deepEqual(attachOrder(candidates.map(node), hexId(self)), order.map(node), `${self}: ${candidates.join()}`);
    assert.deepEqual(attachOrder([{ id: 'nope', address: 'x:1' }, node('2')], hexId('1')), [node('2')]);
  });

  it('byLoad: least loaded first, the closer first on a tie; silent and non-supernodes dropped', () => {
    const p = (c: string, load: { supernode: boolean; leaves: number } | undefined) => ({ candidate: c, load });
    const rows: [ReturnType<typeof p>[], string[]][] = [
      [[p('near', { supernode: true, leaves: 2 }), p('mid', { supernode: true, leaves: 0 }), p('far', { supernode: true, leaves: 1 })], ['mid', 'far', 'near']],
      [[p('near', { supernode: true, leaves: 1 }), p('mid', { supernode: true, leaves: 1 })], ['near', 'mid']],
      [[p('near', undefined), p('mid', { supernode: false, leaves: 0 }), p('far', { supernode: true, leaves: 9 })], ['far']],
      [[], []],
    ];
    for (const [probed, order] of rows) assert.deepEqual(byLoad(probed), order);
  });

  it('publishMessages: chunks of at most `step`, at least one (a heartbeat), only the first of a full publish replaces', () => {
    const e = (i: number): IndexEntry => entry(`c${i}`, `n${i}`);
    const shape = (leaf: string, full: boolean, upserts: number, removed: number, step: number) =>
      publishMessages(leaf, full, Array.from({ length: upserts }, (_, i) => e(i)), Array.from({ length: removed }, (_, i) => `r${i}`), step).map((m) => [m.full, m.upserts.length, m.removed.length]);
    const rows: [[boolean, number, number, number], [boolean, number, number][]][] = [
      [[false, 0, 0, 3], [[false, 0, 0]]],
      [[true, 0, 0, 3], [[true, 0, 0]]],
      [[true, 7, 0, 3], [[true, 3, 0], [false, 3, 0], [false, 1, 0]]],
      [[false, 2, 5, 3], [[false, 2, 3], [false, 0, 2]]],
      [[true, 3, 3, 3], [[true, 3, 3]]],
    ];
    for (const [[full, upserts, removed, step], expected] of rows) assert.deepEqual(shape('leaf', full, upserts, removed, step), expected, `${full} ${upserts} ${removed} /${step}`);
    const [first] = publishMessages(hexId('1'), true, [e(0), e(1)], ['x']);
    assert.deepEqual(first, { leaf: hexId('1'), full: true, upserts: [e(0), e(1)], removed: ['x'] });
  });
});
