import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NodeId } from './ids.ts';

describe('NodeId', () => {
  it('round-trips hex and has a short form', () => {
    const hex = 'ab'.repeat(32);
    const id = NodeId.fromHex(hex.toUpperCase());
    assert.equal(id.toHex(), hex);
    assert.equal(id.toShortString(), hex.slice(0, 12));
    assert.equal(JSON.stringify({ id }), JSON.stringify({ id: hex }));
    assert.ok(id.equals(NodeId.fromHex(hex)));
  });

  it('rejects wrong lengths and characters with INVALID_ARGUMENT', () => {
    assert.throws(() => NodeId.fromHex('abc'), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => NodeId.fromHex('zz'.repeat(32)), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => new NodeId(new Uint8Array(31)), { code: 'INVALID_ARGUMENT' });
    assert.equal(NodeId.isHex('0'.repeat(64)), true);
    assert.equal(NodeId.isHex('0'.repeat(63)), false);
  });
});
