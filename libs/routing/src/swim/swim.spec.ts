import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DeadlineExceededError,
  SeededRandom,
  errorCode,
  toAbortError,
  type Clock,
  type Counter,
  type Gauge,
  type Metrics,
  type MetricOptions,
} from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type {
  Envelope,
  MemberUpdate,
  PeerCallOptions,
  PeerContact,
  PeerMethod,
  PeerRequest,
  PeerResponse,
  PeerTransport,
} from '@peerweave/protocol';
import { lateThresholdMs, settleWithin } from './probe-wait.ts';
import { Swim, type SwimInit } from './swim.ts';
import { testNodeId } from './test-support.ts';

const SELF = testNodeId(1000);
const START = 1_000_000;

function peer(i: number, incarnation = 1): PeerContact {
  return { id: testNodeId(i), address: `10.1.0.${i}:7946`, role: 'peer', incarnation };
}

interface Call {
  readonly address: string;
  readonly method: PeerMethod;
  readonly request: unknown;
  readonly options: PeerCallOptions | undefined;
  readonly at: number;
}

type Reply = (address: string, method: PeerMethod, request: unknown) => unknown | 'hang' | Error;

/** Answers after 1 ms as `reply` says; 'hang' waits for the caller's signal or deadline (DEADLINE_EXCEEDED, as gRPC's). */
function stubTransport(clock: ManualClock, reply: Reply): Pick<PeerTransport, 'request' | 'close'> & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    request<M extends PeerMethod>(address: string, method: M, request: PeerRequest<M>, options?: PeerCallOptions) {
      calls.push({ address, method, request, options, at: clock.now() });
      return new Promise<PeerResponse<M>>((resolve, reject) => {
        const signal = options?.signal;
        const deadline =
          options?.deadlineMs === undefined ? undefined : clock.setTimeout(() => reject(new DeadlineExceededError('deadline')), options.deadlineMs);
        const settled = (): void => {
          if (deadline !== undefined) clock.clearTimeout(deadline);
        };
        signal?.addEventListener(
          'abort',
          () => {
            settled();
            reject(toAbortError(signal));
          },
          { once: true },
        );
        clock.setTimeout(() => {
          const r = reply(address, method, request);
          if (r === 'hang') return;
          settled();
          if (r instanceof Error) reject(r);
          else resolve(r as PeerResponse<M>);
        }, 1);
      });
    },
    close: async () => {},
  };
}

/** A reply that acks every ping as the node at that address, and every pingReq with `acked`. */
function acking(contacts: readonly PeerContact[], pingReqAcked = true): Reply {
  return (address, method) => {
    const c = contacts.find((x) => x.address === address);
    if (c === undefined) return new Error('unknown address');
    if (method === 'pingReq') return { sender: c, updates: [], acked: pingReqAcked };
    return { sender: c, updates: [] };
  };
}

function makeSwim(init: Partial<SwimInit> & { reply?: Reply; contacts?: PeerContact[] } = {}) {
  const clock = new ManualClock(START);
  const contacts = init.contacts ?? [];
  // The stub tells of lost connections when a test says so (`lost`), as GrpcPeerTransport does.
  let listener: ((address: string) => void) | undefined;
  // resetIfIdle records each address it is asked to reset; `idle` says whether the stub's connection is.
  const resets: string[] = [];
  const transport = Object.assign(stubTransport(clock, init.reply ?? acking(contacts)), {
    onConnectionLost: (l: (address: string) => void) => {
      listener = l;
      return () => (listener = undefined);
    },
    idle: true,
    resets,
    resetIfIdle(address: string): boolean {
      resets.push(address);
      return transport.idle;
    },
  });
  const swim = new Swim({
    self: { id: SELF, address: '10.1.9.9:7946', role: 'peer' },
    transport,
    clock,
    random: new SeededRandom(42),
    targets: () => contacts,
    ...init,
  });
  return { clock, transport, swim, contacts, lost: (address: string) => listener?.(address), listening: () => listener !== undefined };
}

/** Metrics that keep every counter and gauge series (`name{label=value}`) and each gauge's collect callback. */
function recordingMetrics() {
  const counters = new Map<string, number>();
  const gauges = new Map<string, number>();
  const collectors = new Map<string, () => number>();
  const key = (name: string, labels?: Partial<Record<string, string | number>>): string =>
    labels === undefined ? name : `${name}{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',')}}`;
  const metrics: Metrics = {
    counter: <L extends string>(o: MetricOptions<L>): Counter<L> => {
      assert.match(o.name, /^peerweave_swim_[a-z_]+_total$/);
      return { inc: (labels, value = 1) => counters.set(key(o.name, labels), (counters.get(key(o.name, labels)) ?? 0) + value) };
    },
    gauge: <L extends string>(o: MetricOptions<L> & { collect?: () => number }): Gauge<L> => {
      assert.match(o.name, /^peerweave_swim_[a-z_]+$/);
      if (o.collect !== undefined) collectors.set(o.name, o.collect);
      return {
        set: (value, labels) => gauges.set(key(o.name, labels), value),
        inc: () => {},
        dec: () => {},
      };
    },
    histogram: () => ({ observe: () => {} }),
  };
  return { ...metrics, counters, gauges, collectors, value: (series: string): number => counters.get(series) ?? 0 };
}

const pingsTo = (calls: Call[], address: string): number =>
  calls.filter((c) => c.method === 'ping' && c.address === address).length;

describe('Swim: receiving and sending envelopes', () => {
  it('learns the sender and the piggybacked updates; ignores claims about unknown members', () => {
    const { swim } = makeSwim();
    swim.receive({
      sender: peer(1),
      updates: [
        { state: 'alive', contact: peer(2, 7), from: peer(2).id },
        { state: 'suspect', contact: peer(3), from: peer(1).id },
      ],
    });
    assert.equal(swim.stateOf(peer(1).id), 'alive');
    assert.equal(swim.stateOf(peer(2).id), 'alive');
    assert.equal(swim.members().find((m) => m.contact.id === peer(2).id)?.incarnation, 7);
    assert.equal(swim.stateOf(peer(3).id), undefined);
  });

  it('ignores entirely a message claiming to come from itself', () => {
    const { swim } = makeSwim({ incarnation: 5 });
    swim.receive({
      sender: { id: SELF, address: 'elsewhere:1', role: 'peer', incarnation: 99 },
      updates: [{ state: 'alive', contact: peer(2), from: SELF }],
    });
    assert.deepEqual(swim.members(), []);
    assert.equal(swim.incarnation, 5);
  });

  it('skips malformed updates', () => {
    const { swim } = makeSwim();
    const bad = [
      null,
      { state: 'zombie', contact: peer(2), from: 'x' },
      { state: 'alive', contact: { ...peer(3), incarnation: -1 }, from: 'x' },
      { state: 'alive', contact: { id: 7 }, from: 'x' },
      { state: 'alive', contact: peer(4), from: 'x' },
    ] as unknown as MemberUpdate[];
    swim.receive({ sender: peer(1), updates: bad });
    assert.deepEqual(swim.members().map((m) => m.contact.id).sort(), [peer(1).id, peer(4).id].sort());
  });

  it('refutes a suspicion of itself and says so in its next envelopes', () => {
    const { swim } = makeSwim({ incarnation: 5 });
    swim.receive({ sender: peer(1), updates: [{ state: 'suspect', contact: { ...swim.self, incarnation: 5 }, from: peer(1).id }] });
    assert.equal(swim.incarnation, 6);
    assert.equal(swim.awarenessScore, 1);
    const envelope = swim.envelope();
    assert.equal(envelope.sender.incarnation, 6);
    assert.ok(envelope.updates.some((u) => u.state === 'alive' && u.contact.id === SELF && u.contact.incarnation === 6));
  });

  it('piggybacks at most maxPiggyback updates, the newest first', () => {
    const { swim } = makeSwim({ maxPiggyback: 3 });
    for (let i = 1; i <= 5; i++) swim.receive({ sender: peer(i), updates: [] });
    const { updates } = swim.envelope();
    assert.deepEqual(
      updates.map((u) => u.contact.id),
      [peer(5).id, peer(4).id, peer(3).id],
    );
  });

  it('piggybacks at most maxJoinPiggyback updates about members new to it, after every state change', () => {
    const { swim } = makeSwim({ maxPiggyback: 6, maxJoinPiggyback: 2 });
    // Five members new to this node (join news), then two of them suspected (state news).
    for (let i = 1; i <= 5; i++) swim.receive({ sender: peer(i), updates: [] });
    swim.receive({
      sender: peer(3),
      updates: [1, 2].map((i) => ({ state: 'suspect' as const, contact: peer(i), from: peer(3).id })),
    });
    const { updates } = swim.envelope();
    assert.deepEqual(
      updates.map((u) => `${u.state} ${u.contact.id}`),
      [`suspect ${peer(2).id}`, `suspect ${peer(1).id}`, `alive ${peer(5).id}`, `alive ${peer(4).id}`],
    );
    // The third join update waits for the next message.
    assert.deepEqual(swim.envelope().updates.map((u) => u.contact.id).includes(peer(3).id), true);
  });

  it('defaults its incarnation to clock.now(), so a restart starts higher', () => {
    const { swim } = makeSwim();
    assert.equal(swim.incarnation, START);
  });
});

describe('Swim: serving', () => {
  it('handlePing acks with its envelope', async () => {
    const { swim } = makeSwim();
    const response = await swim.handlePing({ sender: peer(1), updates: [], target: SELF });
    assert.equal(response.sender.id, SELF);
    assert.equal(swim.stateOf(peer(1).id), 'alive');
    await swim.handlePing({ sender: peer(2), updates: [], target: '' }); // a seed does not know the id
  });

  it('handlePing refuses a ping meant for another node, and malformed senders', async () => {
    const { swim } = makeSwim();
    await assert.rejects(swim.handlePing({ sender: peer(1), updates: [], target: peer(9).id }), (err) => errorCode(err) === 'NOT_FOUND');
    await assert.rejects(
      swim.handlePing({ sender: { id: '' } as PeerContact, updates: [], target: SELF }),
      (err) => errorCode(err) === 'INVALID_ARGUMENT',
    );
  });

  it('tells a caller it believes suspect about it first, so it can refute', async () => {
    const { swim } = makeSwim();
    for (let i = 1; i <= 5; i++) swim.receive({ sender: peer(i), updates: [] });
    swim.receive({ sender: peer(2), updates: [{ state: 'suspect', contact: peer(1), from: peer(2).id }] });
    const response = await swim.handlePing({ sender: peer(1), updates: [], target: SELF });
    assert.deepEqual(response.updates[0], { state: 'suspect', contact: peer(1), from: SELF });
  });

  it('answers a caller whose message still holds a member suspect that it holds dead with the death, once, and nobody else', async () => {
    const { swim } = makeSwim();
    for (let i = 1; i <= 5; i++) swim.receive({ sender: peer(i), updates: [] });
    swim.receive({ sender: peer(2), updates: [{ state: 'dead', contact: peer(3), from: peer(2).id }] });
    // peer(1) missed the death: its ping still carries its suspicion (or an alive claim at that incarnation).
    const stale = await swim.handlePing({ sender: peer(1), updates: [{ state: 'suspect', contact: peer(3), from: peer(4).id }], target: SELF });
    assert.deepEqual(stale.updates.find((u) => u.contact.id === peer(3).id), { state: 'dead', contact: peer(3), from: SELF });
    const again = await swim.handlePing({ sender: peer(1), updates: [], target: SELF });
    assert.equal(again.updates.filter((u) => u.contact.id === peer(3).id && u.from === SELF).length, 0, 'told once');
    const other = await swim.handlePing({ sender: peer(5), updates: [], target: SELF });
    assert.equal(other.updates.filter((u) => u.contact.id === peer(3).id && u.from === SELF).length, 0, 'a peer that said nothing stale is not told');
    // A claim at a higher incarnation is news (a restart), not stale: no correction.
    const newer = await swim.handlePing({ sender: peer(4), updates: [{ state: 'alive', contact: peer(3, 2), from: peer(3).id }], target: SELF });
    assert.equal(newer.updates.filter((u) => u.state === 'dead' && u.contact.id === peer(3).id && u.from === SELF).length, 0);
    assert.equal(swim.stateOf(peer(3).id), 'alive');
  });

  it('carries its open suspicions on its acks, each with its first accuser, at most two, never about the caller', async () => {
    const { swim } = makeSwim();
    for (let i = 1; i <= 6; i++) swim.receive({ sender: peer(i), updates: [] });
    for (const i of [3, 4, 5]) swim.receive({ sender: peer(2), updates: [{ state: 'suspect', contact: peer(i), from: peer(6).id }] });
    // Spend the queue's retransmits: the carried claims do not depend on it.
    for (let i = 0; i < 50; i++) swim.envelope();
    const seen = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const ack = await swim.handlePing({ sender: peer(3), updates: [], target: SELF });
      const carried = ack.updates.filter((u) => u.state === 'suspect' && u.contact.id !== peer(3).id);
      assert.ok(carried.length <= 2);
      for (const u of carried) {
        assert.equal(u.from, peer(6).id, 'the first accuser, not this node');
        seen.add(u.contact.id);
      }
      assert.deepEqual(ack.updates[0], { state: 'suspect', contact: peer(3), from: SELF }, 'the claim about the caller first');
    }
    assert.deepEqual([...seen].sort(), [peer(4).id, peer(5).id].sort());
  });

  it('handlePingReq probes the target on the caller’s behalf', async () => {
    const contacts = [peer(1), peer(2)];
    const { swim, clock, transport } = makeSwim({ contacts });
    const signal = new AbortController().signal;
    const acked = swim.handlePingReq({ sender: peer(1), updates: [], target: peer(2), timeoutMs: 300 }, { signal, peer: 'test' });
    await clock.advance(5);
    assert.equal((await acked).acked, true);
    const ping = transport.calls.find((c) => c.method === 'ping')!;
    assert.equal(ping.address, peer(2).address);
    assert.equal((ping.request as PeerRequest<'ping'>).target, peer(2).id);
    assert.equal(ping.options?.deadlineMs, 300);

    const self = await swim.handlePingReq({ sender: peer(1), updates: [], target: swim.self, timeoutMs: 300 }, { signal, peer: 'test' });
    assert.equal(self.acked, true);
  });

  it('handlePingReq answers acked: false when the target stays silent, within the asked timeout', async () => {
    const { swim, clock } = makeSwim({ reply: () => 'hang' });
    const answer = swim.handlePingReq({ sender: peer(1), updates: [], target: peer(2), timeoutMs: 300 }, { signal: new AbortController().signal, peer: 'test' });
    let settled = false;
    void answer.then(() => (settled = true));
    await clock.advance(299);
    assert.equal(settled, false);
    await clock.advance(1);
    assert.equal((await answer).acked, false);
  });

  it('handlePingReq bounds an absurd timeout', async () => {
    const { swim, clock, transport } = makeSwim({ reply: () => 'hang' });
    const answer = swim.handlePingReq(
      { sender: peer(1), updates: [], target: peer(2), timeoutMs: 1e12 },
      { signal: new AbortController().signal, peer: 'test' },
    );
    await clock.advance(8000);
    assert.equal((await answer).acked, false);
    assert.equal(transport.calls[0]!.options?.deadlineMs, 8000); // probeInterval × awarenessMaxMultiplier
  });

  it('handleLeave marks the sender left', async () => {
    const { swim } = makeSwim();
    swim.receive({ sender: peer(1), updates: [] });
    await swim.handleLeave({ sender: peer(1, 2), updates: [] });
    assert.equal(swim.stateOf(peer(1).id), 'left');
  });
});

describe('Swim: probing', () => {
  it('probes a neighbourhood member in every other slot, and still everyone else', async () => {
    const contacts = Array.from({ length: 10 }, (_, i) => peer(i + 1));
    const near = contacts[0]!;
    const { swim, clock, transport } = makeSwim({ contacts, priority: () => new Set([near.id]) });
    await swim.start();
    await clock.advance(40 * 1000);
    await swim.stop();
    const probes = transport.calls.filter((c) => c.method === 'ping').length;
    assert.ok(probes >= 39, `${probes} probes`);
    assert.ok(pingsTo(transport.calls, near.address) >= Math.floor(probes / 2));
    for (const c of contacts) assert.ok(pingsTo(transport.calls, c.address) >= 2, `${c.address} not probed`);
  });

  it('asks indirectChecks helpers when the direct ping gets no ack, and an indirect ack clears it', async () => {
    const contacts = Array.from({ length: 6 }, (_, i) => peer(i + 1));
    const target = contacts[0]!;
    const reply = (address: string, method: PeerMethod, request: unknown): unknown => {
      if (address === target.address) return 'hang';
      return acking(contacts)(address, method, request);
    };
    const { swim, clock, transport } = makeSwim({ contacts, reply, priority: () => new Set([target.id]) });
    await swim.start();
    await clock.advance(3000);
    await swim.stop();
    const pingReqs = transport.calls.filter((c) => c.method === 'pingReq');
    assert.ok(pingReqs.length >= 3);
    const first = pingReqs.slice(0, 3);
    assert.equal(new Set(first.map((c) => c.address)).size, 3, 'three distinct helpers');
    assert.ok(first.every((c) => (c.request as PeerRequest<'pingReq'>).target.id === target.id));
    // Sent once the probe timeout passed without an ack.
    const directAt = transport.calls.find((c) => c.method === 'ping' && c.address === target.address)!.at;
    assert.equal(first[0]!.at - directAt, 500);
    assert.equal(swim.stateOf(target.id), 'alive');
    assert.equal(swim.awarenessScore, 0);
  });

  it('a member that acks only through helpers: its connection is reset if idle (the connection failed, not the member); a direct ack resets nothing', async () => {
    const contacts = Array.from({ length: 6 }, (_, i) => peer(i + 1));
    const target = contacts[0]!;
    const reply = (address: string, method: PeerMethod, request: unknown): unknown =>
      address === target.address && method === 'ping' ? 'hang' : acking(contacts)(address, method, request);
    const metrics = recordingMetrics();
    const { swim, clock, transport } = makeSwim({ contacts, reply, metrics, priority: () => new Set([target.id]) });
    await swim.start();
    await clock.advance(3500);
    assert.equal(swim.stateOf(target.id), 'alive');
    const failedDirect = transport.calls.filter((c) => c.method === 'ping' && c.address === target.address).length;
    assert.ok(failedDirect >= 1);
    // Once per probe of the target, after its period ended (the direct ping may ack until then).
    assert.ok(transport.resets.length >= failedDirect - 1 && transport.resets.length <= failedDirect, `${transport.resets.length} resets for ${failedDirect} probes`);
    assert.ok(transport.resets.every((a) => a === target.address), 'only the target’s connection');
    assert.equal(metrics.value('peerweave_swim_connection_resets_total'), transport.resets.length);
    // A connection under calls is not reset (the transport says so): nothing counted.
    transport.idle = false;
    const before = transport.resets.length;
    await clock.advance(2000);
    assert.ok(transport.resets.length > before);
    assert.equal(metrics.value('peerweave_swim_connection_resets_total'), before);
    await swim.stop();
    // Members that ack directly are never reset.
    const plain = makeSwim({ contacts });
    await plain.swim.start();
    await plain.clock.advance(5000);
    await plain.swim.stop();
    assert.deepEqual(plain.transport.resets, []);
  });

  it('suspects a target nobody can reach; helpers that answered "no ack" spare its own health', async () => {
    const contacts = Array.from({ length: 6 }, (_, i) => peer(i + 1));
    const target = contacts[0]!;
    const reply = (address: string, method: PeerMethod, request: unknown): unknown =>
      address === target.address ? 'hang' : acking(contacts, false)(address, method, request);
    const { swim, clock } = makeSwim({ contacts, reply, priority: () => new Set([target.id]) });
    await swim.start();
    await clock.advance(3500); // stagger, one probe of another target, then the target's
    assert.equal(swim.stateOf(target.id), 'suspect');
    assert.equal(swim.awarenessScore, 0);
    await swim.stop();
  });

  it('Lifeguard: failed probes whose helpers do not answer raise the local health score and stretch the period', async () => {
    const contacts = Array.from({ length: 6 }, (_, i) => peer(i + 1));
    const { swim, clock } = makeSwim({ contacts, reply: () => 'hang' });
    await swim.start();
    await clock.advance(2000); // the random stagger, then a full failed period
    assert.ok(swim.awarenessScore >= 3, `score ${swim.awarenessScore}`);
    assert.equal(swim.probePeriodMs(), 1000 * (swim.awarenessScore + 1));
    await clock.advance(60_000);
    assert.equal(swim.awarenessScore, 7); // railed at awarenessMaxMultiplier − 1
    await swim.stop();
  });

  it('acks slower than the timeout lengthen the next deadlines (observed round trips); a silent target is still suspected', async () => {
    // Every member answers in 700 ms, past the 500 ms timeout but inside the 1 s period, as on a
    // saturated machine. The first probe needs helpers; once that round trip is measured the
    // deadline covers it and no more helpers are asked. A target that never answers is still
    // suspected, only later.
    const contacts = Array.from({ length: 6 }, (_, i) => peer(i + 1));
    const silent = contacts[5]!;
    let includeSilent = false;
    const clock = new ManualClock(START);
    const calls: Call[] = [];
    const transport: Pick<PeerTransport, 'request' | 'close'> = {
      request<M extends PeerMethod>(address: string, method: M, request: PeerRequest<M>, options?: PeerCallOptions) {
        calls.push({ address, method, request, options, at: clock.now() });
        return new Promise<PeerResponse<M>>((resolve, reject) => {
          const signal = options?.signal;
          signal?.addEventListener('abort', () => reject(toAbortError(signal)), { once: true });
          if (address === silent.address) return;
          clock.setTimeout(() => resolve(acking(contacts, false)(address, method, request) as PeerResponse<M>), 700);
        });
      },
      close: async () => {},
    };
    const swim = new Swim({
      self: { id: SELF, address: '10.1.9.9:7946', role: 'peer' },
      transport,
      clock,
      random: new SeededRandom(42),
      targets: () => (includeSilent ? contacts : contacts.slice(0, 5)),
      priority: () => new Set(includeSilent ? [silent.id] : []),
    });
    await swim.start();
    await clock.advance(3_000);
    const firstPingReq = calls.find((c) => c.method === 'pingReq');
    assert.ok(firstPingReq !== undefined, 'the first slow ack needed helpers');
    assert.ok(swim.probePeriodMs() > 1000, `period ${swim.probePeriodMs()} ms after slow acks`);
    const before = calls.filter((c) => c.method === 'pingReq').length;
    await clock.advance(30_000);
    assert.equal(calls.filter((c) => c.method === 'pingReq').length, before, 'no helpers once the round trip is known');
    assert.equal(swim.awarenessScore, 0);
    assert.ok(contacts.slice(0, 5).every((c) => swim.stateOf(c.id) === 'alive'));

    includeSilent = true;
    await clock.advance(20_000);
    assert.notEqual(swim.stateOf(silent.id), 'alive', 'a target that never answers is still suspected (and declared dead)');
    await swim.stop();
  });

  it('stop() ends the loop and clears every timer', async () => {
    const contacts = Array.from({ length: 6 }, (_, i) => peer(i + 1));
    const { swim, clock } = makeSwim({ contacts, reply: () => 'hang' });
    await swim.start();
    await clock.advance(3700); // mid-probe, with suspicions running
    await swim.stop();
    assert.equal(clock.pending, 0);
  });
});

describe('Swim: pushing news at once', () => {
  const carrying = (calls: Call[], since: number, pred: (u: MemberUpdate) => boolean): Call[] =>
    calls.slice(since).filter((c) => c.method === 'ping' && (c.request as Envelope).updates.some(pred));

  async function started(n: number) {
    const contacts = Array.from({ length: n }, (_, i) => peer(i + 1));
    const made = makeSwim({ contacts });
    for (const c of contacts) made.swim.receive({ sender: c, updates: [] });
    await made.swim.start();
    await made.clock.advance(1_500);
    return made;
  }

  it('pushes a death it hears of for the first time to four members now, and a repeat to nobody', async () => {
    const { swim, clock, transport } = await started(12);
    const dead = peer(7);
    const isDeath = (u: MemberUpdate): boolean => u.state === 'dead' && u.contact.id === dead.id;
    const before = transport.calls.length;
    swim.receive({ sender: peer(3), updates: [{ state: 'dead', contact: dead, from: peer(3).id }] });
    await clock.advance(1);
    const pushed = carrying(transport.calls, before, isDeath);
    assert.equal(pushed.length, 4);
    assert.equal(new Set(pushed.map((c) => c.address)).size, 4, 'four distinct members');
    assert.ok(pushed.every((c) => c.address !== dead.address));
    const again = transport.calls.length;
    swim.receive({ sender: peer(4), updates: [{ state: 'dead', contact: dead, from: peer(4).id }] });
    await clock.advance(1);
    assert.equal(transport.calls.length, again, 'a death already known is not pushed again');
    await swim.stop();
  });

  it('pushes its own refutation to four members now', async () => {
    const { swim, clock, transport } = await started(12);
    const before = transport.calls.length;
    swim.receive({ sender: peer(2), updates: [{ state: 'suspect', contact: { ...swim.self }, from: peer(2).id }] });
    await clock.advance(1);
    const pushed = carrying(transport.calls, before, (u) => u.state === 'alive' && u.contact.id === SELF && u.contact.incarnation === swim.incarnation);
    assert.equal(pushed.length, 4);
    await swim.stop();
  });

  it('news arriving within a probe timeout of the last push waits for one push that carries all of it', async () => {
    const { swim, clock, transport } = await started(20);
    const victims = [11, 12, 13, 14, 15, 16].map((i) => peer(i));
    const before = transport.calls.length;
    // A partition: deaths arrive one after another, 10 ms apart.
    for (const v of victims) {
      swim.receive({ sender: peer(1), updates: [{ state: 'dead', contact: v, from: peer(1).id }] });
      await clock.advance(10);
    }
    const pushesNow = carrying(transport.calls, before, (u) => u.state === 'dead').length;
    await clock.advance(500);
    const pings = transport.calls.slice(before).filter((c) => c.method === 'ping');
    // One push at the first death, one after the probe timeout (500 ms) with the other five, and
    // whatever the probe loop sent meanwhile (one or two probes): not four pings per death.
    assert.equal(pushesNow, 4);
    assert.ok(pings.length <= 4 + 4 + 2, `${pings.length} pings`);
    const second = carrying(transport.calls, before, (u) => u.state === 'dead' && u.contact.id === victims[5]!.id);
    assert.ok(second.length >= 4, 'the last death was pushed too');
    await swim.stop();
  });
});

describe('Swim: a lost connection', () => {
  const withConnections = (contacts: PeerContact[], reply: Reply) => makeSwim({ contacts, reply, probeIntervalMs: 1_000, probeTimeoutMs: 500 });

  it('probes the member at that address at once, out of turn, and suspects it when nobody reaches it', async () => {
    const contacts = Array.from({ length: 12 }, (_, i) => peer(i + 1));
    const crashed = contacts[6]!;
    const reply = (address: string, method: PeerMethod, request: unknown): unknown =>
      address === crashed.address || (method === 'pingReq' && (request as PeerRequest<'pingReq'>).target.id === crashed.id)
        ? 'hang'
        : acking(contacts)(address, method, request);
    const { clock, swim, transport, lost } = withConnections(contacts, reply);
    await swim.start();
    await clock.advance(2_000);
    const before = transport.calls.length;
    lost(crashed.address);
    lost(crashed.address); // told twice (two channels): probed once
    await clock.advance(1);
    assert.deepEqual(
      transport.calls.slice(before).filter((c) => c.method === 'ping').map((c) => c.address),
      [crashed.address],
    );
    await clock.advance(1_000);
    assert.equal(swim.stateOf(crashed.id), 'suspect');
    await swim.stop();
  });

  it('a live member there simply acks; unknown addresses and a stopped node are ignored', async () => {
    const contacts = Array.from({ length: 4 }, (_, i) => peer(i + 1));
    const { clock, swim, transport, lost, listening } = withConnections(contacts, acking(contacts));
    lost(contacts[0]!.address); // not started: nothing
    assert.equal(transport.calls.length, 0);
    await swim.start();
    await clock.advance(1_500);
    const before = transport.calls.length;
    lost('10.9.9.9:1');
    lost(contacts[1]!.address);
    await clock.advance(600);
    assert.ok(transport.calls.slice(before).some((c) => c.method === 'ping' && c.address === contacts[1]!.address));
    assert.equal(swim.stateOf(contacts[1]!.id), 'alive');
    await swim.stop();
    assert.equal(listening(), false, 'stop removes the listener');
  });
});

describe('Swim: leave', () => {
  it('sends Leave to the neighbourhood and leaveFanout others, bounded by leaveTimeoutMs', async () => {
    const contacts = Array.from({ length: 8 }, (_, i) => peer(i + 1));
    const near = new Set([contacts[0]!.id, contacts[1]!.id]);
    const reply = (address: string, method: PeerMethod, request: unknown): unknown =>
      address === contacts[0]!.address ? 'hang' : acking(contacts)(address, method, request);
    const { swim, clock, transport } = makeSwim({ contacts, reply, priority: () => near, leaveFanout: 2, incarnation: 10 });
    await swim.start();
    await clock.advance(1500);
    const pingsBefore = transport.calls.filter((c) => c.method === 'ping').length;

    let done = false;
    const leaving = swim.leave().then(() => (done = true));
    await clock.advance(999);
    assert.equal(done, false, 'waits for the slow neighbour');
    await clock.advance(1);
    await leaving;

    const leaves = transport.calls.filter((c) => c.method === 'leave');
    assert.equal(leaves.length, 4);
    assert.ok(contacts.slice(0, 2).every((c) => leaves.some((l) => l.address === c.address)));
    for (const l of leaves) {
      const request = l.request as Envelope;
      assert.deepEqual(request.updates[0], { state: 'left', contact: { ...swim.self, incarnation: 11 }, from: SELF });
      assert.equal(request.sender.incarnation, 11);
    }
    assert.equal(swim.stateOf(SELF), 'left');
    // No more probing, no more refuting.
    await clock.advance(10_000);
    assert.equal(transport.calls.filter((c) => c.method === 'ping').length, pingsBefore);
    swim.receive({ sender: peer(3), updates: [{ state: 'dead', contact: swim.self, from: peer(3).id }] });
    assert.equal(swim.incarnation, 11);
    await swim.stop();
  });
});

describe('Swim: config and metrics', () => {
  it('rejects bad settings with a ConfigError naming them', () => {
    assert.throws(() => makeSwim({ probeTimeoutMs: 1000 }), (err) => errorCode(err) === 'INVALID_CONFIG' && /probeTimeoutMs/.test((err as Error).message));
    assert.throws(() => makeSwim({ maxPiggyback: 1000 }), /maxPiggyback/);
    assert.throws(() => makeSwim({ indirectChecks: -1 }), /indirectChecks/);
    assert.throws(() => makeSwim({ suspicionMult: 2.5 }), /suspicionMult/);
  });

  it('reports probes, suspicions, refutations and members by state', async () => {
    const metrics = recordingMetrics();
    const { counters, gauges, collectors } = metrics;
    const contacts = Array.from({ length: 4 }, (_, i) => peer(i + 1));
    const reply = (address: string, method: PeerMethod, request: unknown): unknown =>
      address === contacts[0]!.address ? 'hang' : acking(contacts, false)(address, method, request);
    const { swim, clock } = makeSwim({ contacts, reply, metrics, incarnation: 5, priority: () => new Set([contacts[0]!.id]) });
    await swim.start();
    await clock.advance(4000);
    swim.receive({ sender: contacts[1]!, updates: [{ state: 'suspect', contact: { ...swim.self, incarnation: 5 }, from: contacts[1]!.id }] });
    await swim.stop();

    assert.ok((counters.get('peerweave_swim_probes_total{result=ack}') ?? 0) >= 1);
    assert.ok((counters.get('peerweave_swim_probes_total{result=failed}') ?? 0) >= 1);
    assert.equal(counters.get('peerweave_swim_suspicions_total'), 1);
    assert.equal(counters.get('peerweave_swim_refutations_total'), 1);
    assert.equal(gauges.get('peerweave_swim_members{state=suspect}'), 1);
    assert.equal(gauges.get('peerweave_swim_members{state=dead}'), 0);
    assert.equal(collectors.get('peerweave_swim_local_health_score')?.(), swim.awarenessScore);
  });
});

describe('Swim: local health from the probe loop\'s own lag', () => {
  /** The manual clock, except that every timer and sleep wakes `lagMs` late while `lagging` (a busy loop). */
  function laggy(clock: ManualClock): Clock & { lagging: boolean; lagMs: number } {
    let offset = 0;
    const laggyClock = {
      lagging: false,
      lagMs: 0,
      now: () => clock.now() + offset,
      setTimeout: (fn: () => void, ms: number) =>
        clock.setTimeout(() => {
          if (laggyClock.lagging) offset += laggyClock.lagMs;
          fn();
        }, ms),
      clearTimeout: (handle: unknown) => clock.clearTimeout(handle as never),
      sleep: async (ms: number, options?: { signal?: AbortSignal }) => {
        await clock.sleep(ms, options);
        if (laggyClock.lagging) offset += laggyClock.lagMs;
      },
    };
    return laggyClock;
  }

  it('a loop that wakes late raises the score although every probe is acked; on time again, acks lower it', async () => {
    const contacts = Array.from({ length: 4 }, (_, i) => peer(i + 1));
    const manual = new ManualClock(START);
    const clock = laggy(manual);
    const swim = new Swim({
      self: { id: SELF, address: '10.1.9.9:7946', role: 'peer' },
      transport: stubTransport(manual, acking(contacts)),
      clock,
      random: new SeededRandom(42),
      targets: () => contacts,
    });
    await swim.start();
    await manual.advance(5_000);
    assert.equal(swim.awarenessScore, 0, 'on time: healthy');
    clock.lagging = true;
    clock.lagMs = lateThresholdMs(500) - 1; // just under the threshold: a timer is never exact
    await manual.advance(5_000);
    assert.equal(swim.awarenessScore, 0, 'small lateness is not ill health');
    clock.lagMs = 400; // the default ack deadline is 500 ms: late by more than half of it
    await manual.advance(4_000);
    assert.ok(swim.awarenessScore >= 2, `score ${swim.awarenessScore} after lagging periods`);
    assert.equal(swim.probePeriodMs(), 1000 * (swim.awarenessScore + 1), 'periods (and ack deadlines) stretch');
    clock.lagging = false;
    await manual.advance(120_000);
    assert.equal(swim.awarenessScore, 0, 'recovered once the loop is on time');
    await swim.stop();
  });
});

describe('Swim: timers of an idle probe loop', () => {
  it('an acked period clears only the ack deadline; the period deadline fires and starts the next', async () => {
    const contacts = Array.from({ length: 4 }, (_, i) => peer(i + 1));
    const manual = new ManualClock(START);
    const set = new Map<unknown, number>();
    const cleared: number[] = [];
    const fired: number[] = [];
    let counting = false;
    const recording: Clock = {
      now: () => manual.now(),
      setTimeout: (fn, ms) => {
        const handle = manual.setTimeout(() => {
          set.delete(handle); // Clearing a timer that fired costs nothing.
          if (counting) fired.push(ms);
          fn();
        }, ms);
        set.set(handle, ms);
        return handle;
      },
      clearTimeout: (handle) => {
        if (counting && set.has(handle)) cleared.push(set.get(handle)!);
        set.delete(handle);
        manual.clearTimeout(handle);
      },
      sleep: (ms, options) => manual.sleep(ms, options),
    };
    const swim = new Swim({
      self: { id: SELF, address: '10.1.9.9:7946', role: 'peer' },
      // The transport's own timers (its deadlines) are on the manual clock, not counted here.
      transport: stubTransport(manual, acking(contacts)),
      clock: recording,
      random: new SeededRandom(7),
      targets: () => contacts,
    });
    await swim.start();
    await manual.advance(3_000);
    counting = true;
    await manual.advance(10_000);
    counting = false;
    const score = swim.awarenessScore;
    await swim.stop(); // Clears the period under way: not counted.
    // Node wakes the loop at a cleared timer's time all the same: each cleared one is a wake-up
    // for nothing. Only the ack deadline (500 ms) may be cleared, by the ack.
    assert.deepEqual([...new Set(cleared)], [500], `cleared: ${cleared.join(', ')}`);
    assert.ok(cleared.length >= 9 && cleared.length <= 11, `${cleared.length} ack deadlines cleared in 10 periods`);
    assert.deepEqual([...new Set(fired)], [1_000], `fired: ${fired.join(', ')}`);
    assert.ok(fired.length >= 9 && fired.length <= 11, `${fired.length} period deadlines fired in 10 periods`);
    assert.equal(score, 0);
  });
});

describe('Swim: a probe timer that fires late', () => {
  /** A clock whose single timer the test fires by hand, at whatever `now` the test sets. */
  function handClock(): Clock & { time: number; fire(): void } {
    let pending: (() => void) | undefined;
    return {
      time: 0,
      now() {
        return this.time;
      },
      setTimeout(fn: () => void) {
        pending = fn;
        return {};
      },
      clearTimeout() {
        pending = undefined;
      },
      sleep: () => Promise.resolve(),
      fire() {
        const fn = pending;
        pending = undefined;
        fn?.();
      },
    };
  }

  it('on time: the timeout wins even if the answer comes right after', async () => {
    const clock = handClock();
    let answer!: (v: string) => void;
    const lates: number[] = [];
    const settled = settleWithin(clock, new Promise<string>((r) => (answer = r)), 100, new AbortController().signal, (ms) => lates.push(ms));
    clock.time = 100 + lateThresholdMs(100) - 1;
    clock.fire();
    answer('ack');
    assert.equal(await settled, undefined);
    assert.deepEqual(lates, []);
  });

  it('late (the loop was busy): an answer already waiting is read before the timeout counts, and Lifeguard hears of it', async () => {
    const clock = handClock();
    let answer!: (v: string) => void;
    const lates: number[] = [];
    const settled = settleWithin(clock, new Promise<string>((r) => (answer = r)), 100, new AbortController().signal, (ms) => lates.push(ms));
    clock.time = 700;
    clock.fire();
    answer('ack'); // the I/O the busy loop had not read yet: handled before setImmediate's turn
    assert.equal(await settled, 'ack');
    assert.deepEqual(lates, [600]);
  });

  it('late with no answer: still a timeout, one loop turn later', async () => {
    const clock = handClock();
    const settled = settleWithin(clock, new Promise<string>(() => undefined), 100, new AbortController().signal);
    clock.time = 1_000;
    clock.fire();
    assert.equal(await settled, undefined);
  });

  it('the late threshold is half the timeout, at least 20 ms', () => {
    assert.deepEqual([10, 40, 100, 200, 1_000].map(lateThresholdMs), [20, 20, 50, 100, 500]);
  });
});
