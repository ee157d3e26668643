import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeerweaveError, type ObjectRecord, type Tombstone } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { signRecord, type BlockKind } from '@peerweave/storage';
import { callerHost, ContentServer, DEFAULT_MAX_REQUESTS_PER_PEER, holdsCopy } from './content-server.ts';
import { contact, contentMetrics, MemoryBlockStore, memoryDb, rawBlock, signer } from './test-support.ts';

function setup(maxRequestsPerPeer?: number) {
  const clock = new ManualClock(5_000);
  const db = memoryDb();
  const blocks = new MemoryBlockStore();
  const { metrics, recorded } = contentMetrics();
  const stored: ObjectRecord[] = [];
  const applied: Tombstone[] = [];
  const leased: string[] = [];
  const server = new ContentServer({
    db,
    blocks,
    clock,
    metrics,
    ...(maxRequestsPerPeer !== undefined ? { maxRequestsPerPeer } : {}),
    onRecords: { stored: (r) => stored.push(r) },
    tombstones: { apply: (t) => (applied.push(t), true) },
    sync: { digestFor: () => [], keysFor: () => ({ keys: ['k'], tombstones: [] }) },
    providers: { accept: (r) => ({ accepted: r.cids.length }), recordsFor: () => [] },
    lease: (cids) => leased.push(...cids),
  });
  return { clock, db, blocks, recorded, stored, applied, leased, server };
}

const context = (peer = 'peer:1') => ({ signal: new AbortController().signal, peer });

describe('ContentServer.acceptBlock', () => {
  it('stores a block with the live objects it belongs to, as a replica or a hint', async () => {
    const s = setup();
    const b = await rawBlock('b');
    s.db.putTombstone({ cid: 'dead', deletedMs: 0, by: '' });
    assert.equal(await s.server.acceptBlock({ cid: b.text, data: b.bytes, roots: ['dead', 'live'], hintFor: '' }), true);
    assert.deepEqual(s.blocks.map.get(b.text), b.bytes);
    assert.deepEqual(s.db.getBlock(b.text), { cid: b.text, bytes: b.bytes.length, roots: ['live'], kind: 'replica', hintFor: '', addedMs: 5_000, lastAccessMs: 5_000 });
    const h = await rawBlock('h');
    await s.server.acceptBlock({ cid: h.text, data: h.bytes, roots: ['live'], hintFor: contact(3).id });
    assert.equal(s.db.getBlock(h.text)?.kind, 'hint');
  });

  it('a block with no roots belongs to an upload in progress: leased cache until PinBlocks pins it', async () => {
    const s = setup();
    const b = await rawBlock('b');
    const h = await rawBlock('h');
    assert.equal(await s.server.acceptBlock({ cid: b.text, data: b.bytes, roots: [], hintFor: '' }), true);
    assert.equal(await s.server.acceptBlock({ cid: h.text, data: h.bytes, roots: [], hintFor: contact(3).id }), true);
    assert.deepEqual([s.db.getBlock(b.text)?.kind, s.db.getBlock(h.text)?.kind], ['cache', 'cache']);
    assert.deepEqual(s.leased, [b.text, h.text]);
    const gone = (await rawBlock('gone')).text;
    assert.deepEqual(
      s.server.pin('root', [
        { cid: b.text, hintFor: '' },
        { cid: h.text, hintFor: contact(3).id },
        { cid: gone, hintFor: '' },
      ]),
      [true, true, false],
    );
    assert.deepEqual([s.db.getBlock(b.text)?.kind, s.db.getBlock(b.text)?.roots], ['replica', ['root']]);
    assert.deepEqual([s.db.getBlock(h.text)?.kind, s.db.getBlock(h.text)?.hintFor], ['hint', contact(3).id]);
    s.db.putTombstone({ cid: 'root2', deletedMs: 0, by: '' });
    assert.deepEqual(s.server.pin('root2', [{ cid: b.text, hintFor: '' }]), [false], 'a deleted object pins nothing');
  });

  it('refuses a block whose objects are all deleted', async () => {
    const s = setup();
    const b = await rawBlock('b');
    s.db.putTombstone({ cid: 'dead', deletedMs: 0, by: '' });
    assert.equal(await s.server.acceptBlock({ cid: b.text, data: b.bytes, roots: ['dead'], hintFor: '' }), false);
    assert.equal(s.blocks.map.size, 0);
  });

  it('never stores bytes that do not match the CID', async () => {
    const s = setup();
    const b = await rawBlock('b');
    await assert.rejects(s.server.acceptBlock({ cid: b.text, data: new Uint8Array([1]), roots: [], hintFor: '' }), { code: 'CORRUPT_BLOCK' });
    assert.equal(s.blocks.map.size, 0);
    assert.equal(s.recorded.value('peerweave_content_corrupt_blocks_total', { source: 'peer' }), 1);
  });
});

describe('ContentServer PutBlock with a record (a small object in one call)', () => {
  it('writes the block row and the record only once the block is durable, and answers only then', async () => {
    const s = setup();
    // The block store's putMany resolves after the commit log's fdatasync (block-store.spec.ts):
    // held here, so nothing may reach the database or the caller before it.
    let release!: () => void;
    const durable = new Promise<void>((resolve) => {
      release = resolve;
    });
    const putMany = s.blocks.putMany.bind(s.blocks);
    s.blocks.putMany = async (entries) => {
      await durable;
      return putMany(entries);
    };
    const b = await rawBlock('small object');
    const record = signRecord({ cid: b.text, name: 'n', contentType: 't', size: b.bytes.length, blocks: 1, keywords: [], createdMs: 0 }, signer());
    let answered = false;
    const answer = s.server.handler.putBlock({ cid: b.text, data: b.bytes, roots: [b.text], hintFor: '', record }, context()).then((r) => {
      answered = true;
      return r;
    });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.equal(answered, false, 'no answer before the block is durable');
    assert.equal(s.db.getBlock(b.text), undefined, 'no block row before the block is durable');
    assert.equal(s.db.getRecord(b.text), undefined, 'no record before the block is durable');
    assert.equal(s.stored.length, 0);
    release();
    assert.deepEqual(await answer, { stored: true });
    assert.equal(s.db.getBlock(b.text)?.kind, 'replica');
    assert.deepEqual(s.db.getRecord(b.text), record);
    assert.deepEqual(s.stored, [record], 'the index told once');
  });

  it('a record that does not verify, or whose object is deleted, is not stored (the block is)', async () => {
    const s = setup();
    const b = await rawBlock('forged');
    const record = signRecord({ cid: b.text, name: 'n', contentType: 't', size: 6, blocks: 1, keywords: [], createdMs: 0 }, signer());
    const put = { cid: b.text, data: b.bytes, roots: [b.text], hintFor: '' };
    assert.deepEqual(await s.server.handler.putBlock({ ...put, record: { ...record, name: 'other' } }, context()), { stored: false });
    assert.equal(s.db.getBlock(b.text)?.kind, 'replica');
    assert.equal(s.db.getRecord(b.text), undefined);
    const other = await rawBlock('other');
    const otherRecord = signRecord({ ...record, cid: other.text }, signer());
    s.db.putTombstone({ cid: 'elsewhere', deletedMs: 0, by: '' });
    s.db.putTombstone({ cid: other.text, deletedMs: 0, by: '' });
    // The block also belongs to a live object, so it is kept; its record's object is deleted.
    assert.deepEqual(
      await s.server.handler.putBlock({ cid: other.text, data: other.bytes, roots: ['live'], hintFor: '', record: otherRecord }, context()),
      { stored: false },
    );
    assert.equal(s.db.getRecord(other.text), undefined);
    assert.equal(s.stored.length, 0);
  });
});

describe('ContentServer.acceptRecord', () => {
  it('keeps a record that verifies and is not deleted, telling the index once', async () => {
    const s = setup();
    const record = signRecord({ cid: (await rawBlock('root')).text, name: 'n', contentType: 't', size: 1, blocks: 1, keywords: [], createdMs: 0 }, signer());
    assert.equal(s.server.acceptRecord(record), true);
    assert.equal(s.server.acceptRecord(record), true);
    assert.equal(s.stored.length, 1);
    assert.equal(s.server.acceptRecord({ ...record, name: 'forged' }), false);
    s.db.putTombstone({ cid: record.cid, deletedMs: 0, by: '' });
    assert.equal(s.server.acceptRecord(record), false);
  });
});

describe('ContentServer.handler', () => {
  it('serves blocks, counting them and marking them used', async () => {
    const s = setup();
    const b = await rawBlock('b');
    await s.server.acceptBlock({ cid: b.text, data: b.bytes, roots: [], hintFor: '' });
    await s.clock.advance(10);
    assert.deepEqual(await s.server.handler.getBlock({ cid: b.text }, context()), { found: true, data: b.bytes });
    assert.equal(s.db.getBlock(b.text)?.lastAccessMs, 5_010);
    assert.equal(s.recorded.value('peerweave_content_served_bytes_total'), b.bytes.length);
    assert.equal((await s.server.handler.getBlock({ cid: (await rawBlock('other')).text }, context())).found, false);
  });

  it('answers HasBlocks for replica and hint copies only, and GetRecord with the tombstone first', async () => {
    const s = setup();
    s.db.addBlock({ cid: 'r', bytes: 1, roots: [], kind: 'replica', nowMs: 0 });
    s.db.addBlock({ cid: 'c', bytes: 1, roots: [], kind: 'cache', nowMs: 0 });
    assert.deepEqual(await s.server.handler.hasBlocks({ cids: ['r', 'c', 'none'] }, context()), { have: [true, false, false] });
    const t = { cid: 'x', deletedMs: 1, by: 'me' };
    s.db.putTombstone(t);
    assert.deepEqual(await s.server.handler.getRecord({ cid: 'x' }, context()), { tombstone: t });
    assert.deepEqual(await s.server.handler.getRecord({ cid: 'y' }, context()), {});
  });

  it('GetRecord sends a one-block object’s block with its record when asked and it fits, never with a tombstone', async () => {
    const s = setup(1);
    const b = await rawBlock('small');
    await s.server.acceptBlock({ cid: b.text, data: b.bytes, roots: [b.text], hintFor: '' });
    const record = signRecord({ cid: b.text, name: 'n', contentType: 't', size: b.bytes.length, blocks: 1, keywords: [], createdMs: 1 }, signer());
    assert.equal(s.server.acceptRecord(record), true);
    const get = (rootBlockMaxBytes?: number, peer?: string) =>
      s.server.handler.getRecord({ cid: b.text, ...(rootBlockMaxBytes === undefined ? {} : { rootBlockMaxBytes }) }, context(peer));
    assert.deepEqual(await get(), { record }, 'not asked: the record only');
    assert.deepEqual(await get(1024), { record, rootBlock: b.bytes });
    assert.deepEqual(await get(b.bytes.length - 1), { record }, 'larger than asked for: left out');
    assert.equal(s.recorded.value('peerweave_content_blocks_served_total'), 1, 'counted as a served block');
    // Over the caller's block limit (1 here): left out, not an error.
    const busy = s.server.handler.getBlock({ cid: b.text }, context('10.0.0.9:1'));
    assert.deepEqual(await get(1024, '10.0.0.9:2'), { record });
    await busy;
    s.db.putTombstone({ cid: b.text, deletedMs: 2, by: 'me' });
    assert.deepEqual(Object.keys(await get(1024)), ['tombstone']);
  });

  it('hands tombstones, syncs and provider records to their components', async () => {
    const s = setup();
    const t = { cid: 'x', deletedMs: 1, by: 'me' };
    assert.deepEqual(await s.server.handler.putTombstone({ tombstone: t }, context()), { applied: true });
    assert.deepEqual(s.applied, [t]);
    assert.deepEqual(await s.server.handler.syncKeys({ from: 'n', prefixes: [1] }, context()), { keys: ['k'], tombstones: [] });
    assert.deepEqual(await s.server.handler.addProvider({ cids: ['a', 'b'], id: 'n', address: 'n:1', ttlMs: 1 }, context()), { accepted: 2 });
  });

  it('refuses block requests of a host past its limit, whatever its port, without queueing them', async () => {
    const s = setup(2);
    const b = await rawBlock('b');
    await s.server.acceptBlock({ cid: b.text, data: b.bytes, roots: [], hintFor: '' });
    const calls = ['10.0.0.1:1', '10.0.0.1:2', '10.0.0.1:3'].map((peer) => s.server.handler.getBlock({ cid: b.text }, context(peer)));
    const other = s.server.handler.getBlock({ cid: b.text }, context('10.0.0.2:1'));
    const settled = await Promise.allSettled(calls);
    assert.deepEqual(settled.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected']);
    assert.ok((settled[2] as PromiseRejectedResult).reason instanceof PeerweaveError);
    assert.equal((settled[2] as PromiseRejectedResult).reason.code, 'RESOURCE_EXHAUSTED');
    assert.equal((await other).found, true);
    assert.equal(s.recorded.value('peerweave_content_requests_refused_total'), 1);
    assert.equal((await s.server.handler.getBlock({ cid: b.text }, context('10.0.0.1:4'))).found, true, 'served again once done');
    assert.equal(DEFAULT_MAX_REQUESTS_PER_PEER, 32);
  });
});

describe('callerHost', () => {
  const cases: [string, string][] = [
    ['10.0.0.1:7400', '10.0.0.1'],
    ['[::1]:7400', '[::1]'],
    ['node-3', 'node-3'],
    ['greedy:1', 'greedy'],
  ];
  for (const [caller, host] of cases) it(`${caller} → ${host}`, () => assert.equal(callerHost(caller), host));
});

describe('holdsCopy', () => {
  const cases: [BlockKind | undefined, boolean][] = [
    ['replica', true],
    ['hint', true],
    ['cache', false],
    [undefined, false],
  ];
  for (const [kind, held] of cases) it(`${kind ?? 'no row'}: ${held}`, () => assert.equal(holdsCopy(kind ? { kind } : undefined), held));
});

describe('ContentServer.serveBlock', () => {
  it('marks a cache block as used for the LRU, and writes nothing for a replica or a hint', async () => {
    const s = setup();
    const blocks = await Promise.all(['replica', 'hint', 'cache'].map((k) => rawBlock(k)));
    const kinds: BlockKind[] = ['replica', 'hint', 'cache'];
    blocks.forEach((b, i) => {
      s.blocks.map.set(b.text, b.bytes);
      s.db.addBlock({ cid: b.text, bytes: b.bytes.length, roots: ['root'], kind: kinds[i]!, ...(kinds[i] === 'hint' ? { hintFor: contact(3).id } : {}), nowMs: 1_000 });
    });
    await s.clock.advance(10_000);
    for (const b of blocks) assert.deepEqual(await s.server.serveBlock(b.text), b.bytes);
    assert.deepEqual(
      blocks.map((b) => s.db.getBlock(b.text)?.lastAccessMs),
      [1_000, 1_000, s.clock.now()],
    );
    assert.equal(await s.server.serveBlock((await rawBlock('absent')).text), undefined);
  });
});
