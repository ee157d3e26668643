import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PeerContact } from '@peerweave/protocol';
import { assertQuorum, preferenceList } from './placement.ts';

const contact = (firstByte: number): PeerContact => ({
  id: firstByte.toString(16).padStart(2, '0') + '00'.repeat(31),
  address: `n${firstByte}:7400`,
  role: 'peer',
  incarnation: 1,
});

describe('preference list', () => {
  it('orders nodes by XOR distance to the key, this node included, each once', () => {
    const key = new Uint8Array(32);
    key[0] = 0x10;
    const self = contact(0x13);
    const list = preferenceList(key, self, [contact(0x80), contact(0x11), contact(0x17), contact(0x11), self]);
    // 0x10 ^ 0x11 = 1, ^ 0x13 = 3, ^ 0x17 = 7, ^ 0x80 = 0x90
    assert.deepEqual(list.map((c) => c.id.slice(0, 2)), ['11', '13', '17', '80']);
  });

  it('is just this node when it knows nobody', () => {
    assert.deepEqual(preferenceList(new Uint8Array(32), contact(1), []), [contact(1)]);
  });
});

describe('quorum', () => {
  it('accepts 1 ≤ w ≤ r and refuses the rest', () => {
    assertQuorum(3, 2);
    assertQuorum(1, 1);
    assert.throws(() => assertQuorum(3, 4), /write quorum/);
    assert.throws(() => assertQuorum(3, 0), /write quorum/);
    assert.throws(() => assertQuorum(0, 0), /replication factor/);
  });
});
