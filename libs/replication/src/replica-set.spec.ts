import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PeerContact } from '@peerweave/protocol';
import { DEFAULT_REPLICATION_FACTOR, DEFAULT_WRITE_QUORUM, ReplicaSet, type ContentRouting } from './replica-set.ts';
import { contact } from './test-support.ts';

const key = new Uint8Array(32); // key 0x00…: nearest are the smallest ids
const self = contact(0x03);

/** Routing whose table holds `table` and whose lookups find `found`; records lookup counts. */
function routing(table: PeerContact[], found: PeerContact[] = []) {
  const lookups: number[] = [];
  const r: Pick<ContentRouting, 'lookup' | 'closestKnown'> = {
    lookup: async (_key, options) => {
      lookups.push(options?.count ?? -1);
      return { closest: found, timedOut: false };
    },
    closestKnown: (_key, n) => [...table].sort((a, b) => a.id.localeCompare(b.id)).slice(0, n),
  };
  return { routing: r, lookups };
}

const ids = (list: PeerContact[]) => list.map((p) => p.id.slice(0, 2));

describe('ReplicaSet', () => {
  it('defaults to r = 3, w = 2 and refuses w > r', () => {
    const set = new ReplicaSet({ self, routing: routing([]).routing });
    assert.deepEqual([set.r, set.w], [DEFAULT_REPLICATION_FACTOR, DEFAULT_WRITE_QUORUM]);
    assert.throws(() => new ReplicaSet({ self, routing: routing([]).routing, replicationFactor: 2, writeQuorum: 3 }), RangeError);
  });

  it('the known list has this node in its place, cut to n (r by default)', () => {
    const set = new ReplicaSet({ self, routing: routing([contact(1), contact(2), contact(4), contact(5)]).routing });
    assert.deepEqual(ids(set.knownPreferenceList(key)), ['01', '02', '03']);
    assert.deepEqual(ids(set.knownPreferenceList(key, 2)), ['01', '02']);
    assert.equal(set.isReplica(key), true);
    assert.equal(new ReplicaSet({ self, routing: routing([contact(1), contact(2)]).routing, replicationFactor: 2, writeQuorum: 1 }).isReplica(key), false);
  });

  it('the write list merges a lookup for r + 1 with the table, uncut', async () => {
    const { routing: r, lookups } = routing([contact(1), contact(6)], [contact(2), contact(9)]);
    const list = await new ReplicaSet({ self, routing: r }).preferenceList(key, undefined);
    assert.deepEqual(lookups, [4]);
    assert.deepEqual(ids(list), ['01', '02', '03', '06', '09']);
  });

  it('a complete table places without a lookup; the list goes on with stand-ins from the table, r + standIns long', async () => {
    const table = Array.from({ length: 12 }, (_, i) => contact(i + 4));
    const { routing: base, lookups } = routing(table);
    const complete: Pick<ContentRouting, 'lookup' | 'closestKnown' | 'closestIfComplete'> = { ...base, closestIfComplete: (k, n) => base.closestKnown(k, n) };
    const list = await new ReplicaSet({ self, routing: complete, standIns: 4 }).preferenceList(key, undefined);
    assert.deepEqual(lookups, []);
    assert.deepEqual(ids(list), ['03', '04', '05', '06', '07', '08', '09']);
    assert.equal((await new ReplicaSet({ self, routing: complete }).preferenceList(key, undefined)).length, 11, 'r + 8 by default');
  });

  it('the lookup list asks for `count` and places this node, uncut', async () => {
    const { routing: r, lookups } = routing([], [contact(1), contact(5)]);
    assert.deepEqual(ids(await new ReplicaSet({ self, routing: r }).lookupPreferenceList(key, 5, undefined)), ['01', '03', '05']);
    assert.deepEqual(lookups, [5]);
  });

  it('finds the contact of a known node by id', () => {
    const other = contact(0x42);
    const r: Pick<ContentRouting, 'lookup' | 'closestKnown'> = {
      lookup: async () => ({ closest: [], timedOut: false }),
      closestKnown: (k) => (Buffer.from(k).toString('hex') === other.id ? [other] : [contact(1)]),
    };
    const set = new ReplicaSet({ self, routing: r });
    assert.equal(set.contact(other.id), other);
    assert.equal(set.contact(contact(0x77).id), undefined);
  });
});
