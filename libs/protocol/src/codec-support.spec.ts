import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeId, encodeId } from './codec-support.ts';

const ID = '0123456789abcdef'.repeat(4);

describe('codec-support ids', () => {
  it('decodes the bytes encodeId returned, and a fresh copy of them, to the same id', () => {
    const bytes = encodeId(ID, 'sender', -1, '');
    assert.equal(decodeId(bytes, 'sender', -1, ''), ID);
    // As from the wire: another object with the same bytes, and a view into a larger buffer.
    assert.equal(decodeId(Uint8Array.from(bytes), 'sender', -1, ''), ID);
    const framed = new Uint8Array(40);
    framed.set(bytes, 5);
    assert.equal(decodeId(framed.subarray(5, 37), 'sender', -1, ''), ID);
    // One string per id, whichever way it was decoded.
    assert.equal(decodeId(bytes, 'x', -1, ''), decodeId(Uint8Array.from(bytes), 'x', -1, ''));
  });

  it('refuses an id of the wrong length with INVALID_ARGUMENT naming the field', () => {
    assert.throws(() => decodeId(new Uint8Array(31), 'updates', 2, '.contact'), (err: { code?: string; message?: string }) => {
      return err.code === 'INVALID_ARGUMENT' && /updates\[2\]\.contact\.id/.test(err.message ?? '');
    });
  });
});
