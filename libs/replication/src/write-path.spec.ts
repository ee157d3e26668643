import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom, UnavailableError } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { ObjectRecord, PeerContact, PutBlockRequest } from '@peerweave/protocol';
import { CHUNK_SIZE, signRecord } from '@peerweave/storage';
import { ReadCache } from './read-cache.ts';
import type { RecordAnswer } from './record-lookup.ts';
import { contact, contentMetrics, MemoryBlockStore, memoryDb, signer } from './test-support.ts';
import { WritePath } from './write-path.ts';

const self = contact(1);
const [a, b, spare1, spare2] = [contact(2), contact(3), contact(4), contact(5)];
const meta = { name: 'f.bin', contentType: 'application/octet-stream', keywords: ['Test'] };

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

type Behaviour = 'ok' | 'down' | 'refuse';

function setup(behaviour: Record<string, Behaviour> = {}, existing: RecordAnswer = {}) {
  const clock = new ManualClock(1_700_000_000_000);
  const db = memoryDb();
  const blocks = new MemoryBlockStore();
  const { metrics, recorded } = contentMetrics();
  const sent: [string, PutBlockRequest][] = [];
  const recordsSent: string[] = [];
  const storedHere: PutBlockRequest[] = [];
  const indexed: ObjectRecord[] = [];
  const cache = new ReadCache({ db, blocks, clock, drop: async () => {} });
  const act = (peer: PeerContact): boolean => {
    const what = behaviour[peer.id.slice(0, 2)] ?? 'ok';
    if (what === 'down') throw new UnavailableError('down');
    return what === 'ok';
  };
  const write = new WritePath({
    self,
    identity: signer(),
    db,
    blocks,
    clock,
    metrics,
    cache,
    replicaSet: { r: 3, w: 2, preferenceList: async () => [self, a, b, spare1, spare2] },
    peers: {
      concurrency: 2,
      storeBlock: async (peer, request) => (sent.push([peer.id.slice(0, 2), request]), act(peer)),
      storeRecord: async (peer) => (recordsSent.push(peer.id.slice(0, 2)), act(peer)),
    },
    server: { acceptBlock: async (request) => (storedHere.push(request), true), acceptRecord: () => true },
    records: { find: async () => existing },
    tombstones: { expiresMs: (t) => t.deletedMs + 60_000 },
    onRecords: { stored: (r) => indexed.push(r) },
  });
  return { clock, db, cache, recorded, sent, recordsSent, storedHere, indexed, write };
}

const file = new SeededRandom(7).bytes(2 * CHUNK_SIZE + 10);

describe('WritePath', () => {
  it('writes every block and the record to the r replicas, this node’s own copy accepted here', async () => {
    const s = setup();
    const out = await s.write.put(once(file), meta);
    assert.deepEqual({ size: out.size, blocks: out.blocks, replicas: out.replicas }, { size: file.length, blocks: 4, replicas: 3 });
    assert.equal(s.storedHere.length, 4);
    assert.deepEqual([...new Set(s.sent.map(([peer]) => peer))].sort(), ['02', '03']);
    assert.ok(s.sent.every(([, r]) => r.hintFor === '' && r.roots[0] === out.cid));
    assert.deepEqual(s.recordsSent.sort(), ['02', '03']);
    assert.deepEqual(s.indexed.map((r) => [r.cid, r.keywords]), [[out.cid, ['test']]], 'the uploader lists it');
    assert.equal(s.recorded.value('peerweave_content_puts_total', { outcome: 'ok' }), 1);
    for (const row of s.db.blocks()) assert.equal(s.cache.isStaged(row.cid), false, 'staging released');
  });

  it('a copy for a replica that does not answer goes to the next node that does, as a hint for it', async () => {
    const s = setup({ '03': 'down', '04': 'down' });
    const out = await s.write.put(once(new Uint8Array([1, 2, 3])), meta);
    assert.equal(out.replicas, 2);
    const hints = s.sent.filter(([, r]) => r.hintFor !== '');
    assert.deepEqual(hints.map(([peer, r]) => [peer, r.hintFor]), [['04', b.id], ['05', b.id]]);
    assert.equal(s.recorded.value('peerweave_replication_handoffs_total', { event: 'stored' }), 1);
  });

  it('below w copies: INSUFFICIENT_REPLICAS, counted, and the staged blocks are plain cache again', async () => {
    const s = setup({ '02': 'down', '03': 'down' });
    await assert.rejects(s.write.put(once(new Uint8Array([1, 2, 3])), meta), { code: 'INSUFFICIENT_REPLICAS' });
    assert.equal(s.recorded.value('peerweave_content_puts_total', { outcome: 'insufficient_replicas' }), 1);
    assert.deepEqual([...s.db.blocks()].map((r) => [r.kind, s.cache.isStaged(r.cid)]), [['cache', false]]);
    assert.deepEqual(s.indexed, []);
  });

  it('a replica that refuses the block (its object is deleted there) fails the put', async () => {
    const s = setup({ '02': 'refuse' });
    await assert.rejects(s.write.put(once(new Uint8Array([1, 2, 3])), meta), { code: 'FAILED_PRECONDITION' });
  });

  it('a deleted object cannot be stored again before its tombstone expires; a known one keeps its creation time', async () => {
    const deleted = setup({}, { tombstone: { cid: 'x', deletedMs: 0, by: '' } });
    await assert.rejects(deleted.write.put(once(new Uint8Array([1])), meta), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'FAILED_PRECONDITION');
      assert.match(err.message, /1970-01-01T00:01:00.000Z/);
      return true;
    });
    assert.deepEqual(deleted.sent, []);
    const earlier = signRecord({ cid: 'x', name: 'old', contentType: 't', size: 1, blocks: 1, keywords: [], createdMs: 42 }, signer());
    const known = setup({}, { record: earlier });
    await known.write.put(once(new Uint8Array([1])), meta);
    assert.equal(known.indexed[0]!.createdMs, 42);
  });
});
