import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CorruptBlockError, PeerweaveError, ResourceExhaustedError, SeededRandom, type ErrorCode } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { BlockPut, BlockPutAck, BlockStreamHandler } from '../block-streams/block-stream-messages.ts';
import { MAX_BLOCK_BYTES } from '../content/content-codec.ts';
import { bytes, cid, sampleContentHandler } from '../content/content-test-messages.ts';
import { MemoryNetwork } from './memory-network.ts';
import type { MemoryHandler, MemoryNetworkInit } from './memory-network-types.ts';
import type { PeerCallContext } from '../service-types.ts';
import { sampleHandler } from '../routing/routing-test-messages.ts';
import { deferred } from '../test-support.ts';

function setup(init: Partial<MemoryNetworkInit> = {}) {
  const clock = new ManualClock(0);
  const network = new MemoryNetwork({ clock, random: new SeededRandom(7), defaultDeadlineMs: 1_000, latencyMs: 1, ...init });
  return { clock, network };
}

/** A promise's state without awaiting it. */
function track<T>(promise: Promise<T>): { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } {
  const t: { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = { state: 'pending' };
  promise.then(
    (value) => Object.assign(t, { state: 'resolved', value }),
    (error: unknown) => Object.assign(t, { state: 'rejected', error }),
  );
  return t;
}

function assertCode(error: unknown, code: ErrorCode, message?: RegExp): void {
  assert.ok(error instanceof PeerweaveError, `expected a PeerweaveError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  if (message !== undefined) assert.match(error.message, message);
}

function put(n: number, size = 100): BlockPut {
  return { cid: cid(n), data: bytes(size, n % 256), roots: [cid(0)], hintFor: '' };
}

function ack(block: BlockPut): BlockPutAck {
  return { cid: block.cid, stored: true, error: '', message: '' };
}

/** A storage node holding blocks 1000..1063, whose readBlock and writeBlocks each test may replace. */
function storage(overrides: Partial<BlockStreamHandler> = {}): MemoryHandler & { blocks: Map<string, Uint8Array> } {
  const base = sampleContentHandler();
  for (let i = 0; i < 64; i++) base.blocks.set(cid(1000 + i), bytes(200 + i, i));
  return { ...base, ...overrides };
}

describe('MemoryNetwork block streams: reads', () => {
  it('answers a window of 32 wants in order, whatever order the reads finish in', async () => {
    const { clock, network } = setup();
    const b = storage();
    network.listen('b', {
      ...b,
      readBlock: async (c, context) => {
        await clock.sleep(1 + (Number.parseInt(c.slice(7, 11), 32) % 5));
        return b.blocks.get(c) ?? (await sampleContentHandler().readBlock(c, context));
      },
    });
    const reader = network.listen('a', sampleHandler()).transport.openBlockReader('b');
    const cids = Array.from({ length: 32 }, (_, i) => cid(1000 + i));
    const settled: string[] = [];
    const gets = cids.map((c) => track(reader.get(c).then((data) => (settled.push(c), data))));
    await clock.advance(10);
    assert.deepEqual(settled, cids);
    for (let i = 0; i < 32; i++) assert.equal(gets[i]!.value, b.blocks.get(cids[i]!), 'by reference');
  });

  it('not found is undefined; a handler error rejects that get only; the stream goes on', async () => {
    const { clock, network } = setup();
    const b = storage();
    network.listen('b', {
      ...b,
      readBlock: async (c, context) => {
        if (c === cid(7)) throw new ResourceExhaustedError('busy');
        if (c === cid(8)) throw new Error('secret detail');
        return b.readBlock!(c, context);
      },
    });
    const reader = network.listen('a', sampleHandler()).transport.openBlockReader('b');
    const [missing, busy, broken, found] = [cid(99), cid(7), cid(8), cid(1000)].map((c) => track(reader.get(c)));
    await clock.advance(2);
    assert.equal(missing!.state, 'resolved');
    assert.equal(missing!.value, undefined);
    assertCode(busy!.error, 'RESOURCE_EXHAUSTED', /busy/);
    assertCode(broken!.error, 'INTERNAL', /^internal error$/);
    assert.equal(found!.value, b.blocks.get(cid(1000)));
    assert.equal(reader.closed, false);
  });

  it('a stalled want: DEADLINE_EXCEEDED for every pending get, the handler signal aborts, a new reader works', async () => {
    const { clock, network } = setup();
    const b = storage();
    const contexts: PeerCallContext[] = [];
    network.listen('b', {
      ...b,
      readBlock: (c, context) => {
        if (c !== cid(5)) return b.readBlock!(c, context);
        contexts.push(context);
        return new Promise(() => {});
      },
    });
    const a = network.listen('a', sampleHandler()).transport;
    const reader = a.openBlockReader('b');
    const stalled = track(reader.get(cid(5), { deadlineMs: 50 }));
    const behind = track(reader.get(cid(1000)));
    await clock.advance(49);
    assert.equal(stalled.state, 'pending');
    assert.equal(contexts[0]!.signal.aborted, false);
    await clock.advance(1);
    assertCode(stalled.error, 'DEADLINE_EXCEEDED');
    assertCode(behind.error, 'DEADLINE_EXCEEDED');
    assert.equal(reader.closed, true);
    assert.equal(contexts[0]!.signal.aborted, true, 'the stream ended: its handler signal aborts');
    const again = track(a.openBlockReader('b').get(cid(1000)));
    await clock.advance(2);
    assert.equal(again.value, b.blocks.get(cid(1000)));
    assert.equal(network.callsInFlight, 0);
  });

  it("close() and a get's own signal close the stream; the handler's signal aborts", async () => {
    const { clock, network } = setup();
    const contexts: PeerCallContext[] = [];
    network.listen('b', storage({ readBlock: (_c, context) => (contexts.push(context), new Promise(() => {})) }));
    const a = network.listen('a', sampleHandler()).transport;
    const reader = a.openBlockReader('b');
    const first = track(reader.get(cid(1)));
    await clock.advance(1);
    reader.close();
    await clock.advance(0);
    assertCode(first.error, 'ABORTED');
    assert.equal(contexts[0]!.signal.aborted, true);

    const other = a.openBlockReader('b');
    const controller = new AbortController();
    const mine = track(other.get(cid(1), { signal: controller.signal }));
    const next = track(other.get(cid(2)));
    controller.abort();
    await clock.advance(0);
    assertCode(mine.error, 'ABORTED');
    assertCode(next.error, 'ABORTED');
    assert.equal(other.closed, true);
  });

  it('a node that does not serve blocks: METHOD_NOT_ALLOWED, the stream closed', async () => {
    const { clock, network } = setup();
    network.listen('b', sampleHandler());
    const reader = network.listen('a', sampleHandler()).transport.openBlockReader('b');
    const get = track(reader.get(cid(1)));
    await clock.advance(2);
    assertCode(get.error, 'METHOD_NOT_ALLOWED');
    assert.equal(reader.closed, true);
  });

  it('with validateMessages: a bad CID is refused at the caller, an oversized answer is INTERNAL', async () => {
    const { clock, network } = setup({ validateMessages: true });
    network.listen('b', storage({ readBlock: async () => bytes(MAX_BLOCK_BYTES + 1) }));
    const reader = network.listen('a', sampleHandler()).transport.openBlockReader('b');
    await assert.rejects(reader.get('not a cid'), (err: unknown) => (assertCode(err, 'INVALID_ARGUMENT'), true));
    const big = track(reader.get(cid(1)));
    await clock.advance(2);
    assertCode(big.error, 'INTERNAL');
    assert.equal(reader.closed, false);
  });
});

describe('MemoryNetwork block streams: writes', () => {
  it('puts delivered together are committed together; acks in order, none before the commit resolved', async () => {
    const { clock, network } = setup();
    const batches: BlockPut[][] = [];
    const gate = deferred();
    network.listen('b', storage({
      writeBlocks: async (blocks) => {
        batches.push([...blocks]);
        if (batches.length === 1) await gate.promise;
        return blocks.map(ack);
      },
    }));
    const writer = network.listen('a', sampleHandler()).transport.openBlockWriter('b');
    const blocks = Array.from({ length: 10 }, (_, i) => put(i));
    const order: string[] = [];
    const puts = blocks.map((b) => track(writer.put(b).then((a) => (order.push(a.cid), a))));
    await clock.advance(1);
    assert.deepEqual(batches.map((b) => b.length), [10], 'one group commit for the puts that arrived together');
    assert.equal(batches[0]![3], blocks[3], 'blocks by reference');
    const later = track(writer.put(put(10)).then((a) => (order.push(a.cid), a)));
    await clock.advance(5);
    assert.deepEqual(order, [], 'no ack before writeBlocks resolved');
    gate.resolve();
    await clock.advance(1);
    assert.deepEqual(order, [...blocks, put(10)].map((b) => b.cid));
    assert.deepEqual(puts.map((p) => p.value), blocks.map(ack));
    assert.deepEqual(later.value, ack(put(10)));
    assert.deepEqual(batches.map((b) => b.length), [10, 1]);
  });

  it('an error ack resolves; a failed commit acks each block with its error; the stream goes on', async () => {
    const { clock, network } = setup();
    network.listen('b', storage({
      writeBlocks: async (blocks) => {
        if (blocks[0]!.cid === cid(2)) throw new ResourceExhaustedError('disk full');
        return blocks.map((b) => (b.cid === cid(1) ? { cid: b.cid, stored: false, error: 'CORRUPT_BLOCK', message: new CorruptBlockError('bad').message } : ack(b)));
      },
    }));
    const writer = network.listen('a', sampleHandler()).transport.openBlockWriter('b');
    const one = track(writer.put(put(1)));
    await clock.advance(2);
    const two = track(writer.put(put(2)));
    await clock.advance(2);
    assert.deepEqual(one.value, { cid: cid(1), stored: false, error: 'CORRUPT_BLOCK', message: 'bad' });
    assert.deepEqual(two.value, { cid: cid(2), stored: false, error: 'RESOURCE_EXHAUSTED', message: 'disk full' });
  });

  it('acks the handler got wrong end the stream with INTERNAL', async () => {
    const { clock, network } = setup();
    network.listen('b', storage({ writeBlocks: async () => [] }));
    const writer = network.listen('a', sampleHandler()).transport.openBlockWriter('b');
    const p = track(writer.put(put(1)));
    await clock.advance(2);
    assertCode(p.error, 'INTERNAL');
    assert.equal(writer.closed, true);
  });

  it("close() ends once all are acked; close(true) cancels: the handler's signal aborts", async () => {
    const { clock, network } = setup();
    const contexts: PeerCallContext[] = [];
    const gate = deferred();
    network.listen('b', storage({
      writeBlocks: async (blocks, context) => {
        contexts.push(context);
        await gate.promise;
        return blocks.map(ack);
      },
    }));
    const a = network.listen('a', sampleHandler()).transport;
    const writer = a.openBlockWriter('b');
    const p = track(writer.put(put(1)));
    writer.close();
    assert.equal(writer.closed, true);
    await assert.rejects(writer.put(put(2)), (err: unknown) => (assertCode(err, 'ABORTED'), true));
    await clock.advance(1);
    gate.resolve();
    await clock.advance(1);
    assert.deepEqual(p.value, ack(put(1)));
    assert.equal(contexts[0]!.signal.aborted, true, 'the stream ended after its last ack');

    const other = a.openBlockWriter('b');
    network.listen('c', storage({ writeBlocks: (_b, context) => (contexts.push(context), new Promise(() => {})) }));
    const third = a.openBlockWriter('c');
    const pending = track(third.put(put(3)));
    await clock.advance(1);
    third.close(true);
    await clock.advance(0);
    assertCode(pending.error, 'ABORTED');
    assert.equal(contexts[1]!.signal.aborted, true);
    other.close();
  });

  it("a put's own signal rejects it; the others go on", async () => {
    const { clock, network } = setup();
    network.listen('b', storage());
    const writer = network.listen('a', sampleHandler()).transport.openBlockWriter('b');
    const controller = new AbortController();
    const first = track(writer.put(put(1)));
    const mine = track(writer.put(put(2), { signal: controller.signal }));
    const last = track(writer.put(put(3)));
    controller.abort();
    await clock.advance(2);
    assertCode(mine.error, 'ABORTED');
    assert.deepEqual(first.value, ack(put(1)));
    assert.deepEqual(last.value, ack(put(3)));
    assert.equal(writer.closed, false);
  });
});

describe('MemoryNetwork block streams: faults', () => {
  it('a kill mid-stream: UNAVAILABLE for every pending item, the stream closed, the handler signal aborted', async () => {
    const { clock, network } = setup({ latencyMs: 5 });
    const contexts: PeerCallContext[] = [];
    network.listen('b', storage({
      readBlock: (_c, context) => (contexts.push(context), new Promise(() => {})),
      writeBlocks: () => new Promise(() => {}),
    }));
    const a = network.listen('a', sampleHandler()).transport;
    const reader = a.openBlockReader('b');
    const gets = [track(reader.get(cid(1))), track(reader.get(cid(2)))];
    const writer = a.openBlockWriter('b');
    const p = track(writer.put(put(1)));
    await clock.advance(5);
    network.kill('b');
    assert.equal(contexts[0]!.signal.aborted, true);
    await clock.advance(5);
    for (const g of gets) assertCode(g.error, 'UNAVAILABLE');
    assertCode(p.error, 'UNAVAILABLE');
    assert.equal(reader.closed, true);
    assert.equal(writer.closed, true);
  });

  it('a kill while the stream is idle: the next item fails UNAVAILABLE, also after a restart', async () => {
    const { clock, network } = setup();
    const b = storage();
    network.listen('b', b);
    const a = network.listen('a', sampleHandler()).transport;
    const reader = a.openBlockReader('b');
    const first = track(reader.get(cid(1000)));
    await clock.advance(2);
    assert.equal(first.state, 'resolved');
    network.kill('b');
    network.listen('b', b);
    const next = track(reader.get(cid(1000)));
    await clock.advance(2);
    assertCode(next.error, 'UNAVAILABLE');
    const fresh = track(a.openBlockReader('b').get(cid(1000)));
    await clock.advance(2);
    assert.equal(fresh.state, 'resolved');
  });

  it('an address no one listens on: UNAVAILABLE', async () => {
    const { clock, network } = setup();
    const reader = network.listen('a', sampleHandler()).transport.openBlockReader('nowhere');
    const get = track(reader.get(cid(1)));
    await clock.advance(2);
    assertCode(get.error, 'UNAVAILABLE');
  });

  it('a partition breaks the stream with UNAVAILABLE (not a deadline)', async () => {
    const { clock, network } = setup({ latencyMs: 5 });
    const gate = deferred();
    const b = storage();
    network.listen('b', { ...b, readBlock: async (c, context) => (await gate.promise, b.readBlock!(c, context)) });
    const reader = network.listen('a', sampleHandler()).transport.openBlockReader('b');
    const get = track(reader.get(cid(1000)));
    const behind = track(reader.get(cid(1001)));
    await clock.advance(5);
    network.partition(['a'], ['b']);
    gate.resolve();
    await clock.advance(5);
    assertCode(get.error, 'UNAVAILABLE', /partitioned/);
    assertCode(behind.error, 'UNAVAILABLE');
    network.heal();
  });

  it('a pause holds the items; resume delivers them', async () => {
    const { clock, network } = setup();
    const b = storage();
    network.listen('b', b);
    const writer = network.listen('a', sampleHandler()).transport.openBlockWriter('b');
    network.pause('b');
    const p = track(writer.put(put(1)));
    await clock.advance(10);
    assert.equal(p.state, 'pending');
    assert.equal(b.blocks.has(cid(1)), false);
    network.resume('b');
    await clock.advance(2);
    assert.deepEqual(p.value, ack(put(1)));
    assert.deepEqual(b.blocks.get(cid(1)), put(1).data);
  });

  it('loss: the item meets its deadline, DEADLINE_EXCEEDED; streams are never duplicated', async () => {
    const { clock, network } = setup();
    let reads = 0;
    const b = storage();
    network.listen('b', { ...b, readBlock: (c, context) => (reads++, b.readBlock!(c, context)) });
    const a = network.listen('a', sampleHandler()).transport;
    network.setDuplicate(1);
    const once = track(a.openBlockReader('b').get(cid(1000)));
    await clock.advance(2);
    assert.equal(once.state, 'resolved');
    assert.equal(reads, 1, 'one connection: no duplicate wants');
    network.setDuplicate(0);
    network.setLoss(1);
    const lost = track(a.openBlockReader('b').get(cid(1000), { deadlineMs: 30 }));
    await clock.advance(30);
    assertCode(lost.error, 'DEADLINE_EXCEEDED');
  });

  it("the caller's transport closing aborts its streams", async () => {
    const { clock, network } = setup();
    network.listen('b', storage({ readBlock: () => new Promise(() => {}) }));
    const a = network.listen('a', sampleHandler()).transport;
    const reader = a.openBlockReader('b');
    const get = track(reader.get(cid(1)));
    await a.close();
    await clock.advance(0);
    assertCode(get.error, 'ABORTED');
    await assert.rejects(a.openBlockReader('b').get(cid(1)), (err: unknown) => (assertCode(err, 'ABORTED'), true));
  });

  it('counts stream messages in stats', async () => {
    const { clock, network } = setup();
    network.listen('b', storage());
    const a = network.listen('a', sampleHandler()).transport;
    const reader = a.openBlockReader('b');
    await Promise.all([clock.advance(2), reader.get(cid(1000)), reader.get(cid(1001))]);
    const writer = a.openBlockWriter('b');
    await Promise.all([clock.advance(2), writer.put(put(1))]);
    assert.deepEqual(network.stats().byMethod.getBlocks, { sent: 4, delivered: 4, dropped: 0 });
    assert.deepEqual(network.stats().byMethod.putBlocks, { sent: 2, delivered: 2, dropped: 0 });
  });
});

describe('MemoryNetwork block streams: scale', () => {
  it('1 000 nodes read 20 000 blocks over streams, and write 20 000', async () => {
    const NODES = 1_000;
    const { clock, network } = setup({ defaultDeadlineMs: 5_000 });
    const random = new SeededRandom(3);
    const block = bytes(64);
    let written = 0;
    const handler: MemoryHandler = {
      readBlock: async () => block,
      writeBlocks: async (blocks) => ((written += blocks.length), blocks.map(ack)),
    };
    const addresses = Array.from({ length: NODES }, (_, i) => `10.${i >> 8}.${i & 255}.1:7400`);
    const transports = addresses.map((address) => network.listen(address, handler).transport);
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < NODES; i++) {
      const peer = addresses[random.int(NODES)]!;
      const reader = transports[i]!.openBlockReader(peer);
      const writer = transports[i]!.openBlockWriter(peer);
      for (let j = 0; j < 20; j++) {
        pending.push(reader.get(cid(j)));
        pending.push(writer.put({ cid: cid(j), data: block, roots: [], hintFor: '' }));
      }
    }
    await clock.advance(2);
    assert.equal((await Promise.all(pending)).length, 40 * NODES);
    assert.equal(written, 20 * NODES);
    assert.equal(network.callsInFlight, 0);
    assert.ok(clock.pending <= 4, `a handful of timers (${clock.pending})`);
  });
});
