import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeadlineExceededError, UnavailableError, type ObjectRecord, type Tombstone } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { GetRecordResponse, PeerContact } from '@peerweave/protocol';
import { signRecord } from '@peerweave/storage';
import { pickRecordAnswer, readQuorum, RecordLookup, SPECULATIVE_RETRY_MS } from './record-lookup.ts';
import { contact, memoryDb, rawBlock, signer } from './test-support.ts';

const self = contact(1);
const [a, b, c, far] = [contact(2), contact(3), contact(4), contact(0x70)];

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

function setup(known: PeerContact[], lookedUp: PeerContact[], answers: Map<string, GetRecordResponse>, quorum: { r: number; w: number } = { r: 2, w: 1 }) {
  const db = memoryDb();
  const asked: string[] = [];
  const blockAsks: number[] = [];
  const lookups: number[] = [];
  const applied: Tombstone[] = [];
  const lookup = new RecordLookup({
    self,
    db,
    replicaSet: {
      ...quorum,
      knownPreferenceList: (_k, n) => known.slice(0, n),
      isReplica: () => known.slice(0, quorum.r).some((p) => p.id === self.id),
      lookupPreferenceList: async (_k, count) => (lookups.push(count), lookedUp),
    },
    peers: {
      getRecord: async (peer, _cid, _signal, rootBlockMaxBytes = 0) => {
        asked.push(peer.id.slice(0, 2));
        blockAsks.push(rootBlockMaxBytes);
        const answer = answers.get(peer.id);
        if (!answer) throw new UnavailableError('down');
        return answer;
      },
    },
    tombstones: { apply: (t) => (applied.push(t), true) },
  });
  return { db, asked, blockAsks, lookups, applied, lookup };
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

  it('asks a read quorum (r − w + 1) of the replicas, and the next ones only while fewer answered', async () => {
    const { root, record, tombstone } = await fixture();
    const all = new Map([a, b, c].map((p) => [p.id, { record }]));
    const s = setup([a, b, c], [], all, { r: 3, w: 2 });
    assert.deepEqual(await s.lookup.find(root.cid, undefined), { record });
    assert.deepEqual(s.asked, ['02', '03'], 'two of three: every write quorum of 2 shares one of them');
    const down = setup([a, b, c], [], new Map([[b.id, { record }], [c.id, { tombstone }]]), { r: 3, w: 2 });
    assert.deepEqual(await down.lookup.find(root.cid, undefined), { tombstone });
    assert.deepEqual(down.asked, ['02', '03', '04'], 'a did not answer: c is asked too');
    const w1 = setup([a, b, c], [], all, { r: 3, w: 1 });
    await w1.lookup.find(root.cid, undefined);
    assert.deepEqual(w1.asked, ['02', '03', '04'], 'w = 1: all three');
  });

  it('a small object’s root block comes with the record from the first replica asked, checked against the CID', async () => {
    const { root, record } = await fixture();
    const withBlock = setup([a, b, c], [], new Map([a, b, c].map((p) => [p.id, { record, rootBlock: root.bytes }])), { r: 3, w: 2 });
    const found = await withBlock.lookup.find(root.cid, undefined, { rootBlockMaxBytes: 1000 });
    assert.deepEqual(found, { record, rootBlock: root.bytes });
    assert.deepEqual(withBlock.blockAsks, [1000, 0], 'only the first replica asked sends the block');
    const forged = setup([a, b], [], new Map([a, b].map((p) => [p.id, { record, rootBlock: new TextEncoder().encode('forged') }])), { r: 2, w: 1 });
    assert.deepEqual(await forged.lookup.find(root.cid, undefined, { rootBlockMaxBytes: 1000 }), { record }, 'a block that does not match its CID is dropped');
    const plain = setup([a, b], [], new Map([a, b].map((p) => [p.id, { record }])));
    await plain.lookup.find(root.cid, undefined);
    assert.deepEqual(plain.blockAsks, [0, 0], 'not asked for: no block');
    const cached = setup([a, b], [], new Map([a, b].map((p) => [p.id, { record }])));
    cached.db.addBlock({ cid: root.text, bytes: root.bytes.length, roots: [], kind: 'cache', nowMs: 1 });
    assert.deepEqual(await cached.lookup.find(root.cid, undefined, { rootBlockMaxBytes: 1000 }), { record }, 'a block held here is read from here');
    assert.deepEqual(cached.blockAsks, [0, 0], 'a block held here is not asked for with the record');
  });
});

describe('RecordLookup: speculative retry', () => {
  /** a never answers before its 5 s deadline (cut off without a closed connection); b and c answer. */
  function stalled(clock: ManualClock, answer: GetRecordResponse) {
    const asked: [string, number, number][] = [];
    const lookup = new RecordLookup({
      self,
      db: memoryDb(),
      clock,
      replicaSet: { r: 3, w: 2, knownPreferenceList: (_k, n) => [a, b, c].slice(0, n), isReplica: () => false, lookupPreferenceList: async () => [] },
      peers: {
        getRecord: (peer, _cid, _signal, rootBlockMaxBytes = 0) => {
          asked.push([peer.id.slice(0, 2), clock.now(), rootBlockMaxBytes]);
          if (peer.id !== a.id) return Promise.resolve(answer);
          return clock.sleep(5_000).then(() => Promise.reject(new DeadlineExceededError('no answer')));
        },
      },
      tombstones: { apply: () => true },
    });
    return { lookup, asked };
  }

  it('a replica that has not answered after the delay gets company: the next one is asked, with the root block', async () => {
    const { root, record } = await fixture();
    const clock = new ManualClock(0);
    const s = stalled(clock, { record, rootBlock: root.bytes });
    let found: object | undefined;
    void s.lookup.find(root.cid, undefined, { rootBlockMaxBytes: 1000 }).then((f) => (found = f));
    await clock.advance(SPECULATIVE_RETRY_MS - 1);
    assert.deepEqual(s.asked, [['02', 0, 1000], ['03', 0, 0]], 'a read quorum of 2 at once');
    assert.equal(found, undefined, 'one answer of the two needed');
    await clock.advance(1);
    assert.deepEqual(s.asked.at(-1), ['04', SPECULATIVE_RETRY_MS, 1000], 'c asked at the delay, for the block too');
    await clock.advance(0);
    assert.deepEqual(found, { record, rootBlock: root.bytes }, 'answered by b and c, long before a’s deadline');
  });

  it('two of three replicas silent (across a partition): the next known node makes up the quorum, long before their deadlines', async () => {
    const { root, record } = await fixture();
    const clock = new ManualClock(0);
    const [d, e] = [contact(5), contact(6)];
    const asked: [string, number][] = [];
    const lookup = new RecordLookup({
      self,
      db: memoryDb(),
      clock,
      replicaSet: { r: 3, w: 2, knownPreferenceList: (_k, n) => [a, b, c, d, e].slice(0, n), isReplica: () => false, lookupPreferenceList: async () => [] },
      peers: {
        getRecord: (peer) => {
          asked.push([peer.id.slice(0, 2), clock.now()]);
          if (peer.id === b.id) return Promise.resolve({ record });
          if (peer.id === d.id) return Promise.resolve({});
          return clock.sleep(5_000).then(() => Promise.reject(new DeadlineExceededError('no answer')));
        },
      },
      tombstones: { apply: () => true },
    });
    let found: object | undefined;
    void lookup.find(root.cid, undefined).then((f) => (found = f));
    await clock.advance(2 * SPECULATIVE_RETRY_MS);
    assert.deepEqual(asked, [['02', 0], ['03', 0], ['04', SPECULATIVE_RETRY_MS], ['05', 2 * SPECULATIVE_RETRY_MS]]);
    assert.deepEqual(found, { record }, 'b’s record, with d’s empty answer as the second of the quorum');
  });

  it('nobody left to ask: a record in hand ends the wait once those in flight stay silent for the delay', async () => {
    const { root, record } = await fixture();
    const clock = new ManualClock(0);
    const d = contact(5);
    const asked: [string, number][] = [];
    const lookup = new RecordLookup({
      self,
      db: memoryDb(),
      clock,
      replicaSet: { r: 3, w: 2, knownPreferenceList: (_k, n) => [a, b, c].slice(0, n), isReplica: () => false, lookupPreferenceList: async () => [a, d, c, b] },
      peers: {
        getRecord: (peer) => {
          asked.push([peer.id.slice(0, 2), clock.now()]);
          if (peer.id === b.id) return Promise.resolve({ record });
          return clock.sleep(5_000).then(() => Promise.reject(new DeadlineExceededError('no answer')));
        },
      },
      tombstones: { apply: () => true },
    });
    let found: object | undefined;
    void lookup.find(root.cid, undefined).then((f) => (found = f));
    await clock.advance(2 * SPECULATIVE_RETRY_MS);
    assert.deepEqual(asked, [['02', 0], ['03', 0], ['04', SPECULATIVE_RETRY_MS]]);
    assert.deepEqual(found, { record }, 'at twice the delay, not at the deadline');
  });

  it('replicas that answer in time are not joined by anyone', async () => {
    const { root, record } = await fixture();
    const clock = new ManualClock(0);
    const asked: string[] = [];
    const lookup = new RecordLookup({
      self,
      db: memoryDb(),
      clock,
      replicaSet: { r: 3, w: 2, knownPreferenceList: (_k, n) => [a, b, c].slice(0, n), isReplica: () => false, lookupPreferenceList: async () => [] },
      peers: { getRecord: (peer) => (asked.push(peer.id.slice(0, 2)), clock.sleep(SPECULATIVE_RETRY_MS - 10).then(() => ({ record }))) },
      tombstones: { apply: () => true },
    });
    const result = lookup.find(root.cid, undefined);
    await clock.advance(SPECULATIVE_RETRY_MS);
    assert.deepEqual(await result, { record });
    assert.deepEqual(asked, ['02', '03']);
  });
});

describe('readQuorum', () => {
  const cases: [r: number, w: number, quorum: number][] = [
    [3, 2, 2],
    [3, 1, 3],
    [3, 3, 1],
    [1, 1, 1],
    [5, 3, 3],
  ];
  for (const [r, w, q] of cases) it(`r = ${r}, w = ${w}: ${q}`, () => assert.equal(readQuorum(r, w), q));
});
