import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBlockFrame, encodeBlockFrame } from './block-frame.ts';
import { FramePool, POOLED_FRAME_BYTES } from './frame-pool.ts';
import { contentServiceBinding } from '../content/content-service.ts';
import { cid, sampleContentHandler } from '../content/content-test-messages.ts';
import { startTestServer } from '../test-support.ts';
import { GrpcPeerTransport } from '../transport/grpc-peer-transport.ts';

const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';

describe('FramePool', () => {
  it('hands out buffers of the size asked, and reuses the memory of one given back', () => {
    const pool = new FramePool();
    const a = pool.take(1000);
    assert.equal(a.length, 1000);
    pool.give(a);
    assert.equal(pool.free, 1);
    const b = pool.take(262_200);
    assert.equal(b.length, 262_200);
    assert.equal(b.buffer, a.buffer, 'the same memory');
    assert.equal(pool.free, 0);
    const c = pool.take(10);
    assert.notEqual(c.buffer, b.buffer, 'memory in use is never handed out twice');
  });

  it('keeps a frame given back twice once (two frames never share memory)', () => {
    const pool = new FramePool();
    const a = pool.take(100);
    pool.give(a);
    pool.give(a);
    assert.equal(pool.free, 1);
    const [x, y] = [pool.take(100), pool.take(100)];
    assert.notEqual(x.buffer, y.buffer);
  });

  it('never takes back memory it did not make, nor frames beyond POOLED_FRAME_BYTES', () => {
    const pool = new FramePool();
    pool.give(Buffer.alloc(POOLED_FRAME_BYTES));
    pool.give(new Uint8Array(new ArrayBuffer(POOLED_FRAME_BYTES)));
    const big = pool.take(POOLED_FRAME_BYTES + 1);
    assert.equal(big.length, POOLED_FRAME_BYTES + 1);
    pool.give(big);
    assert.equal(pool.free, 0);
  });

  it('keeps at most maxFree buffers for reuse', () => {
    const pool = new FramePool(2);
    const frames = [pool.take(1), pool.take(1), pool.take(1)];
    for (const f of frames) pool.give(f);
    assert.equal(pool.free, 2);
    assert.throws(() => new FramePool(-1), RangeError);
  });

  it('encodes a frame into pooled memory that decodes to the same block', () => {
    const pool = new FramePool();
    const data = new Uint8Array(256 * 1024).map((_, i) => i % 251);
    const first = encodeBlockFrame({ cid: CID, found: true, data }, pool.take);
    pool.give(first);
    const again = encodeBlockFrame({ cid: CID, found: true, data }, pool.take);
    assert.equal(again.buffer, first.buffer);
    const decoded = decodeBlockFrame(again);
    assert.equal(decoded.cid, CID);
    assert.ok(Buffer.from(decoded.data).equals(data), "the block's bytes");
    assert.throws(() => encodeBlockFrame({ cid: CID }, () => Buffer.alloc(1)), /given 1 bytes/);
  });
});

describe('GetBlocks over gRPC with pooled frames', () => {
  it('answers 300 different 256 KiB blocks, 32 wants in flight on one stream, each with its own bytes', async () => {
    const blockOf = (i: number): Buffer => Buffer.alloc(256 * 1024, i % 256).fill(i >> 8, 0, 8);
    const index = new Map(Array.from({ length: 300 }, (_, i) => [cid(i), i]));
    const server = await startTestServer([contentServiceBinding({ ...sampleContentHandler(), readBlock: async (c: string) => blockOf(index.get(c)!) })], {
      maxMessageBytes: 4 * 1024 * 1024,
    });
    const transport = new GrpcPeerTransport({ maxMessageBytes: 4 * 1024 * 1024, defaultDeadlineMs: 60_000 });
    try {
      const reader = transport.openBlockReader(server.address);
      let next = 0;
      let checked = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < 300) {
            const i = next++;
            const got = await reader.get(cid(i));
            assert.ok(got !== undefined && Buffer.from(got).equals(blockOf(i)), `block ${i}`);
            checked++;
          }
        }),
      );
      assert.equal(checked, 300);
      reader.close();
    } finally {
      await transport.close();
      await server.stop({ graceMs: 100 });
    }
  });
});
