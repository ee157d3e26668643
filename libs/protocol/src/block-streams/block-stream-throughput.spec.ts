// A throughput check that prints, not asserts (the machine drifts by ±20 %: docs/PERFORMANCE.md):
// 256 KiB blocks over the block streams and over the unary calls, both ends in this process, on
// loopback, 32 blocks in flight. 64 MiB by default; PEERWEAVE_BLOCK_STREAM_MIB=1024 for the full run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BlockPut } from './block-stream-messages.ts';
import { contentServiceBinding } from '../content/content-service.ts';
import { cid, sampleContentHandler } from '../content/content-test-messages.ts';
import { GrpcPeerTransport } from '../transport/grpc-peer-transport.ts';
import type { GrpcServer } from '../transport/grpc-server.ts';
import { startTestServer } from '../test-support.ts';

const MIB = 1024 * 1024;
const BLOCK_BYTES = 256 * 1024;
const WINDOW = 32;
const TOTAL_MIB = Number(process.env['PEERWEAVE_BLOCK_STREAM_MIB'] ?? 64);

/** Runs `transfer(i)` for i in 0..count-1, `WINDOW` at a time; resolves with MB/s. */
async function rate(count: number, transfer: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WINDOW }, async () => {
      while (next < count) await transfer(next++);
    }),
  );
  return (count * BLOCK_BYTES) / 1e6 / ((performance.now() - started) / 1000);
}

describe('block stream throughput (printed, not asserted)', () => {
  const block = Buffer.alloc(BLOCK_BYTES, 7);
  const count = (TOTAL_MIB * MIB) / BLOCK_BYTES;
  let server: GrpcServer;
  let transport: GrpcPeerTransport;

  before(async () => {
    const handler = {
      ...sampleContentHandler(),
      readBlock: async () => block,
      getBlock: async () => ({ found: true, data: block }),
      putBlock: async () => ({ stored: true }),
      writeBlocks: async (blocks: readonly BlockPut[]) => blocks.map((b) => ({ cid: b.cid, stored: true, error: '', message: '' })),
    };
    server = await startTestServer([contentServiceBinding(handler)], { maxMessageBytes: 4 * MIB });
    transport = new GrpcPeerTransport({ maxMessageBytes: 4 * MIB, defaultDeadlineMs: 60_000 });
  });
  after(async () => {
    await transport?.close();
    await server?.stop({ graceMs: 100 });
  });

  it(`reads and writes ${TOTAL_MIB} MiB of 256 KiB blocks`, async (t) => {
    const reader = transport.openBlockReader(server.address);
    const getBlocks = await rate(count, (i) => reader.get(cid(i)));
    reader.close();
    const getBlock = await rate(count, (i) => transport.request(server.address, 'getBlock', { cid: cid(i) }));
    const writer = transport.openBlockWriter(server.address);
    const putBlocks = await rate(count, (i) => writer.put({ cid: cid(i), data: block, roots: [], hintFor: '' }));
    writer.close();
    const putBlock = await rate(count, (i) => transport.request(server.address, 'putBlock', { cid: cid(i), data: block, roots: [], hintFor: '' }));
    t.diagnostic(`GetBlocks ${getBlocks.toFixed(0)} MB/s, unary GetBlock ${getBlock.toFixed(0)} MB/s: ${(getBlocks / getBlock).toFixed(2)} ×`);
    t.diagnostic(`PutBlocks ${putBlocks.toFixed(0)} MB/s, unary PutBlock ${putBlock.toFixed(0)} MB/s: ${(putBlocks / putBlock).toFixed(2)} ×`);
    assert.ok(getBlocks > 0 && putBlocks > 0);
  });
});
