import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeadlineExceededError, NotFoundError, PeerweaveError, SeededRandom, type ErrorCode } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { CONTENT_METHODS, MAX_BLOCK_BYTES } from '../content/content-codec.ts';
import { bytes, cid, CONTENT_SAMPLES, sampleContentHandler } from '../content/content-test-messages.ts';
import { MemoryNetwork } from './memory-network.ts';
import type { MemoryNetworkInit } from './memory-network-types.ts';
import type { PeerCallContext } from '../service-types.ts';
import type { PingRequest, PingResponse, RoutingHandler } from '../routing/routing-messages.ts';
import { ALICE, BOB, contact, PING, PING_RESPONSE, sampleHandler, SAMPLES } from '../routing/routing-test-messages.ts';
import { SEARCH_METHODS } from '../search/search-codec.ts';
import { QUERY, SEARCH_SAMPLES, sampleSearchHandler } from '../search/search-test-messages.ts';

function setup(init: Partial<MemoryNetworkInit> = {}) {
  const clock = new ManualClock(0);
  const network = new MemoryNetwork({ clock, random: new SeededRandom(7), defaultDeadlineMs: 1_000, latencyMs: 1, ...init });
  return { clock, network };
}

/** A promise's state without awaiting it: 'pending', or its outcome once settled. */
function track<T>(promise: Promise<T>): { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } {
  const t: { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = { state: 'pending' };
  promise.then(
    (value) => Object.assign(t, { state: 'resolved', value }),
    (error: unknown) => Object.assign(t, { state: 'rejected', error }),
  );
  return t;
}

function assertCode(error: unknown, code: ErrorCode): void {
  assert.ok(error instanceof PeerweaveError, `expected a PeerweaveError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
}

/** A handler whose ping never answers and records each context it was given. */
function stuckHandler(): RoutingHandler & { contexts: PeerCallContext[] } {
  const contexts: PeerCallContext[] = [];
  return {
    ...sampleHandler(),
    contexts,
    ping: (_request, context) => {
      contexts.push(context);
      return new Promise<PingResponse>(() => {});
    },
  };
}

describe('MemoryNetwork: delivery', () => {
  it('delivers after the one-way latency and answers after as long again', async () => {
    const { clock, network } = setup({ latencyMs: 5 });
    const arrivals: number[] = [];
    network.listen('b', { ...sampleHandler(), ping: async () => (arrivals.push(clock.now()), PING_RESPONSE) });
    const a = network.listen('a', sampleHandler());
    const call = track(a.transport.request('b', 'ping', PING));
    await clock.advance(4);
    assert.deepEqual(arrivals, []);
    await clock.advance(1);
    assert.deepEqual(arrivals, [5]);
    await clock.advance(4);
    assert.equal(call.state, 'pending');
    await clock.advance(1);
    assert.equal(call.state, 'resolved');
    assert.equal(call.value, PING_RESPONSE, 'passed by reference');
  });

  it('passes the request by reference and answers every method', async () => {
    const { network } = setup({ latencyMs: 0 });
    const handler = sampleHandler();
    network.listen('b', handler);
    const a = network.listen('a', sampleHandler());
    for (const [method, { request, response }] of Object.entries(SAMPLES)) {
      assert.equal(await a.transport.request('b', method as 'ping', request as PingRequest), response);
    }
    assert.equal(handler.received[0]?.request, SAMPLES.ping.request);
  });

  it('with no latency, answers on microtasks without the clock moving', async () => {
    const { clock, network } = setup({ latencyMs: 0 });
    network.listen('b', sampleHandler());
    const a = network.listen('a', sampleHandler());
    assert.deepEqual(await a.transport.request('b', 'ping', PING), PING_RESPONSE);
    assert.equal(clock.now(), 0);
  });

  it('takes the latency per direction from a function, changeable at run time', async () => {
    const { clock, network } = setup({ latencyMs: (from, to) => (from === 'a' && to === 'b' ? 10 : 3) });
    network.listen('b', sampleHandler());
    const a = network.listen('a', sampleHandler());
    const first = track(a.transport.request('b', 'ping', PING));
    await clock.advance(12);
    assert.equal(first.state, 'pending');
    await clock.advance(1);
    assert.equal(first.state, 'resolved');
    network.setDelay(2);
    const second = track(a.transport.request('b', 'ping', PING));
    await clock.advance(4);
    assert.equal(second.state, 'resolved');
  });

  it("maps a handler's error as gRPC would", async () => {
    const { clock, network } = setup();
    const handler = sampleHandler();
    network.listen('b', handler);
    const a = network.listen('a', sampleHandler());
    handler.ping = async () => {
      throw new NotFoundError('nothing here');
    };
    const typed = track(a.transport.request('b', 'ping', PING));
    handler.findNode = async () => {
      throw new TypeError('bug');
    };
    const bug = track(a.transport.request('b', 'findNode', SAMPLES.findNode.request));
    await clock.advance(2);
    assertCode(typed.error, 'NOT_FOUND');
    assertCode(bug.error, 'INTERNAL');
    assert.equal((bug.error as Error).message, 'internal error');
  });

  it('validates messages as the wire would when asked to', async () => {
    const { clock, network } = setup({ validateMessages: true });
    const handler = sampleHandler();
    network.listen('b', handler);
    const a = network.listen('a', sampleHandler());
    await assert.rejects(a.transport.request('b', 'ping', { ...PING, target: 'short' }), (e) => (assertCode(e, 'INVALID_ARGUMENT'), true));
    handler.ping = async () => ({ ...PING_RESPONSE, sender: { ...BOB, address: '' } });
    const bad = track(a.transport.request('b', 'ping', PING));
    await clock.advance(2);
    assertCode(bad.error, 'INTERNAL');
  });

  it('with the codec on, each end gets what the wire would give it: equal values, new objects, protocol fields only', async () => {
    const { clock, network } = setup({ codec: true });
    let seen: PingRequest | undefined;
    network.listen('b', { ...sampleHandler(), ping: async (request: PingRequest) => ((seen = request), { ...PING_RESPONSE, extra: 'not on the wire' } as PingResponse) });
    const a = network.listen('a', sampleHandler());
    const pong = track(a.transport.request('b', 'ping', { ...PING, sender: { ...PING.sender, idBytes: new Uint8Array(32) } } as PingRequest));
    await clock.advance(2);
    assert.deepEqual(seen, PING);
    assert.notEqual(seen, PING);
    assert.deepEqual(pong.value, PING_RESPONSE);
    assert.notEqual(pong.value, PING_RESPONSE);
    // It checks as validateMessages does.
    await assert.rejects(a.transport.request('b', 'ping', { ...PING, target: 'short' }), (e) => (assertCode(e, 'INVALID_ARGUMENT'), true));
  });
});

describe('MemoryNetwork: content methods', () => {
  it('dispatches every content method to a node serving both services, and counts each', async () => {
    const { clock, network } = setup();
    const content = sampleContentHandler();
    network.listen('b', { ...sampleHandler(), ...content });
    const a = network.listen('a', sampleHandler());
    for (const method of CONTENT_METHODS) {
      const { request, response } = CONTENT_SAMPLES[method];
      const call = track(a.transport.request('b', method, request as never));
      await clock.advance(2);
      assert.equal(call.state, 'resolved', method);
      assert.equal(call.value, response, `${method}: passed by reference`);
    }
    assert.deepEqual(
      content.received.map((r) => r.method),
      CONTENT_METHODS,
    );
    assert.equal(content.received[0]?.request, CONTENT_SAMPLES.putBlock.request);
    const stats = network.stats();
    for (const method of CONTENT_METHODS) assert.deepEqual(stats.byMethod[method], { sent: 2, delivered: 2, dropped: 0 }, method);
    assert.deepEqual(stats.total, { sent: 2 * CONTENT_METHODS.length, delivered: 2 * CONTENT_METHODS.length, dropped: 0 });
    const pong = track(a.transport.request('b', 'ping', PING));
    await clock.advance(2);
    assert.equal(pong.value, PING_RESPONSE);
  });

  it('a node that lacks a method answers METHOD_NOT_ALLOWED, as gRPC answers UNIMPLEMENTED', async () => {
    const { clock, network } = setup();
    network.listen('routing-only', sampleHandler());
    network.listen('content-only', sampleContentHandler());
    const a = network.listen('a', sampleHandler());
    const block = track(a.transport.request('routing-only', 'getBlock', { cid: cid(1) }));
    const ping = track(a.transport.request('content-only', 'ping', PING));
    const served = track(a.transport.request('content-only', 'hasBlocks', CONTENT_SAMPLES.hasBlocks.request));
    await clock.advance(2);
    assertCode(block.error, 'METHOD_NOT_ALLOWED');
    assert.match((block.error as Error).message, /routing-only does not serve getBlock/);
    assertCode(ping.error, 'METHOD_NOT_ALLOWED');
    assert.equal(served.value, CONTENT_SAMPLES.hasBlocks.response);
    assert.deepEqual(network.stats().byMethod.getBlock, { sent: 2, delivered: 2, dropped: 0 }, 'the refusal is an answer');
  });

  it('validates content messages as the wire would when asked to', async () => {
    const { clock, network } = setup({ validateMessages: true });
    const content = sampleContentHandler();
    network.listen('b', content);
    const a = network.listen('a', sampleHandler());
    const tooBig = { cid: cid(1), data: bytes(MAX_BLOCK_BYTES + 1), roots: [], hintFor: '' };
    await assert.rejects(a.transport.request('b', 'putBlock', tooBig), (e) => (assertCode(e, 'INVALID_ARGUMENT'), true));
    await assert.rejects(a.transport.request('b', 'getBlock', { cid: 'not/a/cid' }), (e) => (assertCode(e, 'INVALID_ARGUMENT'), true));
    assert.deepEqual(content.received, [], 'refused before it left');
    content.getBlock = async () => ({ found: false, data: bytes(3) });
    const bad = track(a.transport.request('b', 'getBlock', { cid: cid(1) }));
    await clock.advance(2);
    assertCode(bad.error, 'INTERNAL');
  });
});

describe('MemoryNetwork: search methods', () => {
  it("dispatches every search method to the handler, with the caller's address as context.peer", async () => {
    const { clock, network } = setup();
    const search = sampleSearchHandler();
    network.listen('b', { ...sampleHandler(), ...search });
    const a = network.listen('10.0.0.1:7400', sampleHandler());
    for (const method of SEARCH_METHODS) {
      const { request, response } = SEARCH_SAMPLES[method];
      const call = track(a.transport.request('b', method, request as never));
      await clock.advance(2);
      assert.equal(call.state, 'resolved', method);
      assert.equal(call.value, response, `${method}: passed by reference`);
    }
    assert.deepEqual(
      search.received.map((r) => [r.method, r.peer]),
      SEARCH_METHODS.map((m) => [m, '10.0.0.1:7400']),
    );
    assert.equal(search.received[0]?.request, SEARCH_SAMPLES.query.request);
    for (const method of SEARCH_METHODS) assert.deepEqual(network.stats().byMethod[method], { sent: 2, delivered: 2, dropped: 0 }, method);
  });

  it('context.peer names each caller, for routing methods too', async () => {
    const { clock, network } = setup();
    const peers: string[] = [];
    network.listen('b', { ...sampleHandler(), ping: async (_request, context) => (peers.push(context.peer), PING_RESPONSE) });
    const a = network.listen('a', sampleHandler());
    const c = network.listen('c', sampleHandler());
    void a.transport.request('b', 'ping', PING);
    void c.transport.request('b', 'ping', PING);
    await clock.advance(2);
    assert.deepEqual(peers, ['a', 'c']);
  });

  it('a node without search answers METHOD_NOT_ALLOWED; invalid search messages are refused when validating', async () => {
    const { clock, network } = setup({ validateMessages: true });
    const search = sampleSearchHandler();
    network.listen('routing-only', sampleHandler());
    network.listen('b', search);
    const a = network.listen('a', sampleHandler());
    const query = track(a.transport.request('routing-only', 'query', QUERY));
    await clock.advance(2);
    assertCode(query.error, 'METHOD_NOT_ALLOWED');
    await assert.rejects(a.transport.request('b', 'query', { ...QUERY, text: ' ' }), (e) => (assertCode(e, 'INVALID_ARGUMENT'), true));
    const ttl = track(a.transport.request('b', 'query', { ...QUERY, ttl: 1000 }));
    await clock.advance(2);
    assert.equal(ttl.state, 'resolved', 'a TTL above the maximum is the handler’s to cut');
    assert.equal((search.received[0]?.request as typeof QUERY).ttl, 1000);
  });
});

describe('MemoryNetwork: deadlines and cancellation', () => {
  it("expiry rejects with DEADLINE_EXCEEDED and aborts the handler's signal", async () => {
    const { clock, network } = setup();
    const handler = stuckHandler();
    network.listen('b', handler);
    const a = network.listen('a', sampleHandler());
    const call = track(a.transport.request('b', 'ping', PING, { deadlineMs: 100 }));
    await clock.advance(99);
    assert.equal(call.state, 'pending');
    const signal = handler.contexts[0]?.signal;
    assert.equal(signal?.aborted, false);
    await clock.advance(1);
    assertCode(call.error, 'DEADLINE_EXCEEDED');
    assert.ok(signal.reason instanceof DeadlineExceededError);
    assert.equal(network.callsInFlight, 0);
  });

  it("the default deadline applies, and a signal read late is already aborted", async () => {
    const { clock, network } = setup({ defaultDeadlineMs: 50 });
    const handler = stuckHandler();
    network.listen('b', handler);
    const a = network.listen('a', sampleHandler());
    const call = track(a.transport.request('b', 'ping', PING));
    await clock.advance(50);
    assertCode(call.error, 'DEADLINE_EXCEEDED');
    assert.equal(handler.contexts[0]?.signal.aborted, true);
  });

  it("the caller's signal rejects the call with its abort error and aborts the handler", async () => {
    const { clock, network } = setup();
    const handler = stuckHandler();
    network.listen('b', handler);
    const a = network.listen('a', sampleHandler());
    const controller = new AbortController();
    const call = track(a.transport.request('b', 'ping', PING, { signal: controller.signal }));
    await clock.advance(1);
    controller.abort();
    await clock.advance(0);
    assertCode(call.error, 'ABORTED');
    assertCode(handler.contexts[0]?.signal.reason, 'ABORTED');
    const already = track(a.transport.request('b', 'ping', PING, { signal: controller.signal }));
    await clock.advance(0);
    assertCode(already.error, 'ABORTED');
  });

  it('an address no one listens on: UNAVAILABLE after the one-way latency', async () => {
    const { clock, network } = setup({ latencyMs: 5 });
    const a = network.listen('a', sampleHandler());
    const call = track(a.transport.request('nowhere', 'ping', PING));
    await clock.advance(9);
    assert.equal(call.state, 'pending');
    await clock.advance(1);
    assertCode(call.error, 'UNAVAILABLE');
  });
});

describe('MemoryNetwork: faults', () => {
  it('loss of 100 % ends every call at its deadline; counted as dropped', async () => {
    const { clock, network } = setup();
    network.listen('b', sampleHandler());
    const a = network.listen('a', sampleHandler());
    network.setLoss(1);
    const call = track(a.transport.request('b', 'ping', PING, { deadlineMs: 30 }));
    await clock.advance(30);
    assertCode(call.error, 'DEADLINE_EXCEEDED');
    assert.deepEqual(network.stats().byMethod.ping, { sent: 1, delivered: 0, dropped: 1 });
    network.setLoss(0);
    const next = track(a.transport.request('b', 'ping', PING));
    await clock.advance(2);
    assert.equal(next.state, 'resolved');
  });

  it('partial loss replays exactly from the same seed', async () => {
    async function run(): Promise<string> {
      const { clock, network } = setup({ random: new SeededRandom(42) });
      network.listen('b', sampleHandler());
      const a = network.listen('a', sampleHandler());
      network.setLoss(0.3);
      const calls = Array.from({ length: 50 }, () => track(a.transport.request('b', 'ping', PING, { deadlineMs: 10 })));
      await clock.advance(10);
      return calls.map((c) => (c.state === 'resolved' ? 'o' : 'x')).join('');
    }
    const first = await run();
    assert.match(first, /o/);
    assert.match(first, /x/);
    assert.equal(await run(), first);
  });

  it('duplication calls the handler twice; the caller gets the first answer', async () => {
    const { clock, network } = setup();
    let n = 0;
    const answers = [PING_RESPONSE, { ...PING_RESPONSE, sender: ALICE }];
    network.listen('b', { ...sampleHandler(), ping: async () => answers[n++]! });
    const a = network.listen('a', sampleHandler());
    network.setDuplicate(1);
    const call = track(a.transport.request('b', 'ping', PING));
    await clock.advance(2);
    assert.equal(n, 2);
    assert.equal(call.value, PING_RESPONSE);
    assert.deepEqual(network.stats().byMethod.ping, { sent: 4, delivered: 4, dropped: 0 });
  });

  it('a partition drops messages across groups only, both ways; heal restores', async () => {
    const { clock, network } = setup();
    const t = Object.fromEntries(['a', 'b', 'c', 'd'].map((x) => [x, network.listen(x, sampleHandler()).transport]));
    network.partition(['a', 'b'], ['c']);
    const calls = {
      ab: track(t['a']!.request('b', 'ping', PING, { deadlineMs: 10 })),
      ac: track(t['a']!.request('c', 'ping', PING, { deadlineMs: 10 })),
      ca: track(t['c']!.request('a', 'ping', PING, { deadlineMs: 10 })),
      cd: track(t['c']!.request('d', 'ping', PING, { deadlineMs: 10 })),
      ad: track(t['a']!.request('d', 'ping', PING, { deadlineMs: 10 })),
    };
    await clock.advance(10);
    assert.deepEqual(
      Object.fromEntries(Object.entries(calls).map(([k, c]) => [k, c.state])),
      { ab: 'resolved', ac: 'rejected', ca: 'rejected', cd: 'resolved', ad: 'resolved' },
    );
    assertCode(calls.ac.error, 'DEADLINE_EXCEEDED');
    network.heal();
    const healed = track(t['a']!.request('c', 'ping', PING));
    await clock.advance(2);
    assert.equal(healed.state, 'resolved');
  });

  it('a partition also cuts answers already on their way', async () => {
    const { clock, network } = setup({ latencyMs: 5 });
    network.listen('b', sampleHandler());
    const a = network.listen('a', sampleHandler());
    const call = track(a.transport.request('b', 'ping', PING, { deadlineMs: 100 }));
    await clock.advance(6); // delivered at 5, answer travelling
    assert.equal(network.callsInFlightWhere((c) => c.held), 0);
    network.partition(['a'], ['b']);
    assert.deepEqual(network.callsInFlightWhere((c) => c.held && c.from === 'a' && c.method === 'ping'), 1, 'the call across the cut is held');
    await clock.advance(100);
    assertCode(call.error, 'DEADLINE_EXCEEDED');
  });

  it('a paused node holds what is sent to it and what it sends; resume releases them', async () => {
    const { clock, network } = setup();
    const handler = sampleHandler();
    const b = network.listen('b', handler);
    const a = network.listen('a', sampleHandler());
    network.listen('c', sampleHandler());
    network.pause('b');
    const toB = track(a.transport.request('b', 'ping', PING, { deadlineMs: 500 }));
    const fromB = track(b.transport.request('c', 'ping', PING, { deadlineMs: 500 }));
    const late = track(a.transport.request('b', 'leave', SAMPLES.leave.request, { deadlineMs: 20 }));
    await clock.advance(100);
    assert.equal(toB.state, 'pending');
    assert.equal(fromB.state, 'pending');
    assertCode(late.error, 'DEADLINE_EXCEEDED');
    assert.deepEqual([network.callsInFlight, network.callsInFlightWhere((c) => c.held)], [2, 2], 'both calls are held by the pause');
    assert.equal(handler.received.length, 0);
    network.resume('b');
    await clock.advance(2);
    assert.equal(toB.state, 'resolved');
    assert.equal(fromB.state, 'resolved');
    assert.deepEqual(handler.received.map((r) => r.method), ['ping'], 'the expired leave is not delivered');
  });

  it('a node paused while serving holds its answer until resumed', async () => {
    const { clock, network } = setup();
    network.listen('b', { ...sampleHandler(), ping: async () => (await clock.sleep(10), PING_RESPONSE) });
    const a = network.listen('a', sampleHandler());
    const call = track(a.transport.request('b', 'ping', PING));
    await clock.advance(5); // delivered at 1, answers at 11
    network.pause('b');
    await clock.advance(50);
    assert.equal(call.state, 'pending');
    network.resume('b');
    await clock.advance(1);
    assert.equal(call.state, 'resolved');
  });

  it('kill: unreachable after, calls it served fail UNAVAILABLE, its own calls ABORTED; it can restart', async () => {
    const { clock, network } = setup();
    const handler = stuckHandler();
    const b = network.listen('b', handler);
    const a = network.listen('a', sampleHandler());
    network.listen('c', stuckHandler());
    const served = track(a.transport.request('b', 'ping', PING));
    const own = track(b.transport.request('c', 'ping', PING));
    await clock.advance(1);
    network.kill('b');
    await clock.advance(1);
    assertCode(served.error, 'UNAVAILABLE');
    assertCode(own.error, 'ABORTED');
    assertCode(handler.contexts[0]?.signal.reason, 'ABORTED');
    assert.equal(network.isRunning('b'), false);
    const after = track(a.transport.request('b', 'ping', PING));
    await clock.advance(2);
    assertCode(after.error, 'UNAVAILABLE');
    await assert.rejects(b.transport.request('a', 'ping', PING), (e) => (assertCode(e, 'ABORTED'), true));
    network.listen('b', sampleHandler());
    const restarted = track(a.transport.request('b', 'ping', PING));
    await clock.advance(2);
    assert.equal(restarted.state, 'resolved');
    assert.equal(network.callsInFlight, 0);
  });

  it("closing a listener is a kill; closing its transport only stops its calls", async () => {
    const { clock, network } = setup();
    const b = network.listen('b', sampleHandler());
    const a = network.listen('a', sampleHandler());
    await b.transport.close();
    await assert.rejects(b.transport.request('a', 'ping', PING), (e) => (assertCode(e, 'ABORTED'), true));
    const stillServes = track(a.transport.request('b', 'ping', PING));
    await clock.advance(2);
    assert.equal(stillServes.state, 'resolved');
    b.close();
    const gone = track(a.transport.request('b', 'ping', PING));
    await clock.advance(2);
    assertCode(gone.error, 'UNAVAILABLE');
  });

  it('kill: nodes that had an answer from it learn of the lost connection after the delay; partitions and pauses close none', async () => {
    const { clock, network } = setup({ latencyMs: 5 });
    network.listen('b', sampleHandler());
    const a = network.listen('a', sampleHandler());
    const c = network.listen('c', sampleHandler());
    const heard = new Map<string, string[]>([['a', []], ['c', []]]);
    for (const [name, node] of [['a', a], ['c', c]] as const) node.transport.onConnectionLost!((address) => heard.get(name)!.push(address));
    const e = network.listen('e', sampleHandler());
    e.transport.onConnectionLost!(() => assert.fail('a removed listener was called'))();
    await Promise.all([a.transport.request('b', 'ping', PING), e.transport.request('b', 'ping', PING), clock.advance(10)]);
    // c never called b: no connection to lose.
    network.partition(['a'], ['b']);
    network.pause('b');
    await clock.advance(20);
    assert.deepEqual([...heard.values()].flat(), []);
    network.resume('b');
    network.heal();
    network.kill('b');
    await clock.advance(4);
    assert.deepEqual(heard.get('a'), [], 'not before the one-way delay');
    await clock.advance(1);
    assert.deepEqual(heard.get('a'), ['b']);
    assert.deepEqual(heard.get('c'), []);
    await clock.advance(100);
    assert.deepEqual(heard.get('a'), ['b'], 'once');
  });

  it('refuses bad settings', () => {
    const { network } = setup();
    assert.throws(() => network.setLoss(1.5), /loss rate/);
    assert.throws(() => network.setDuplicate(-1), /duplicate rate/);
    assert.throws(() => network.setDelay(-1), /latency/);
    assert.throws(() => network.pause('nobody'), (e) => (assertCode(e, 'NOT_FOUND'), true));
    network.listen('x', sampleHandler());
    assert.throws(() => network.listen('x', sampleHandler()), (e) => (assertCode(e, 'ALREADY_EXISTS'), true));
  });
});

describe('MemoryNetwork: stats', () => {
  it('counts messages per method and per node, and resets', async () => {
    const { clock, network } = setup();
    network.listen('b', sampleHandler());
    const a = network.listen('a', sampleHandler());
    await Promise.all([
      a.transport.request('b', 'ping', PING),
      a.transport.request('b', 'ping', PING),
      a.transport.request('b', 'findNode', SAMPLES.findNode.request),
      clock.advance(2),
    ]);
    const unreachable = track(a.transport.request('nowhere', 'leave', SAMPLES.leave.request));
    await clock.advance(2);
    assertCode(unreachable.error, 'UNAVAILABLE');
    const stats = network.stats();
    assert.deepEqual(stats.byMethod.ping, { sent: 4, delivered: 4, dropped: 0 });
    assert.deepEqual(stats.byMethod.findNode, { sent: 2, delivered: 2, dropped: 0 });
    assert.deepEqual(stats.byMethod.leave, { sent: 1, delivered: 0, dropped: 1 });
    assert.deepEqual(stats.total, { sent: 7, delivered: 6, dropped: 1 });
    assert.deepEqual(network.nodeStats('a'), { sent: 4, received: 3 });
    assert.deepEqual(network.nodeStats('b'), { sent: 3, received: 3 });
    network.resetStats();
    assert.deepEqual(network.stats().total, { sent: 0, delivered: 0, dropped: 0 });
    assert.deepEqual(network.nodeStats('a'), { sent: 0, received: 0 });
  });
});

describe('MemoryNetwork: scale', () => {
  it('10 000 nodes exchange 100 000 pings through a manual clock', async () => {
    const NODES = 10_000;
    const ROUNDS = 10;
    const { clock, network } = setup({ defaultDeadlineMs: 5_000 });
    const random = new SeededRandom(1);
    let served = 0;
    const handler: RoutingHandler = {
      ...sampleHandler(),
      ping: async () => {
        served++;
        return PING_RESPONSE;
      },
    };
    const addresses = Array.from({ length: NODES }, (_, i) => `10.${i >> 8}.${i & 255}.1:7400`);
    const transports = addresses.map((address) => network.listen(address, handler).transport);
    const request: PingRequest = { sender: contact(1), updates: [], target: '' };
    let answered = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const calls: Promise<PingResponse>[] = [];
      for (let i = 0; i < NODES; i++) calls.push(transports[i]!.request(addresses[random.int(NODES)]!, 'ping', request));
      await clock.advance(2);
      answered += (await Promise.all(calls)).length;
    }
    assert.equal(answered, NODES * ROUNDS);
    assert.equal(served, NODES * ROUNDS);
    assert.deepEqual(network.stats().byMethod.ping, { sent: 2 * NODES * ROUNDS, delivered: 2 * NODES * ROUNDS, dropped: 0 });
    assert.equal(network.callsInFlight, 0);
    assert.ok(clock.pending <= ROUNDS * 2 + 2, `a handful of timers, not one per message (${clock.pending})`);
  });
});
