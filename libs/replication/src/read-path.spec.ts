import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom, type ObjectRecord } from '@peerweave/core';
import { CHUNK_SIZE, cidToString, importFile, parseCid, signRecord, type FileLeaf } from '@peerweave/storage';
import { MemoryBlocks } from '@peerweave/storage/testing';
import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import type { WhoHas } from './content-peers.ts';
import { ReadPath } from './read-path.ts';
import type { RecordFound } from './record-lookup.ts';
import { contact, contentMetrics, memoryDb, signer } from './test-support.ts';

const self = contact(1);
const [a, b, c] = [contact(2), contact(3), contact(4)];

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

async function readAll(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of source) parts.push(p);
  return Buffer.concat(parts);
}

async function setup(answer: RecordFound = {}) {
  const offered: string[] = [];
  const finds: { rootBlockMaxBytes?: number }[] = [];
  const store = new MemoryBlocks();
  const db = memoryDb();
  const { metrics, recorded } = contentMetrics();
  const swarmed: { root: string; leaves: readonly FileLeaf[] }[] = [];
  const read = new ReadPath({
    db,
    metrics,
    replicaSet: { r: 2, knownPreferenceList: (_k, n) => [self, a, b, c].slice(0, n) },
    peers: {
      whoHas: async (asks): Promise<WhoHas> => {
        const held = new Set<string>();
        for (const { peer, cids } of asks.values()) for (const cid of cids) if (peer.id !== b.id) held.add(`${peer.id}/${cid}`);
        return { held, lacking: [], unreachable: new Set() };
      },
    },
    fetch: { getBlock: (cid, o) => store.get(typeof cid === 'string' ? parseCid(cid) : cid, o ?? {}), offer: (cid) => void offered.push(cidToString(cid)) },
    swarm: {
      read: async function* (root, named) {
        const leaves: FileLeaf[] = [];
        swarmed.push({ root, leaves });
        for await (const l of named) {
          leaves.push(l);
          yield await store.get(l.cid, {});
        }
      },
    },
    records: { find: async (_cid, _signal, options = {}) => (finds.push(options), answer) },
  });
  const put = async (bytes: Uint8Array): Promise<CID> => (await importFile(once(bytes), (cid, data) => store.sink(cid, data, {}))).cid;
  return { store, db, recorded, swarmed, read, put, offered, finds };
}

describe('ReadPath.read', () => {
  it('reads a one-block object block by block, and a file of many leaves through the swarm', async () => {
    const s = await setup();
    const small = new SeededRandom(1).bytes(1_000);
    const big = new SeededRandom(2).bytes(2 * CHUNK_SIZE + 5);
    const smallCid = await s.put(small);
    const bigCid = await s.put(big);
    assert.ok((await readAll(s.read.read(cidToString(smallCid), undefined))).equals(Buffer.from(small)));
    assert.equal(s.swarmed.length, 0);
    assert.ok((await readAll(s.read.read(cidToString(bigCid), undefined))).equals(Buffer.from(big)));
    assert.deepEqual(s.swarmed.map((x) => [x.root, x.leaves.length]), [[cidToString(bigCid), 3]]);
    assert.equal(s.recorded.value('peerweave_content_gets_total', { outcome: 'ok' }), 2);
  });

  it('a file whose walk meets a node with inline bytes part way is swarmed up to it and exported from there', async () => {
    const s = await setup();
    // Root → [a UnixFS file of three raw leaves, a dag-pb leaf keeping its bytes inline].
    const head = new SeededRandom(4).bytes(2 * CHUNK_SIZE + 5);
    const tail = new SeededRandom(5).bytes(1_000);
    const headCid = await s.put(head);
    const dagPbBlock = async (node: dagPb.PBNode): Promise<CID> => {
      const bytes = dagPb.encode(node);
      const cid = CID.createV1(dagPb.code, await sha256.digest(bytes));
      await s.store.sink(cid, bytes, {});
      return cid;
    };
    const tailCid = await dagPbBlock({ Data: new UnixFS({ type: 'file', data: tail }).marshal(), Links: [] });
    const root = new UnixFS({ type: 'file' });
    root.addBlockSize(BigInt(head.length));
    root.addBlockSize(BigInt(tail.length));
    const rootCid = await dagPbBlock({ Data: root.marshal(), Links: [{ Hash: headCid, Tsize: head.length }, { Hash: tailCid, Tsize: tail.length }] });
    const whole = Buffer.concat([head, tail]);
    assert.ok((await readAll(s.read.read(cidToString(rootCid), undefined))).equals(whole));
    assert.deepEqual(s.swarmed.map((x) => x.leaves.length), [3], 'the raw leaves were swarmed');
    // A range across the boundary: the last raw leaf's end from the swarm, the rest exported.
    const range = { offset: 2 * CHUNK_SIZE, length: 500 };
    assert.ok((await readAll(s.read.read(cidToString(rootCid), range))).equals(whole.subarray(range.offset, range.offset + range.length)));
    assert.equal(s.recorded.value('peerweave_content_gets_total', { outcome: 'ok' }), 2);
  });

  it('a deleted object is NOT_FOUND, and an unknown one counts its failure', async () => {
    const s = await setup();
    const cid = await s.put(new Uint8Array([1, 2, 3]));
    s.db.putTombstone({ cid: cidToString(cid), deletedMs: 0, by: '' });
    await assert.rejects(readAll(s.read.read(cidToString(cid), undefined)), { code: 'NOT_FOUND' });
    const unknown = await importFile(once(new Uint8Array([9])), async () => {});
    await assert.rejects(readAll(s.read.read(cidToString(unknown.cid), undefined)), { code: 'NOT_FOUND' });
    assert.equal(s.recorded.value('peerweave_content_gets_total', { outcome: 'not_found' }), 1);
  });
});

describe('ReadPath.stat', () => {
  it('the record when there is one, NOT_FOUND when deleted, else what the DAG tells', async () => {
    const cidText = cidToString((await importFile(once(new Uint8Array(10)), async () => {})).cid);
    const record: ObjectRecord = signRecord({ cid: cidText, name: 'n', contentType: 't', size: 10, blocks: 1, keywords: ['k'], createdMs: 0 }, signer());
    assert.equal((await (await setup({ record })).read.stat(cidText)).name, 'n');
    await assert.rejects((await setup({ tombstone: { cid: cidText, deletedMs: 0, by: '' } })).read.stat(cidText), { code: 'NOT_FOUND' });
    const s = await setup();
    const cid = await s.put(new Uint8Array(10));
    assert.deepEqual(await s.read.stat(cidToString(cid)), {
      cid: cidToString(cid),
      name: '',
      contentType: 'application/octet-stream',
      size: 10,
      blocks: 1,
      keywords: [],
      created: new Date(0).toISOString(),
      uploader: '',
    });
  });
});

describe('ReadPath.list', () => {
  it('with withData, asks for a small object’s block with its record and hands it to the fetch', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const s0 = await setup();
    const cid = await s0.put(bytes);
    const record = signRecord({ cid: cidToString(cid), name: 'n', contentType: 't', size: 3, blocks: 1, keywords: [], createdMs: 1 }, signer());
    const s = await setup({ record, rootBlock: bytes });
    await s.read.stat(cidToString(cid), { withData: true });
    assert.deepEqual(s.finds, [{ rootBlockMaxBytes: 256 * 1024 }]);
    assert.deepEqual(s.offered, [cidToString(cid)]);
    await s.read.stat(cidToString(cid));
    assert.deepEqual(s.finds[1], {}, 'a stat alone (HEAD, /meta) asks for the record only');
  });

  it('pages through the records held, leaving out deleted ones', async () => {
    const s = await setup();
    const id = signer();
    const cids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const cid = cidToString(await s.put(new Uint8Array([i])));
      cids.push(cid);
      s.db.putRecord(signRecord({ cid, name: `f${i}`, contentType: 't', size: 1, blocks: 1, keywords: [], createdMs: 0 }, id));
    }
    cids.sort();
    s.db.putTombstone({ cid: cids[1]!, deletedMs: 0, by: '' });
    const first = s.read.list({ limit: 3 });
    assert.deepEqual(first.objects.map((o) => o.cid), [cids[0], cids[2]]);
    assert.equal(first.next, cids[2]);
    const second = s.read.list({ limit: 3, after: first.next! });
    assert.deepEqual(second.objects.map((o) => o.cid), [cids[3], cids[4]]);
    assert.equal(second.next, undefined);
  });
});

describe('ReadPath.dagCids and locate', () => {
  it('lists the root first, then depth-first, fetching only inner nodes', async () => {
    const s = await setup();
    const root = await s.put(new SeededRandom(3).bytes(2 * CHUNK_SIZE + 1));
    s.store.gets = 0;
    const cids: string[] = [];
    for await (const c of s.read.dagCids(root, undefined)) cids.push(cidToString(c));
    assert.equal(cids.length, 4);
    assert.equal(cids[0], cidToString(root));
    assert.equal(s.store.gets, 1, 'only the root is an inner node');
  });

  it('names the r replicas of every block and which of the r + 2 closest hold it', async () => {
    const s = await setup();
    const root = await s.put(new Uint8Array([1]));
    const [loc] = await s.read.locate(cidToString(root));
    assert.deepEqual(loc, { cid: cidToString(root), replicas: [self.id, a.id], holders: [self.id, a.id, c.id] });
  });
});
