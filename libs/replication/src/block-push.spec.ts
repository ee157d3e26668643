import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnavailableError } from '@peerweave/core';
import type { PeerContact, PutBlockRequest } from '@peerweave/protocol';
import { BlockPush } from './block-push.ts';
import { signRecord } from '@peerweave/storage';
import { contact, MemoryBlockStore, memoryDb, rawBlock, signer } from './test-support.ts';

async function setup(answer: (request: PutBlockRequest) => boolean | Promise<boolean>) {
  const db = memoryDb();
  const blocks = new MemoryBlockStore();
  const sent: PutBlockRequest[] = [];
  const learnt: [PeerContact, readonly string[]][] = [];
  const push = new BlockPush({
    db,
    blocks,
    peers: {
      storeBlock: async (_peer, request) => {
        sent.push(request);
        return answer(request);
      },
    },
    tombstones: { learn: async (peer, roots) => void learnt.push([peer, roots]) },
  });
  const b = await rawBlock('block');
  await blocks.put(b.cid, b.bytes);
  db.addBlock({ cid: b.text, bytes: b.bytes.length, roots: ['r1', 'r2'], kind: 'replica', nowMs: 0 });
  return { db, blocks, sent, learnt, push, b };
}

const signal = new AbortController().signal;

describe('BlockPush', () => {
  it('sends the bytes with the objects they belong to, as a replica copy', async () => {
    const s = await setup(() => true);
    assert.equal(await s.push.push(contact(2), s.b.text, signal), true);
    assert.deepEqual(s.sent, [{ cid: s.b.text, data: s.b.bytes, roots: ['r1', 'r2'], hintFor: '' }]);
    assert.deepEqual(s.learnt, []);
  });

  it('an object\'s root block goes with the object\'s record when this node holds it', async () => {
    const s = await setup(() => true);
    const record = signRecord({ cid: s.b.text, name: 'n', contentType: 't', size: 5, blocks: 1, keywords: [], createdMs: 1 }, signer());
    s.db.addBlock({ cid: s.b.text, bytes: s.b.bytes.length, roots: [s.b.text], kind: 'hint', hintFor: contact(3).id, nowMs: 0 });
    s.db.putRecord(record);
    assert.equal(await s.push.push(contact(3), s.b.text, signal), true);
    assert.deepEqual(s.sent.at(-1)?.record, record);
    assert.ok(s.sent.at(-1)?.roots.includes(s.b.text));
  });

  it('a refusal teaches the tombstones the peer knows', async () => {
    const s = await setup(() => false);
    assert.equal(await s.push.push(contact(2), s.b.text, signal), false);
    assert.deepEqual(s.learnt, [[contact(2), ['r1', 'r2']]]);
  });

  it('an unreachable peer is false', async () => {
    const s = await setup(() => {
      throw new UnavailableError('down');
    });
    assert.equal(await s.push.push(contact(2), s.b.text, signal), false);
  });

  it('a block not held is false; one whose file is gone is forgotten so repair fetches it again', async () => {
    const s = await setup(() => true);
    assert.equal(await s.push.push(contact(2), 'unknown', signal), false);
    s.blocks.map.clear();
    assert.equal(await s.push.push(contact(2), s.b.text, signal), false);
    assert.equal(s.db.getBlock(s.b.text), undefined);
    assert.deepEqual(s.sent, []);
  });
});
