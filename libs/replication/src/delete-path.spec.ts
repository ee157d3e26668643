import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFoundError, UnavailableError, type Tombstone } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { PeerContact } from '@peerweave/protocol';
import { cidKey, signRecord } from '@peerweave/storage';
import type { CID } from 'multiformats/cid';
import { DeletePath } from './delete-path.ts';
import type { RecordAnswer } from './record-lookup.ts';
import { contact, rawBlock, signer } from './test-support.ts';

const self = contact(1);
const [a, b, c, d, uploader] = [contact(2), contact(3), contact(4), contact(5), contact(9)];

async function setup(answer: RecordAnswer | 'record', dag: (root: CID) => AsyncIterable<CID>) {
  const root = await rawBlock('root');
  const leaf = await rawBlock('leaf');
  const identity = signer();
  const record = signRecord({ cid: root.text, name: 'n', contentType: 't', size: 1, blocks: 2, keywords: [], createdMs: 0 }, identity);
  const uploaderId = record.uploader;
  const uploaderContact: PeerContact = { ...uploader, id: uploaderId };
  const clock = new ManualClock(123_000);
  const applied: Tombstone[] = [];
  const told: string[] = [];
  const byKey = (key: Uint8Array): PeerContact[] => (Buffer.from(key).equals(Buffer.from(cidKey(root.cid))) ? [self, a, b] : [c, a, self]);
  const remove = new DeletePath({
    self,
    clock,
    replicaSet: {
      r: 2,
      knownPreferenceList: (key, n) => byKey(key).slice(0, n),
      preferenceList: async () => [self, d, a],
      contact: (id) => (id === uploaderId ? uploaderContact : undefined),
    },
    peers: {
      storeTombstone: async (peer) => {
        told.push(peer.id === uploaderId ? 'uploader' : peer.id.slice(0, 2));
        if (peer.id === b.id) throw new UnavailableError('down');
        return true;
      },
    },
    records: { find: async () => (answer === 'record' ? { record } : answer) },
    dag: { dagCids: (r) => dag(r) },
    tombstones: { apply: (t) => (applied.push(t), true) },
  });
  return { root, leaf, applied, told, remove };
}

describe('DeletePath', () => {
  it('tombstones the object here and tells the replicas of its record and blocks, and its uploader', async () => {
    let leafCid: CID | undefined;
    const s = await setup('record', async function* (root) {
      yield root;
      yield leafCid!;
    });
    leafCid = s.leaf.cid;
    await s.remove.remove(s.root.text);
    assert.deepEqual(s.applied, [{ cid: s.root.text, deletedMs: 123_000, by: self.id }]);
    // root: known r + 1 = self, a, b; leaf: c, a, self; write list: d, a; the uploader; never self.
    assert.deepEqual(s.told.sort(), ['02', '03', '04', '05', 'uploader']);
  });

  it('an object already deleted is left alone', async () => {
    const s = await setup({ tombstone: { cid: 'x', deletedMs: 0, by: '' } }, async function* () {});
    await s.remove.remove(s.root.text);
    assert.deepEqual([s.applied, s.told], [[], []]);
  });

  it('an object with neither record nor blocks is NOT_FOUND; with a record, what can be found is deleted', async () => {
    const missing = async function* (root: CID): AsyncIterable<CID> {
      yield root;
      throw new NotFoundError('no reachable node holds it');
    };
    const none = await setup({}, missing);
    await assert.rejects(none.remove.remove(none.root.text), /is not stored here or on its replicas/);
    assert.deepEqual(none.applied, []);
    const some = await setup('record', missing);
    await some.remove.remove(some.root.text);
    assert.equal(some.applied.length, 1);
    assert.deepEqual(some.told.sort(), ['02', '03', '05', 'uploader']);
  });
});
