import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnavailableError, type Tombstone } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { GetRecordResponse, PeerContact } from '@peerweave/protocol';
import { signRecord } from '@peerweave/storage';
import { DEFAULT_TOMBSTONE_TTL_MS, Tombstones } from './tombstones.ts';
import { contact, MemoryBlockStore, memoryDb, rawBlock, signer } from './test-support.ts';

const TTL = 60_000;

async function setup(answers: (peer: PeerContact, cid: string) => Promise<GetRecordResponse> = async () => ({})) {
  const clock = new ManualClock(1_000_000);
  const db = memoryDb();
  const blocks = new MemoryBlockStore();
  const removed: string[] = [];
  const dropped: string[] = [];
  const tombstones = new Tombstones({
    db,
    blocks,
    clock,
    peers: { getRecord: answers },
    tombstoneTtlMs: TTL,
    onRecords: { removed: (cid) => removed.push(cid) },
  });
  const removeBlock = db.removeBlock.bind(db);
  db.removeBlock = (cid) => {
    dropped.push(cid);
    return removeBlock(cid);
  };
  const root = await rawBlock('root');
  const other = await rawBlock('other root');
  const only = await rawBlock('only in root');
  const shared = await rawBlock('shared with other');
  for (const [b, roots] of [
    [only, [root.text]],
    [shared, [root.text, other.text]],
  ] as const) {
    await blocks.put(b.cid, b.bytes);
    db.addBlock({ cid: b.text, bytes: b.bytes.length, roots, kind: 'replica', nowMs: clock.now() });
  }
  db.putRecord(signRecord({ cid: root.text, name: 'f', contentType: 'x', size: 1, blocks: 1, keywords: [], createdMs: 1 }, signer()));
  const t: Tombstone = { cid: root.text, deletedMs: clock.now(), by: contact(1).id };
  return { clock, db, blocks, tombstones, removed, dropped, root, other, only, shared, t };
}

describe('Tombstones', () => {
  it('defaults to a day', () => {
    assert.equal(new Tombstones({ db: memoryDb(), blocks: new MemoryBlockStore(), clock: new ManualClock(0), peers: { getRecord: async () => ({}) } }).ttlMs, DEFAULT_TOMBSTONE_TTL_MS);
  });

  it('apply: the record goes, blocks claimed only by the object are dropped, shared ones keep their other claim', async () => {
    const s = await setup();
    assert.equal(s.tombstones.apply(s.t), true);
    assert.equal(s.tombstones.apply(s.t), false, 'known already');
    assert.ok(s.db.getTombstone(s.root.text));
    assert.equal(s.db.getRecord(s.root.text), undefined);
    assert.deepEqual(s.removed, [s.root.text]);
    assert.deepEqual(s.dropped, [s.only.text]);
    assert.equal(s.db.getBlock(s.only.text), undefined, 'row dropped at once');
    await new Promise((r) => setImmediate(r));
    assert.equal(s.blocks.map.has(s.only.text), false, 'file dropped');
    assert.deepEqual(s.db.getBlock(s.shared.text)?.roots, [s.other.text]);
  });

  it('apply: a tombstone older than the TTL is ignored', async () => {
    const s = await setup();
    await s.clock.advance(TTL + 1);
    assert.equal(s.tombstones.apply(s.t), false);
    assert.equal(s.db.getTombstone(s.root.text), undefined);
    assert.ok(s.db.getRecord(s.root.text));
    assert.equal(s.tombstones.expiresMs(s.t), s.t.deletedMs + TTL);
  });

  it('learn: applies the tombstones a peer knows of the roots, ignores wrong ones and failures', async () => {
    const asked: string[] = [];
    const s = await setup(async (_peer, cid) => {
      asked.push(cid);
      if (cid === 'fails') throw new UnavailableError('down');
      if (cid === 'wrong') return { tombstone: { cid: 'something else', deletedMs: 0, by: '' } };
      return { tombstone: { cid, deletedMs: 1_000_000, by: contact(2).id } };
    });
    await s.tombstones.learn(contact(2), ['fails', 'wrong', s.root.text], new AbortController().signal);
    assert.deepEqual(asked, ['fails', 'wrong', s.root.text]);
    assert.ok(s.db.getTombstone(s.root.text));
    assert.equal(s.db.getTombstone('something else'), undefined);
  });

  it('collectGarbage: expired tombstones go, and blocks whose objects are all deleted go', async () => {
    const s = await setup();
    s.db.putTombstone(s.t);
    s.db.putTombstone({ ...s.t, cid: s.other.text, deletedMs: s.t.deletedMs - TTL - 1 });
    const late = await rawBlock('arrived after the delete');
    s.db.addBlock({ cid: late.text, bytes: 1, roots: [s.root.text], kind: 'hint', hintFor: contact(3).id, nowMs: 0 });
    s.db.addBlock({ cid: 'staged', bytes: 1, roots: [], kind: 'replica', nowMs: 0 });
    s.tombstones.collectGarbage();
    assert.equal(s.db.getTombstone(s.other.text), undefined, 'expired tombstone collected');
    assert.deepEqual(s.dropped.sort(), [late.text, s.only.text].sort());
    assert.ok(s.db.getBlock(s.shared.text), 'still claimed by a live object');
    assert.ok(s.db.getBlock('staged'), 'claimed by no object: not garbage');
  });
  it('collectGarbage walks the blocks again only when the store changed since the last walk', async () => {
    const s = await setup();
    let walks = 0;
    const blocks = s.db.blocks.bind(s.db);
    s.db.blocks = (...args: Parameters<typeof blocks>) => {
      walks++;
      return blocks(...args);
    };
    s.tombstones.collectGarbage();
    s.tombstones.collectGarbage();
    s.tombstones.collectGarbage();
    assert.equal(walks, 1, 'nothing changed: no walk');
    s.db.putTombstone(s.t);
    s.tombstones.collectGarbage();
    assert.equal(walks, 2, 'a tombstone arrived: walk');
    await new Promise((r) => setImmediate(r)); // the drops it started
    s.tombstones.collectGarbage();
    s.tombstones.collectGarbage();
    assert.ok(walks <= 3, `the drops changed the store once more, then quiet (${walks} walks)`);
    assert.deepEqual(s.dropped, [s.only.text]);
  });
});
