// Property test of FramePool (issue #15 item 4): under any sequence of takes and gives (frames of
// any size, given back once, twice, or never, and foreign buffers), every frame taken has exactly
// the size asked, no two frames in use share memory, the pool never keeps more than maxFree, and a
// block frame encoded into pooled memory decodes back unchanged.
// Knobs: FC_NUM_RUNS, FC_SEED (@peerweave/core/testing propertyParams).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { propertyParams } from '@peerweave/core/testing';
import { decodeBlockFrame, encodeBlockFrame } from './block-frame.ts';
import { FramePool, POOLED_FRAME_BYTES } from './frame-pool.ts';

type Op = { kind: 'take'; size: number } | { kind: 'give'; index: number } | { kind: 'foreign'; size: number } | { kind: 'frame'; data: Uint8Array };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('take' as const), size: fc.oneof(fc.nat({ max: 1024 }), fc.constantFrom(POOLED_FRAME_BYTES, POOLED_FRAME_BYTES + 1, 256 * 1024)) }),
  fc.record({ kind: fc.constant('give' as const), index: fc.nat() }),
  fc.record({ kind: fc.constant('foreign' as const), size: fc.nat({ max: 64 }) }),
  fc.record({ kind: fc.constant('frame' as const), data: fc.uint8Array({ maxLength: 512 }) }),
);

function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

describe('FramePool (property)', () => {
  it('frames in use never share memory; sizes are exact; at most maxFree are kept; pooled frames decode', () => {
    fc.assert(
      fc.property(fc.nat({ max: 4 }), fc.array(op, { maxLength: 60 }), (maxFree, ops) => {
        const pool = new FramePool(maxFree);
        const taken: Uint8Array[] = [];
        const inUse = new Set<Uint8Array>();
        for (const o of ops) {
          if (o.kind === 'take' || o.kind === 'frame') {
            const frame =
              o.kind === 'take'
                ? pool.take(o.size)
                : encodeBlockFrame({ cid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku', found: true, data: o.data }, pool.take);
            if (o.kind === 'take') assert.equal(frame.length, o.size);
            else assert.deepStrictEqual(Buffer.from(decodeBlockFrame(frame).data), Buffer.from(o.data));
            for (const other of inUse) assert.ok(!overlaps(frame, other), 'a frame in use was handed out again');
            taken.push(frame);
            inUse.add(frame);
          } else if (o.kind === 'give' && taken.length > 0) {
            const frame = taken[o.index % taken.length]!;
            pool.give(frame);
            inUse.delete(frame);
          } else if (o.kind === 'foreign') {
            pool.give(Buffer.alloc(o.size));
          }
          assert.ok(pool.free <= maxFree, `${pool.free} free > ${maxFree}`);
        }
      }),
      propertyParams(500),
    );
  });
});

describe('FramePool (example found by the property)', () => {
  it('a frame given back twice, after its memory went out again, does not free the frame now using it', () => {
    const pool = new FramePool(1);
    const first = pool.take(0);
    pool.give(first);
    const second = pool.take(10); // the same memory as `first`
    assert.equal(second.buffer, first.buffer);
    pool.give(first); // again: must be ignored, `second` is in use
    assert.equal(pool.free, 0);
    assert.notEqual(pool.take(1).buffer, second.buffer);
    pool.give(second);
    assert.equal(pool.free, 1, 'the frame in use is still taken back once');
  });
});
