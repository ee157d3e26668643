import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnavailableError, type ObjectRecord, type Tombstone } from '@peerweave/core';
import type { GetRecordResponse, PeerContact } from '@peerweave/protocol';
import { signRecord } from '@peerweave/storage';
import { pickRecordAnswer, RecordLookup } from './record-lookup.ts';
import { contact, memoryDb, rawBlock, signer } from './test-support.ts';

const self = contact(1);
const [a, b, far] = [contact(2), contact(3), contact(0x70)];

async function fixture() {
  const root = await rawBlock('root');
  const record = signRecord({ cid: root.text, name: 'n', contentType: 't', size: 1, blocks: 1, keywords: [], createdMs: 7 }, signer());
  const tombstone: Tombstone = { cid: root.text, deletedMs: 1, by: a.id };
  return { root, record, tombstone };
}

describe('pickRecordAnswer', async () => {
  const { root, record, tombstone } = await fixture();
  const other = signRecord({ ...record, cid: (await rawBlock('other')).text }, signer());
  const cases: [what: string, answers: (GetRecordResponse | undefined)[], expected: object][] = [
    ['no answer', [], {}],
    ['unreachable replicas', [undefined, undefined], {}],
    ['a valid record', [undefined, { record }], { record }],
    ['a forged record', [{ record: { ...record, name: 'forged' } }], {}],
    ['a record of another object', [{ record: other }], {}],
    ['a tombstone after a record wins', [{ record }, { tombstone }], { tombstone }],
    ['a tombstone before a record wins', [{ tombstone }, { record }], { tombstone }],
  ];
  for (const [what, answers, expected] of cases) it(what, () => assert.deepEqual(pickRecordAnswer(answers, root.text), expected));
});

function setup(known: PeerContact[], lookedUp: PeerContact[], answers: Map<string, GetRecordResponse>) {
  const db = memoryDb();
  const asked: string[] = [];
  const lookups: number[] = [];
  const applied: Tombstone[] = [];
  const lookup = new RecordLookup({
    self,
    db,
    replicaSet: {
      r: 2,
      knownPreferenceList: (_k, n) => known.slice(0, n),
      isReplica: () => known.slice(0, 2).some((p) => p.id === self.id),
      lookupPreferenceList: async (_k, count) => (lookups.push(count), lookedUp),
    },
    peers: {
      getRecord: async (peer) => {
        asked.push(peer.id.slice(0, 2));
        const answer = answers.get(peer.id);
        if (!answer) throw new UnavailableError('down');
        return answer;
      },
    },
    tombstones: { apply: (t) => (applied.push(t), true) },
  });
  return { db, asked, lookups, applied, lookup };
}

describe('RecordLookup', () => {
  it('a tombstone here answers at once', async () => {
    const { root, tombstone } = await fixture();
    const s = setup([a, b], [], new Map());
    s.db.putTombstone(tombstone);
    assert.deepEqual(await s.lookup.find(root.cid, undefined), { tombstone });
    assert.deepEqual(s.asked, []);
  });

  it('a replica’s own record answers at once; another node’s copy is checked with the replicas', async () => {
    const { root, record, tombstone } = await fixture();
    const replica = setup([self, a], [], new Map());
    replica.db.putRecord(record);
    assert.deepEqual(await replica.lookup.find(root.cid, undefined), { record });
    assert.deepEqual(replica.asked, []);
    const uploader = setup([a, b], [], new Map([[a.id, { tombstone }]]));
    uploader.db.putRecord(record);
    assert.deepEqual(await uploader.lookup.find(root.cid, undefined), { tombstone });
    assert.deepEqual(uploader.applied, [tombstone], 'the delete it missed is applied here');
  });

  it('asks the known replicas, then those a lookup finds; keeps its own copy when nobody answers', async () => {
    const { root, record } = await fixture();
    const s = setup([self, a], [self, b, far], new Map([[far.id, { record }]]));
    assert.deepEqual(await s.lookup.find(root.cid, undefined), { record });
    assert.deepEqual(s.lookups, [3], 'r + 1');
    assert.deepEqual(s.asked.sort(), ['02', '03', '70']);
    const alone = setup([a], [b], new Map());
    const mine: ObjectRecord = record;
    alone.db.putRecord(mine);
    assert.deepEqual(await alone.lookup.find(root.cid, undefined), { record: mine });
    assert.deepEqual(await setup([a], [b], new Map()).lookup.find(root.cid, undefined), {});
  });
});
