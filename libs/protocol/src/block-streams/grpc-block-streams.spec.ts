import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Client, credentials, Metadata, Server, ServerCredentials, status as Status, type ServerDuplexStream, type StatusObject } from '@grpc/grpc-js';
import { CorruptBlockError, PeerweaveError, ResourceExhaustedError } from '@peerweave/core';
import { ManualClock, waitFor } from '@peerweave/core/testing';
import { encodeBlockFrame } from './block-frame.ts';
import {
  MAX_CONCURRENT_BLOCK_READS,
  MAX_OUTSTANDING_WANTS,
  MAX_PUT_BATCH_BLOCKS,
  MAX_PUT_BATCH_BYTES,
  MAX_QUEUED_PUT_BYTES,
} from './block-stream-limits.ts';
import type { BlockPut, BlockPutAck, BlockStreamHandler } from './block-stream-messages.ts';
import { blockStreamDefinitions } from './block-stream-methods.ts';
import { MAX_BLOCK_BYTES } from '../content/content-codec.ts';
import { contentServiceBinding, contentServiceDefinition } from '../content/content-service.ts';
import { bytes, cid, NODE_B, sampleContentHandler } from '../content/content-test-messages.ts';
import type { GrpcBlockWriter } from './grpc-block-writer.ts';
import { FLOW_CONTROL_WINDOW_BYTES } from '../transport/grpc-options.ts';
import { GrpcPeerTransport, type GrpcPeerTransportInit } from '../transport/grpc-peer-transport.ts';
import type { GrpcServer } from '../transport/grpc-server.ts';
import type { ContentHandler } from '../content/content-messages.ts';
import type { PeerCallContext } from '../service-types.ts';
import { routingServiceBinding } from '../routing/routing-service.ts';
import { sampleHandler } from '../routing/routing-test-messages.ts';
import { deferred, recordingLogger, startTestServer, rejectsWithCode } from '../test-support.ts';

const KIB = 1024;
const MIB = 1024 * KIB;


/** The sample content handler with readBlock and writeBlocks swappable per test. */
function switchableHandler() {
  const base = sampleContentHandler();
  const handler = {
    ...base,
    onRead: undefined as BlockStreamHandler['readBlock'] | undefined,
    onWrite: undefined as BlockStreamHandler['writeBlocks'] | undefined,
    readBlock: (cid: string, context: PeerCallContext) => (handler.onRead ?? base.readBlock)(cid, context),
    writeBlocks: (blocks: readonly BlockPut[], context: PeerCallContext) => (handler.onWrite ?? base.writeBlocks)(blocks, context),
  };
  return handler;
}

function put(n: number, size = KIB): BlockPut {
  return { cid: cid(n), data: bytes(size, n % 256), roots: [cid(0)], hintFor: '' };
}

function ack(block: BlockPut): BlockPutAck {
  return { cid: block.cid, stored: true, error: '', message: '' };
}

/** Resolves after `turns` turns of the event loop: lets handlers finish in a scrambled order. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}

/** A bare grpc-js server answering GetBlocks and PutBlocks as `behave` says: a peer that misbehaves. */
async function rawServer(
  behave: { getBlocks?: (call: ServerDuplexStream<unknown, Buffer>) => void; putBlocks?: (call: ServerDuplexStream<unknown, unknown>) => void },
): Promise<{ address: string; stop: () => void }> {
  const { GetBlocks, PutBlocks } = blockStreamDefinitions(contentServiceDefinition());
  const server = new Server({ 'grpc.max_send_message_length': 8 * MIB });
  server.addService(
    { GetBlocks, PutBlocks } as never,
    { GetBlocks: behave.getBlocks ?? (() => {}), PutBlocks: behave.putBlocks ?? (() => {}) } as never,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

/** A raw client stream of `rpc` that writes `messages` as given (Buffers unencoded) and reports the status. */
function rawStream(address: string, rpc: 'GetBlocks' | 'PutBlocks', messages: unknown[]): Promise<StatusObject> {
  const def = blockStreamDefinitions(contentServiceDefinition())[rpc];
  const client = new Client(address, credentials.createInsecure(), { 'grpc.max_send_message_length': 8 * MIB });
  return new Promise((resolve) => {
    const call = client.makeBidiStreamRequest(
      def.path,
      ((m: unknown) => (Buffer.isBuffer(m) ? m : (def.requestSerialize as (x: unknown) => Buffer)(m))) as never,
      (b: Buffer) => b,
      new Metadata(),
      {},
    );
    call.on('data', () => {});
    call.on('error', () => {});
    call.on('status', (status: StatusObject) => {
      client.close();
      resolve(status);
    });
    for (const m of messages) call.write(m);
  });
}

describe('block streams over gRPC', () => {
  const logger = recordingLogger();
  const handler = switchableHandler();
  let server: GrpcServer;

  before(async () => {
    for (let i = 0; i < 64; i++) handler.blocks.set(cid(1000 + i), bytes(2 * KIB + i, i));
    server = await startTestServer([contentServiceBinding(handler)], { logger, maxMessageBytes: 4 * MIB });
  });
  after(async () => {
    await server?.stop({ graceMs: 1_000 });
  });

  function transport(t: TestContext, init: GrpcPeerTransportInit = {}): GrpcPeerTransport {
    const tr = new GrpcPeerTransport({ defaultDeadlineMs: 5_000, maxMessageBytes: 4 * MIB, ...init });
    t.after(() => tr.close());
    return tr;
  }

  function swap(t: TestContext, read?: BlockStreamHandler['readBlock'], write?: BlockStreamHandler['writeBlocks']): void {
    handler.onRead = read;
    handler.onWrite = write;
    t.after(() => {
      handler.onRead = undefined;
      handler.onWrite = undefined;
    });
  }

  describe('GetBlocks', () => {
    it('answers a window of 32 wants in order, reading at most MAX_CONCURRENT_BLOCK_READS at once', async (t) => {
      let reading = 0;
      let most = 0;
      swap(t, async (c, context) => {
        reading++;
        most = Math.max(most, reading);
        // Later wants finish first within each group of reads: the answers must still come in order.
        await turns(20 - (Number.parseInt(c.slice(7, 11), 32) % 7) * 3);
        reading--;
        return handler.blocks.get(c) ?? (await sampleContentHandler().readBlock(c, context));
      });
      const reader = transport(t).openBlockReader(server.address);
      const cids = Array.from({ length: 32 }, (_, i) => cid(1000 + i));
      const settled: string[] = [];
      const answers = await Promise.all(cids.map((c) => reader.get(c).then((data) => (settled.push(c), data))));
      assert.deepEqual(settled, cids, 'settled in the order asked');
      for (let i = 0; i < 32; i++) assert.deepEqual(answers[i], handler.blocks.get(cids[i]!), cids[i]);
      assert.ok(most <= MAX_CONCURRENT_BLOCK_READS && most > 1, `at most ${MAX_CONCURRENT_BLOCK_READS} reads at once, got ${most}`);
      assert.equal(reader.closed, false);
      reader.close();
      assert.equal(reader.closed, true);
    });

    it('a block the peer lacks is undefined; the stream goes on', async (t) => {
      const reader = transport(t).openBlockReader(server.address);
      assert.equal(await reader.get(cid(99_999)), undefined);
      assert.deepEqual(await reader.get(cid(1000)), handler.blocks.get(cid(1000)));
    });

    it("a handler's error is that block's error frame; the stream goes on", async (t) => {
      swap(t, async (c, context) => {
        if (c === cid(7)) throw new ResourceExhaustedError('too busy for this one');
        if (c === cid(8)) throw new Error('disk on fire at /secret/path');
        return handler.blocks.get(c) ?? (await sampleContentHandler().readBlock(c, context));
      });
      logger.entries.length = 0;
      const reader = transport(t).openBlockReader(server.address);
      const [a, b, c, d] = [reader.get(cid(1000)), reader.get(cid(7)), reader.get(cid(8)), reader.get(cid(1001))];
      assert.deepEqual(await a, handler.blocks.get(cid(1000)));
      await rejectsWithCode(b, 'RESOURCE_EXHAUSTED', /too busy for this one/);
      await rejectsWithCode(c, 'INTERNAL', /^internal error$/);
      assert.deepEqual(await d, handler.blocks.get(cid(1001)));
      assert.equal(reader.closed, false);
      assert.equal(logger.entries.filter((e) => e.level === 'error').length, 1, 'the unexpected error is logged, once');
    });

    it('wants beyond MAX_OUTSTANDING_WANTS are answered RESOURCE_EXHAUSTED, in order', async (t) => {
      const gate = deferred();
      swap(t, async (c) => {
        await gate.promise;
        return handler.blocks.get(c);
      });
      const reader = transport(t).openBlockReader(server.address);
      logger.entries.length = 0;
      const gets = Array.from({ length: MAX_OUTSTANDING_WANTS + 6 }, (_, i) => reader.get(cid(1000 + (i % 64))).then(
        () => 'ok',
        (err: PeerweaveError) => err.code,
      ));
      await waitFor(() => logger.entries.filter((e) => e.msg === 'want beyond MAX_OUTSTANDING_WANTS refused').length === 6);
      gate.resolve();
      const outcomes = await Promise.all(gets);
      assert.deepEqual(outcomes.slice(0, MAX_OUTSTANDING_WANTS), Array(MAX_OUTSTANDING_WANTS).fill('ok'));
      assert.deepEqual(outcomes.slice(MAX_OUTSTANDING_WANTS), Array(6).fill('RESOURCE_EXHAUSTED'));
    });

    it('a stalled want: DEADLINE_EXCEEDED for every pending get, the stream cancelled (the handler sees it), a new reader works', async (t) => {
      const aborted = deferred<unknown>();
      swap(t, (c, { signal }) => {
        if (c !== cid(5)) return Promise.resolve(handler.blocks.get(c));
        signal.addEventListener('abort', () => aborted.resolve(signal.reason), { once: true });
        return new Promise(() => {});
      });
      const tr = transport(t);
      const reader = tr.openBlockReader(server.address);
      const stalled = reader.get(cid(5), { deadlineMs: 200 });
      const behind = reader.get(cid(1000));
      await rejectsWithCode(stalled, 'DEADLINE_EXCEEDED', /not answered .* within 200 ms/);
      await rejectsWithCode(behind, 'DEADLINE_EXCEEDED');
      assert.equal(reader.closed, true);
      await rejectsWithCode(reader.get(cid(1000)), 'DEADLINE_EXCEEDED');
      assert.ok((await aborted.promise) instanceof PeerweaveError, "the server handler's signal aborted");
      const again = tr.openBlockReader(server.address);
      assert.deepEqual(await again.get(cid(1000)), handler.blocks.get(cid(1000)));
      assert.equal(tr.channelCount, 1, 'the same channel');
    });

    it("a get's own signal aborts it and, answers being ordered, closes the stream", async (t) => {
      const started = deferred();
      swap(t, () => {
        started.resolve();
        return new Promise(() => {});
      });
      const reader = transport(t).openBlockReader(server.address);
      const controller = new AbortController();
      const mine = reader.get(cid(1), { signal: controller.signal });
      const other = reader.get(cid(2));
      await started.promise;
      controller.abort();
      await rejectsWithCode(mine, 'ABORTED');
      await rejectsWithCode(other, 'ABORTED');
      assert.equal(reader.closed, true);
      await rejectsWithCode(reader.get(cid(3), { signal: AbortSignal.abort() }), 'ABORTED');
    });

    it('close() cancels the stream: pending gets reject ABORTED and the handler signal aborts', async (t) => {
      const started = deferred();
      const aborted = deferred();
      swap(t, (_c, { signal }) => {
        signal.addEventListener('abort', () => aborted.resolve(), { once: true });
        started.resolve();
        return new Promise(() => {});
      });
      const reader = transport(t).openBlockReader(server.address);
      const pending = reader.get(cid(1));
      await started.promise;
      reader.close();
      await rejectsWithCode(pending, 'ABORTED');
      await aborted.promise;
    });

    it('a malformed want ends the stream with INVALID_ARGUMENT', async () => {
      const status = await rawStream(server.address, 'GetBlocks', [{ cid: 'not a cid!' }]);
      assert.equal(status.code, Status.INVALID_ARGUMENT);
      assert.match(status.details, /invalid BlockWant: cid: not a CID/);
      const garbage = await rawStream(server.address, 'GetBlocks', [Buffer.from([0x0a, 0xff])]);
      assert.equal(garbage.code, Status.INVALID_ARGUMENT);
    });

    it('an oversized, malformed or mismatched frame from the peer: INVALID_ARGUMENT, stream closed', async (t) => {
      const oversized = Buffer.concat([encodeBlockFrame({ cid: cid(1), found: true }), Buffer.from([0x7a, 0x81, 0x80, 0x40]), Buffer.alloc(MAX_BLOCK_BYTES + 1)]);
      const frames: Record<string, Buffer> = {
        [cid(1)]: oversized,
        [cid(2)]: Buffer.from([0x0a, 0x05, 0x61]), // truncated
        [cid(3)]: encodeBlockFrame({ cid: cid(4), found: true, data: bytes(10) }), // another CID
      };
      const peer = await rawServer({
        getBlocks: (call) => call.on('data', (want: unknown) => call.write(frames[want as string]!)),
      });
      t.after(() => peer.stop());
      const tr = transport(t);
      await rejectsWithCode(tr.openBlockReader(peer.address).get(cid(1)), 'INVALID_ARGUMENT', /data: at most 1048576 bytes, got 1048577/);
      await rejectsWithCode(tr.openBlockReader(peer.address).get(cid(2)), 'INVALID_ARGUMENT', /cid: length 5 runs past the end/);
      const reader = tr.openBlockReader(peer.address);
      await rejectsWithCode(reader.get(cid(3)), 'INVALID_ARGUMENT', new RegExp(`answered ${cid(4)} when ${cid(3)} was next`));
      assert.equal(reader.closed, true);
    });

    it('a handler answer above MAX_BLOCK_BYTES is our bug: INTERNAL for that block, logged', async (t) => {
      swap(t, async () => bytes(MAX_BLOCK_BYTES + 1));
      logger.entries.length = 0;
      const reader = transport(t).openBlockReader(server.address);
      await rejectsWithCode(reader.get(cid(1)), 'INTERNAL', /^internal error$/);
      assert.equal(reader.closed, false);
      assert.equal(logger.entries.filter((e) => e.level === 'error').length, 1);
    });
  });

  describe('PutBlocks', () => {
    it('acks in order, none before the group commit that stored its block resolved', async (t) => {
      const gate = deferred();
      const batches: number[] = [];
      let committed = 0;
      swap(t, undefined, async (blocks) => {
        batches.push(blocks.length);
        if (batches.length === 1) await gate.promise;
        committed += blocks.length;
        return blocks.map(ack);
      });
      const tr = transport(t);
      const writer = tr.openBlockWriter(server.address);
      const blocks = Array.from({ length: 40 }, (_, i) => put(i));
      const acked: string[] = [];
      const puts = blocks.map((b) => writer.put(b).then((a) => {
        assert.equal(committed >= blocks.indexOf(b) + 1, true, `no ack before the commit of ${b.cid}`);
        acked.push(a.cid);
        return a;
      }));
      await waitFor(() => batches.length === 1);
      // A unary call on the same connection, after the puts: once answered, the server has read them.
      await tr.request(server.address, 'hasBlocks', { cids: [cid(1)] });
      assert.deepEqual(acked, [], 'nothing acknowledged while the first commit runs');
      gate.resolve();
      assert.deepEqual(await Promise.all(puts), blocks.map(ack));
      assert.deepEqual(acked, blocks.map((b) => b.cid), 'acks in order');
      assert.equal(batches.reduce((a, b) => a + b, 0), 40);
      assert.ok(Math.max(...batches) <= MAX_PUT_BATCH_BLOCKS);
      writer.close();
    });

    it('an ack with an error resolves (the caller decides); a failed commit acks each of its blocks with the error', async (t) => {
      swap(t, undefined, async (blocks) => {
        if (blocks[0]!.cid === cid(2)) throw new ResourceExhaustedError('disk full');
        return blocks.map((b) => (b.cid === cid(1) ? { cid: b.cid, stored: false, error: 'CORRUPT_BLOCK', message: new CorruptBlockError('mismatch').message } : ack(b)));
      });
      const writer = transport(t).openBlockWriter(server.address);
      assert.deepEqual(await writer.put(put(1)), { cid: cid(1), stored: false, error: 'CORRUPT_BLOCK', message: 'mismatch' });
      assert.deepEqual(await writer.put(put(2)), { cid: cid(2), stored: false, error: 'RESOURCE_EXHAUSTED', message: 'disk full' });
      assert.deepEqual(await writer.put(put(3)), ack(put(3)));
      assert.equal(writer.closed, false);
    });

    it('passes roots and hinted hand-offs through, bytes as sent', async (t) => {
      let seen: readonly BlockPut[] = [];
      swap(t, undefined, async (blocks) => {
        seen = blocks;
        return blocks.map(ack);
      });
      const block = { cid: cid(5), data: bytes(300 * KIB, 5), roots: [cid(1), cid(2)], hintFor: NODE_B };
      await transport(t).openBlockWriter(server.address).put(block);
      assert.deepEqual(seen, [block]);
    });

    it('an invalid block is refused before it leaves; the stream goes on', async (t) => {
      const writer = transport(t).openBlockWriter(server.address);
      await rejectsWithCode(writer.put({ ...put(1), data: bytes(MAX_BLOCK_BYTES + 1) }), 'INVALID_ARGUMENT', /data: a block has at most/);
      await rejectsWithCode(writer.put({ ...put(1), cid: 'nope!' }), 'INVALID_ARGUMENT', /cid/);
      assert.deepEqual(await writer.put(put(1)), ack(put(1)));
    });

    it('an oversized or malformed frame from the peer ends the stream with INVALID_ARGUMENT', async () => {
      const oversized = Buffer.concat([encodeBlockFrame({ cid: cid(1) }), Buffer.from([0x7a, 0x81, 0x80, 0x40]), Buffer.alloc(MAX_BLOCK_BYTES + 1)]);
      const status = await rawStream(server.address, 'PutBlocks', [oversized]);
      assert.equal(status.code, Status.INVALID_ARGUMENT);
      assert.match(status.details, /data: at most 1048576 bytes/);
      const withError = await rawStream(server.address, 'PutBlocks', [encodeBlockFrame({ cid: cid(1), error: 'INTERNAL' })]);
      assert.equal(withError.code, Status.INVALID_ARGUMENT);
    });

    it('a slow handler holds the writer back (bytes in flight stay bounded); what queued meanwhile is committed in batches', async (t) => {
      const gate = deferred();
      const batches: number[] = [];
      swap(t, undefined, async (blocks) => {
        batches.push(blocks.length);
        if (batches.length === 1) await gate.promise;
        return blocks.map(ack);
      });
      logger.entries.length = 0;
      const writer = transport(t).openBlockWriter(server.address) as GrpcBlockWriter;
      const count = 160;
      const blocks = Array.from({ length: count }, (_, i) => put(i, MIB));
      const puts = blocks.map((b) => writer.put(b, { deadlineMs: 60_000 }));
      // The server stops reading once it holds MAX_QUEUED_PUT_BYTES, and the writer then holds puts back.
      await waitFor(() => logger.entries.some((e) => e.msg === 'block stream paused') && writer.waitingPuts > 0, { what: 'back-pressure' });
      // What can be in flight: the server's queue, grpc-js buffers (16 messages each side), the HTTP/2 window.
      const bound = MAX_QUEUED_PUT_BYTES + FLOW_CONTROL_WINDOW_BYTES + 2 * 16 * MIB + 2 * MIB;
      assert.ok(writer.inFlightBytes <= bound, `${writer.inFlightBytes / MIB} MiB in flight`);
      gate.resolve();
      assert.deepEqual(await Promise.all(puts), blocks.map(ack));
      t.diagnostic(`peak in flight ${writer.peakInFlightBytes / MIB} MiB of ${count} MiB sent, bound ${bound / MIB} MiB`);
      assert.ok(writer.peakInFlightBytes <= bound, `peak ${writer.peakInFlightBytes / MIB} MiB`);
      assert.equal(writer.inFlightBytes, 0);
      // The server held more than MAX_QUEUED_PUT_BYTES when the first commit ended: the next one
      // takes a full batch, bounded by MAX_PUT_BATCH_BYTES.
      assert.equal(batches[1], MAX_PUT_BATCH_BYTES / MIB, `batches ${batches.join(', ')}`);
      assert.equal(batches.reduce((a, b) => a + b, 0), count);
    });

    it('close() half-closes once everything is acked; close(true) cancels and the handler sees it', async (t) => {
      const tr = transport(t);
      const writer = tr.openBlockWriter(server.address);
      const puts = [writer.put(put(1)), writer.put(put(2))];
      writer.close();
      assert.equal(writer.closed, true);
      await rejectsWithCode(writer.put(put(3)), 'ABORTED', /closing/);
      assert.deepEqual(await Promise.all(puts), [ack(put(1)), ack(put(2))]);

      const started = deferred();
      const aborted = deferred();
      swap(t, undefined, (_blocks, { signal }) => {
        signal.addEventListener('abort', () => aborted.resolve(), { once: true });
        started.resolve();
        return new Promise(() => {});
      });
      const other = tr.openBlockWriter(server.address);
      const pending = other.put(put(4));
      await started.promise;
      other.close(true);
      await rejectsWithCode(pending, 'ABORTED');
      await aborted.promise;
    });

    it("a put's own signal rejects it; the stream and the other puts go on", async (t) => {
      const gate = deferred();
      swap(t, undefined, async (blocks) => {
        await gate.promise;
        return blocks.map(ack);
      });
      const writer = transport(t).openBlockWriter(server.address);
      const controller = new AbortController();
      const first = writer.put(put(1));
      const mine = writer.put(put(2), { signal: controller.signal });
      const last = writer.put(put(3));
      controller.abort();
      await rejectsWithCode(mine, 'ABORTED');
      gate.resolve();
      assert.deepEqual(await first, ack(put(1)));
      assert.deepEqual(await last, ack(put(3)));
    });

    it('a stalled ack: DEADLINE_EXCEEDED for every pending put, stream closed', async (t) => {
      swap(t, undefined, () => new Promise(() => {}));
      const writer = transport(t).openBlockWriter(server.address);
      const a = writer.put(put(1), { deadlineMs: 200 });
      const b = writer.put(put(2));
      await rejectsWithCode(a, 'DEADLINE_EXCEEDED', /not acknowledged/);
      await rejectsWithCode(b, 'DEADLINE_EXCEEDED');
      assert.equal(writer.closed, true);
    });

    it('a peer that acks another block: INVALID_ARGUMENT, stream closed', async (t) => {
      const peer = await rawServer({
        putBlocks: (call) => call.on('data', () => call.write({ cid: cid(9), stored: true, error: '', message: '' })),
      });
      t.after(() => peer.stop());
      const writer = transport(t).openBlockWriter(peer.address);
      await rejectsWithCode(writer.put(put(1)), 'INVALID_ARGUMENT', new RegExp(`acknowledged ${cid(9)} when ${cid(1)} was next`));
      assert.equal(writer.closed, true);
    });
  });

  describe('the channel under the streams', () => {
    it('an open stream keeps its channel from the idle sweep; a closed one lets it go', async (t) => {
      const clock = new ManualClock(1_000);
      const tr = transport(t, { clock, idleChannelMs: 60_000 });
      const reader = tr.openBlockReader(server.address);
      const writer = tr.openBlockWriter(server.address);
      await reader.get(cid(1000));
      await clock.advance(200_000);
      assert.equal(tr.channelCount, 1);
      assert.deepEqual(await reader.get(cid(1001)), handler.blocks.get(cid(1001)));
      reader.close();
      await clock.advance(200_000);
      assert.equal(tr.channelCount, 1, 'the writer still uses it');
      writer.close(true);
      await clock.advance(200_000);
      assert.equal(tr.channelCount, 0);
    });

    it('closing the transport aborts open streams; later streams are closed from the start', async (t) => {
      swap(t, () => new Promise(() => {}));
      const tr = transport(t);
      const reader = tr.openBlockReader(server.address);
      const pending = reader.get(cid(1));
      await tr.close();
      await rejectsWithCode(pending, 'ABORTED');
      const late = tr.openBlockReader(server.address);
      assert.equal(late.closed, true);
      await rejectsWithCode(late.get(cid(1)), 'ABORTED', /transport closed/);
      await rejectsWithCode(tr.openBlockWriter(server.address).put(put(1)), 'ABORTED');
    });

    it('a bad address gives a closed stream, not a throw', async (t) => {
      const reader = transport(t).openBlockReader('');
      assert.equal(reader.closed, true);
      await rejectsWithCode(reader.get(cid(1)), 'INVALID_ARGUMENT');
    });

    it('a peer without the block streams: METHOD_NOT_ALLOWED', async (t) => {
      const { readBlock: _read, writeBlocks: _write, ...withoutStreams } = sampleContentHandler();
      const contentOnly = await startTestServer([contentServiceBinding(withoutStreams as unknown as ContentHandler)]);
      const routingOnly = await startTestServer([routingServiceBinding(sampleHandler())]);
      t.after(() => Promise.all([contentOnly.stop({ graceMs: 100 }), routingOnly.stop({ graceMs: 100 })]));
      const tr = transport(t);
      for (const peer of [contentOnly, routingOnly]) {
        await rejectsWithCode(tr.openBlockReader(peer.address).get(cid(1)), 'METHOD_NOT_ALLOWED');
        await rejectsWithCode(tr.openBlockWriter(peer.address).put(put(1)), 'METHOD_NOT_ALLOWED');
      }
    });

    it('a stopping server drains its streams: what it read is answered, then they end; the stop does not wait for its grace period', async (t) => {
      const reading = deferred();
      const gate = deferred();
      const base = sampleContentHandler();
      const stopping = await startTestServer([
        contentServiceBinding({ ...base, readBlock: async () => (reading.resolve(), await gate.promise, bytes(10)) }),
      ]);
      const tr = transport(t);
      const reader = tr.openBlockReader(stopping.address);
      const writer = tr.openBlockWriter(stopping.address);
      assert.deepEqual(await writer.put(put(1)), ack(put(1)));
      const pending = reader.get(cid(1));
      await reading.promise;
      const started = Date.now();
      const stopped = stopping.stop({ graceMs: 60_000 });
      gate.resolve();
      assert.deepEqual(await pending, bytes(10));
      await stopped;
      assert.ok(Date.now() - started < 10_000, `stopped in ${Date.now() - started} ms`);
      await rejectsWithCode(reader.get(cid(2)), 'UNAVAILABLE');
      await rejectsWithCode(writer.put(put(2)), 'UNAVAILABLE');
    });

    it("the reader's own signal closes it", async (t) => {
      swap(t, () => new Promise(() => {}));
      const controller = new AbortController();
      const reader = transport(t).openBlockReader(server.address, { signal: controller.signal });
      const pending = reader.get(cid(1));
      controller.abort();
      await rejectsWithCode(pending, 'ABORTED');
      assert.equal(reader.closed, true);
    });
  });
});
