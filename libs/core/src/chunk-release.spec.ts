import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freeBuffer, hasOwnBuffer, markOwnBuffer, OWN_BUFFER_MIN_BYTES, OWN_BUFFER_SLACK_BYTES, releasableChunk, releaseChunk } from './chunk-release.ts';

describe('chunk release', () => {
  it('runs a chunk’s release once, when its consumer is done with it', () => {
    let released = 0;
    const chunk = releasableChunk(new Uint8Array(4), () => released++);
    releaseChunk(chunk);
    releaseChunk(chunk);
    assert.equal(released, 1);
  });

  it('does nothing for a chunk with no release (a view of it is another chunk)', () => {
    let released = 0;
    const chunk = releasableChunk(new Uint8Array(8), () => released++);
    releaseChunk(new Uint8Array(8));
    releaseChunk(chunk.subarray(0, 4));
    assert.equal(released, 0);
  });

  it('marks a view as owning its memory only when it spans the buffer and is bigger than the pool’s slices', () => {
    const message = Buffer.alloc(256 * 1024 + 40);
    const frameData = message.subarray(40);
    markOwnBuffer(frameData);
    assert.equal(hasOwnBuffer(frameData), true, 'a block after a short header');
    assert.equal(hasOwnBuffer(message.subarray(40)), false, 'another view of it was not declared');

    const shared = Buffer.alloc(2 * OWN_BUFFER_MIN_BYTES + OWN_BUFFER_SLACK_BYTES + 1);
    const half = shared.subarray(0, 2 * OWN_BUFFER_MIN_BYTES);
    markOwnBuffer(half);
    assert.equal(hasOwnBuffer(half), false, 'more than the slack of the buffer is someone else’s');

    const pooled = Buffer.from('a small block');
    markOwnBuffer(pooled);
    assert.equal(hasOwnBuffer(pooled), false, 'a slice of the Buffer pool');

    const small = new Uint8Array(OWN_BUFFER_MIN_BYTES - 1);
    markOwnBuffer(small);
    assert.equal(hasOwnBuffer(small), false);
  });

  it('frees a buffer at once: every view of it is empty after, and a second free is refused', () => {
    const bytes = Buffer.alloc(64 * 1024, 7);
    const view = bytes.subarray(10, 20);
    assert.equal(freeBuffer(bytes), true);
    assert.equal(bytes.byteLength, 0);
    assert.equal(view.byteLength, 0);
    assert.equal(bytes.buffer.byteLength, 0);
    assert.equal(freeBuffer(bytes), false);
  });
});
