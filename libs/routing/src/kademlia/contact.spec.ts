import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idFromHex, idToHex, refreshContact, toContact, toContactInfo } from './contact.ts';

const HEX = 'ab'.repeat(32);

describe('contact', () => {
  it('round-trips ids between hex and bytes', () => {
    const bytes = idFromHex(HEX);
    assert.equal(bytes.length, 32);
    assert.equal(bytes[0], 0xab);
    assert.equal(idToHex(bytes), HEX);
    // A view into a larger buffer converts only its own bytes.
    const big = new Uint8Array(40);
    big.set(bytes, 4);
    assert.equal(idToHex(big.subarray(4, 36)), HEX);
  });

  it('rejects ids that are not 64 lower-case hex digits', () => {
    for (const bad of ['', 'ab', HEX.toUpperCase(), `${HEX}00`, 'zz'.repeat(32)]) {
      assert.throws(() => idFromHex(bad), { code: 'INVALID_ARGUMENT' }, bad);
    }
    assert.throws(() => idToHex(new Uint8Array(31)), { code: 'INVALID_ARGUMENT' });
  });

  it('builds a record with the decoded id and strips it back to the wire fields', () => {
    const info = { id: HEX, address: '10.0.0.1:4001', role: 'peer', incarnation: 3 };
    const c = toContact(info, 50);
    assert.equal(c.lastSeen, 50);
    assert.equal(c.idBytes[31], 0xab);
    assert.deepEqual(toContactInfo(c), info);
  });

  it('refresh takes new fields unless the incarnation is lower, and never mutates', () => {
    const c = toContact({ id: HEX, address: 'a:1', role: 'peer', incarnation: 5 }, 10);
    const newer = refreshContact(c, { id: HEX, address: 'b:2', role: 'supernode', incarnation: 6 }, 20);
    assert.deepEqual([newer.address, newer.role, newer.incarnation, newer.lastSeen], ['b:2', 'supernode', 6, 20]);
    assert.equal(newer.idBytes, c.idBytes, 'decoded id reused');
    const same = refreshContact(c, { id: HEX, address: 'b:2', role: 'peer', incarnation: 5 }, 20);
    assert.equal(same.address, 'b:2', 'equal incarnation updates');
    const stale = refreshContact(c, { id: HEX, address: 'old:0', role: 'peer', incarnation: 4 }, 30);
    assert.deepEqual([stale.address, stale.incarnation, stale.lastSeen], ['a:1', 5, 30]);
    assert.equal(c.address, 'a:1', 'original untouched');
  });
});
