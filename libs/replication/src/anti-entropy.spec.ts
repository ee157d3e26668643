import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tombstone } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { PeerContact } from '@peerweave/protocol';
import type { ContentDb } from '@peerweave/storage';
import { AntiEntropy, DEFAULT_ANTI_ENTROPY_INTERVAL_MS } from './anti-entropy.ts';
import { Tombstones } from './tombstones.ts';
import { contact, contentMetrics, MemoryBlockStore, memoryDb, rawBlock } from './test-support.ts';

interface Side {
  self: PeerContact;
  db: ContentDb;
  tombstones: Tombstones;
  sync: AntiEntropy;
  pushed: string[];
  told: Tombstone[];
  contactListeners: Set<() => void>;
}

/** Two nodes that are both replicas of every key (r = 2), each the other's neighbour. */
function pair(clock = new ManualClock(1_000_000)) {
  const sides: Side[] = [];
  const other = (me: Side): Side => sides.find((s) => s !== me)!;
  for (const self of [contact(0x10), contact(0x20)]) {
    const db = memoryDb();
    const peerOf = (peer: PeerContact) => sides.find((s) => s.self.id === peer.id)!;
    const side = { self, db, pushed: [], told: [], contactListeners: new Set<() => void>() } as unknown as Side;
    side.tombstones = new Tombstones({ db, blocks: new MemoryBlockStore(), clock, peers: { getRecord: async () => ({}) } });
    side.sync = new AntiEntropy({
      self,
      clock,
      db,
      metrics: contentMetrics().metrics,
      tombstones: side.tombstones,
      routing: {
        neighbourhood: () => [other(side).self.id],
        on: (_e, l) => side.contactListeners.add(l),
        off: (_e, l) => side.contactListeners.delete(l),
      },
      replicaSet: { r: 2, knownPreferenceList: () => sides.map((s) => s.self), contact: (id) => sides.find((s) => s.self.id === id)?.self },
      peers: {
        concurrency: 2,
        syncDigest: async (peer, request) => ({ digests: peerOf(peer).sync.digestFor(request.from) }),
        syncKeys: async (peer, request) => peerOf(peer).sync.keysFor(request.from, request.prefixes),
        storeTombstone: async (peer, t) => {
          side.told.push(t);
          return peerOf(peer).tombstones.apply(t);
        },
      },
      push: {
        // As BlockPush: a block no longer held (dropped by a tombstone) is not sent.
        push: async (peer, cid) => {
          const row = db.getBlock(cid);
          if (!row) return false;
          side.pushed.push(cid);
          peerOf(peer).db.addBlock({ cid, bytes: row.bytes, roots: row.roots, kind: 'replica', nowMs: 0 });
          return true;
        },
      },
    });
    sides.push(side);
  }
  return { x: sides[0]!, y: sides[1]!, clock };
}

const hold = (side: Side, cid: string, roots = ['root']) => side.db.addBlock({ cid, bytes: 1, roots, kind: 'replica', nowMs: 0 });

describe('AntiEntropy', () => {
  it('pushes what the neighbour lacks, and nothing once both agree', async () => {
    const { x, y } = pair();
    const [b1, b2] = await Promise.all([rawBlock('b1'), rawBlock('b2')]);
    hold(x, b1.text);
    hold(x, b2.text);
    hold(y, b1.text);
    const first = await x.sync.round();
    assert.deepEqual(x.pushed, [b2.text]);
    assert.equal(first.neighbours, 1);
    assert.equal(first.pushed, 1);
    assert.ok(first.ranges >= 1);
    assert.ok(y.db.getBlock(b2.text));
    assert.deepEqual(await x.sync.round(), { neighbours: 1, ranges: 0, pushed: 0 });
  });

  it('applies the tombstones the neighbour knows and sends those it lacks, never pushing a deleted block', async () => {
    const { x, y, clock } = pair();
    const [gone, also, root] = await Promise.all([rawBlock('gone'), rawBlock('also'), rawBlock('a root')]);
    hold(x, gone.text, [root.text]);
    const deletedHere: Tombstone = { cid: also.text, deletedMs: clock.now(), by: x.self.id };
    x.db.putTombstone(deletedHere);
    y.db.putTombstone({ cid: root.text, deletedMs: clock.now(), by: y.self.id });
    await x.sync.round();
    assert.ok(x.db.getTombstone(root.text), 'learnt from the neighbour');
    assert.equal(x.db.getBlock(gone.text), undefined, 'the deleted object’s block was dropped');
    assert.deepEqual(x.pushed, []);
    assert.deepEqual(x.told, [deletedHere]);
    assert.ok(y.db.getTombstone(also.text));
  });

  it('serves only what it shares with the asker: cache and hints are not compared', async () => {
    const { x, y } = pair();
    const [b1, b2] = await Promise.all([rawBlock('b1'), rawBlock('b2')]);
    x.db.addBlock({ cid: b1.text, bytes: 1, roots: ['r'], kind: 'cache', nowMs: 0 });
    x.db.addBlock({ cid: b2.text, bytes: 1, roots: ['r'], kind: 'hint', hintFor: contact(9).id, nowMs: 0 });
    assert.deepEqual(x.sync.digestFor(y.self.id), [], 'empty ranges are not sent');
    hold(x, b1.text);
    const counted = x.sync.digestFor(y.self.id);
    assert.equal(counted.length, 1);
    assert.equal(counted[0]!.count, 1);
    assert.deepEqual(x.sync.keysFor(y.self.id, [counted[0]!.prefix]), { keys: [b1.text], tombstones: [] });
  });

  it('runs a round every interval once started, and no more once stopped', async () => {
    const { x, y, clock } = pair();
    const b = await rawBlock('b');
    hold(x, b.text);
    await x.sync.start();
    await clock.advance(DEFAULT_ANTI_ENTROPY_INTERVAL_MS - 1);
    assert.deepEqual(x.pushed, []);
    await clock.advance(1);
    assert.deepEqual(x.pushed, [b.text]);
    await x.sync.stop();
    y.db.removeBlock(b.text);
    await clock.advance(2 * DEFAULT_ANTI_ENTROPY_INTERVAL_MS);
    assert.deepEqual(x.pushed, [b.text]);
  });

  it('keeps the digests (not the entries) while neither the store nor the contacts change', async () => {
    const { x, y } = pair();
    await Promise.all([x.sync.start(), y.sync.start()]);
    const [b1, b2] = await Promise.all([rawBlock('b1'), rawBlock('b2')]);
    hold(x, b1.text);
    await x.sync.round();
    const builds = x.sync.digestBuilds;
    await x.sync.round();
    y.sync.digestFor(x.self.id);
    x.sync.digestFor(y.self.id);
    assert.equal(x.sync.digestBuilds, builds, 'an unchanged store is not walked again');
    hold(x, b2.text);
    await x.sync.round();
    assert.equal(x.sync.digestBuilds, builds + 1, 'a new block rebuilds them');
    assert.ok(y.db.getBlock(b2.text), 'and the neighbour gets it');
    for (const l of x.contactListeners) l();
    x.sync.digestFor(y.self.id);
    assert.equal(x.sync.digestBuilds, builds + 2, 'so does a change of contacts');
    await Promise.all([x.sync.stop(), y.sync.stop()]);
  });
});
