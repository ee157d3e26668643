import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom, UnavailableError } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { idToHex, type ContactInfo } from './contact.ts';
import { DEFAULT_ALPHA, lookup, type LookupInit, type LookupResult } from './lookup.ts';
import { FakeKademliaNetwork, type FakeNode } from './test-support.ts';

/** Advances the clock in steps until `promise` settles (bounded, so a hung lookup fails the test). */
async function drive<T>(clock: ManualClock, promise: Promise<T>, stepMs = 5, maxMs = 120_000): Promise<T> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let elapsed = 0; !settled; elapsed += stepMs) {
    if (elapsed > maxMs) throw new Error(`still running after ${maxMs} ms of clock time`);
    await clock.advance(stepMs);
  }
  return promise;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Setup {
  clock: ManualClock;
  random: SeededRandom;
  net: FakeKademliaNetwork;
}

function setup(seed: number, size = 500, delays: { delayMs?: number; jitterMs?: number } = {}): Setup {
  const clock = new ManualClock();
  const random = new SeededRandom(seed);
  const net = new FakeKademliaNetwork({ size, clock, random, ...delays });
  return { clock, random, net };
}

/** A lookup from `from` for `key` over the fake network, seeded from `from`'s own table. */
function lookupFrom(
  { clock, net }: Setup,
  from: FakeNode,
  key: Uint8Array,
  extra: Partial<LookupInit> = {},
): Promise<LookupResult> {
  return lookup({
    key,
    seeds: from.table.closest(key, net.k),
    query: net.query(key),
    clock,
    self: from.info.id,
    ...extra,
  });
}

describe('lookup over a 500-node in-memory network', () => {
  it('finds exactly the true 20 closest in ≥ 99 % of lookups, in few hops, with ≤ α in flight', async () => {
    const s = setup(1);
    const { net, random, clock } = s;
    const runs = 300;
    let exact = 0;
    const hops: number[] = [];
    let queried = 0;
    for (let i = 0; i < runs; i++) {
      const from = net.nodes[random.int(net.nodes.length)]!;
      // Half random keys, half ids of existing nodes (then that node must come first).
      const target = i % 2 === 0 ? undefined : net.nodes[random.int(net.nodes.length)]!;
      const key = target?.idBytes ?? random.bytes(32);
      const responders = new Set<string>();
      const result = await drive(clock, lookupFrom(s, from, key, { onResponse: (c) => responders.add(c.id) }));
      const want = net.closestTo(key, 20, from.info.id).map((n) => n.info.id);
      const got = result.closest.map((c) => c.id);
      if (got.join() === want.join()) exact++;
      assert.equal(result.timedOut, false);
      assert.equal(result.failed, 0);
      assert.ok(!got.includes(from.info.id), 'own id never returned');
      for (const id of got) assert.ok(responders.has(id), 'only nodes that answered');
      assert.equal(responders.size, result.queried, 'every answer reported');
      if (target && target !== from) assert.equal(got[0], target.info.id);
      hops.push(result.hops);
      queried += result.queried;
    }
    assert.ok(exact / runs >= 0.99, `exact in ${exact}/${runs}`);
    assert.ok(percentile(hops, 50) <= 2, `p50 hops ${percentile(hops, 50)}`);
    assert.ok(Math.max(...hops) <= 4, `max hops ${Math.max(...hops)}`);
    assert.ok(queried / runs < 60, `mean queries per lookup ${queried / runs}`);
    assert.ok(net.maxInFlight <= DEFAULT_ALPHA, `max in flight ${net.maxInFlight}`);
    assert.ok(net.maxInFlight === DEFAULT_ALPHA, 'and it does use α');
    assert.equal(clock.pending, 0, 'no timers left behind');
  });

  it('respects a custom α and k', async () => {
    const s = setup(2, 300);
    const { net, random, clock } = s;
    for (const alpha of [1, 5]) {
      net.resetCounters();
      const from = net.nodes[0]!;
      const key = random.bytes(32);
      const result = await drive(clock, lookupFrom(s, from, key, { alpha, k: 8 }));
      assert.equal(net.maxInFlight, alpha);
      assert.deepEqual(
        result.closest.map((c) => c.id),
        net.closestTo(key, 8, from.info.id).map((n) => n.info.id),
      );
    }
  });

  it('excludes failing and silent nodes, reports each once, and still finds the live closest', async () => {
    const s = setup(3);
    const { net, random, clock } = s;
    for (const node of net.nodes) {
      const r = random.next();
      if (r < 0.1) net.dead.add(node.info.id);
      else if (r < 0.15) net.silent.add(node.info.id);
    }
    const runs = 100;
    let exact = 0;
    let failures = 0;
    for (let i = 0; i < runs; i++) {
      let from = net.nodes[random.int(net.nodes.length)]!;
      while (net.dead.has(from.info.id) || net.silent.has(from.info.id)) from = net.nodes[random.int(net.nodes.length)]!;
      const key = random.bytes(32);
      const failed: ContactInfo[] = [];
      const errors: unknown[] = [];
      const result = await drive(
        clock,
        lookupFrom(s, from, key, {
          queryDeadlineMs: 500,
          onFailure: (c, e) => {
            failed.push(c);
            errors.push(e);
          },
        }),
      );
      assert.equal(result.timedOut, false);
      assert.equal(result.failed, failed.length);
      assert.equal(new Set(failed.map((c) => c.id)).size, failed.length, 'each failure reported once');
      for (const c of failed) assert.ok(net.dead.has(c.id) || net.silent.has(c.id), 'only bad nodes blamed');
      for (const [j, c] of failed.entries()) {
        const code = (errors[j] as { code?: string }).code;
        assert.equal(code, net.dead.has(c.id) ? 'UNAVAILABLE' : 'DEADLINE_EXCEEDED');
      }
      for (const c of result.closest) assert.ok(!net.dead.has(c.id) && !net.silent.has(c.id));
      const want = net.closestTo(key, 20, from.info.id).map((n) => n.info.id);
      if (result.closest.map((c) => c.id).join() === want.join()) exact++;
      failures += failed.length;
    }
    assert.ok(failures > 0, 'the scenario did hit bad nodes');
    assert.ok(exact / runs >= 0.97, `exact in ${exact}/${runs}`);
    assert.ok(net.maxInFlight <= DEFAULT_ALPHA, `max in flight ${net.maxInFlight}`);
    assert.equal(clock.pending, 0);
  });

  it('a silent node costs one query timeout, not the lookup deadline', async () => {
    const s = setup(4, 200);
    const { net, clock, random } = s;
    const from = net.nodes[0]!;
    const key = random.bytes(32);
    const seeds = from.table.closest(key, net.k);
    net.silent.add(seeds[0]!.id);
    const start = clock.now();
    const result = await drive(clock, lookupFrom(s, from, key, { queryDeadlineMs: 300, deadlineMs: 10_000 }));
    assert.equal(result.timedOut, false);
    assert.equal(result.failed, 1);
    assert.ok(clock.now() - start < 1000, `took ${clock.now() - start} ms`);
  });

  it('on the deadline returns the best so far with timedOut, not an error', async () => {
    const s = setup(5, 500, { delayMs: 400, jitterMs: 0 });
    const { net, clock, random } = s;
    const from = net.nodes[0]!;
    const key = random.bytes(32);
    const failed: ContactInfo[] = [];
    const responders = new Set<string>();
    const result = await drive(
      clock,
      lookupFrom(s, from, key, {
        deadlineMs: 1000,
        onFailure: (c) => failed.push(c),
        onResponse: (c) => responders.add(c.id),
      }),
    );
    assert.equal(result.timedOut, true);
    assert.ok(result.closest.length > 0 && result.closest.length <= 20);
    // Two rounds of α answered by t = 800; the third round was cut off.
    assert.equal(responders.size, 2 * DEFAULT_ALPHA);
    assert.equal(result.queried, 3 * DEFAULT_ALPHA);
    for (const c of result.closest) assert.ok(responders.has(c.id), 'only nodes that answered');
    assert.deepEqual(failed, [], 'queries cut off by the lookup are not blamed on the nodes');
    assert.equal(result.failed, 0);
    assert.equal(net.inFlight, 0, 'cut-off queries were aborted');
    assert.equal(clock.pending, 0, 'no timers left behind');
  });

  it('rejects with ABORTED when the caller aborts, without blaming anyone', async () => {
    const s = setup(6, 500, { delayMs: 50, jitterMs: 0 });
    const { net, clock, random } = s;
    const controller = new AbortController();
    const failed: ContactInfo[] = [];
    const running = lookupFrom(s, net.nodes[0]!, random.bytes(32), {
      signal: controller.signal,
      onFailure: (c) => failed.push(c),
    });
    let settled = false;
    running.catch(() => {}).finally(() => (settled = true));
    await clock.advance(70);
    assert.equal(settled, false);
    controller.abort();
    await assert.rejects(running, { code: 'ABORTED' });
    assert.deepEqual(failed, []);
    await clock.advance(0);
    assert.equal(net.inFlight, 0);
    assert.equal(clock.pending, 0);
  });

  it('rejects at once for a signal already aborted, querying nobody', async () => {
    const s = setup(7, 50);
    const { net, random } = s;
    await assert.rejects(lookupFrom(s, net.nodes[0]!, random.bytes(32), { signal: AbortSignal.abort() }), {
      code: 'ABORTED',
    });
    assert.equal(net.queries, 0);
    assert.equal(s.clock.pending, 0);
  });
});

describe('lookup, hand-made cases', () => {
  const clock = new ManualClock();

  function node(firstByte: number): ContactInfo {
    const id = new Uint8Array(32);
    id[0] = firstByte;
    return { id: idToHex(id), address: `n${firstByte}:1`, role: 'peer', incarnation: 1 };
  }
  const KEY = new Uint8Array(32); // all zero: a node with a smaller first byte is closer

  it('counts hops as the depth of the closest answering node', async () => {
    const a = node(0x80);
    const b = node(0x40);
    const c = node(0x20);
    const answers = new Map<string, ContactInfo[]>([
      [a.id, [b]],
      [b.id, [c]],
      [c.id, []],
    ]);
    const result = await lookup({ key: KEY, seeds: [a], query: async (x) => answers.get(x.id)!, clock });
    assert.deepEqual(
      result.closest.map((x) => x.address),
      ['n32:1', 'n64:1', 'n128:1'],
    );
    assert.equal(result.hops, 2, 'seed a (0) named b (1) named c (2)');
    assert.equal(result.queried, 3);
    // Had the table known c, it would be 0 hops.
    const direct = await lookup({ key: KEY, seeds: [a, c], query: async (x) => answers.get(x.id)!, clock });
    assert.equal(direct.hops, 0);
  });

  it('counts rounds as the greatest depth among the k closest (IPFS path length)', async () => {
    const a = node(0x80);
    const b = node(0x40);
    const c = node(0x20);
    const answers = new Map<string, ContactInfo[]>([
      [a.id, [b]],
      [b.id, [c]],
      [c.id, []],
    ]);
    // The closest (c) is known at once, but b, among the k closest, only after a answered.
    const result = await lookup({ key: KEY, seeds: [a, c], query: async (x) => answers.get(x.id)!, clock });
    assert.equal(result.hops, 0);
    assert.equal(result.rounds, 1);
    const chain = await lookup({ key: KEY, seeds: [a], query: async (x) => answers.get(x.id)!, clock });
    assert.equal(chain.rounds, 2);
    const narrow = await lookup({ key: KEY, seeds: [a, c], k: 1, query: async (x) => answers.get(x.id)!, clock });
    assert.equal(narrow.rounds, 0, 'with k = 1 only c counts, and the table held it');
  });

  it('takes the shortest path to a node named twice', async () => {
    const a = node(0x80);
    const b = node(0x40);
    const c = node(0x08);
    // c is named both by a (depth 0, so c gets 1) and by b (depth 1, so c would get 2).
    const answers = new Map<string, ContactInfo[]>([
      [a.id, [b, c]],
      [b.id, [c]],
      [c.id, []],
    ]);
    const result = await lookup({ key: KEY, seeds: [a], query: async (x) => answers.get(x.id)!, clock });
    assert.equal(result.closest[0]!.id, c.id);
    assert.equal(result.hops, 1);
  });

  it('returns nothing, at once, without seeds', async () => {
    const result = await lookup({ key: KEY, seeds: [], query: async () => [], clock });
    assert.deepEqual(result, { closest: [], hops: 0, rounds: 0, queried: 0, failed: 0, timedOut: false });
    assert.equal(clock.pending, 0);
  });

  it('never queries nor returns its own id, and skips malformed ids in answers', async () => {
    const self = node(0x01);
    const a = node(0x80);
    const queried: string[] = [];
    const result = await lookup({
      key: KEY,
      seeds: [a, self],
      self: self.id,
      query: async (x) => {
        queried.push(x.id);
        return [self, { ...node(0x02), id: 'not-hex' }, { ...node(0x0a), id: node(0x0a).id.toUpperCase() }];
      },
      clock,
    });
    assert.deepEqual(queried, [a.id]);
    assert.deepEqual(
      result.closest.map((x) => x.id),
      [a.id],
    );
  });

  it('reads at most k contacts from an answer', async () => {
    const a = node(0x80);
    const flood = Array.from({ length: 50 }, (_, i) => node(i + 1));
    const queried: string[] = [];
    await lookup({
      key: KEY,
      seeds: [a],
      k: 3,
      query: async (x) => {
        queried.push(x.id);
        return x.id === a.id ? [...flood].reverse() : [];
      },
      clock,
    });
    // Reversed, the first 3 read are the farthest of the flood: 0x32, 0x31, 0x30.
    assert.deepEqual(queried.slice(1).sort(), [node(0x30).id, node(0x31).id, node(0x32).id].sort());
  });

  it('keeps the highest incarnation seen for a node not yet queried', async () => {
    const a = node(0x80);
    const b = node(0x40);
    const c1 = { ...node(0x20), incarnation: 1, address: 'old:1' };
    const c2 = { ...node(0x20), incarnation: 2, address: 'new:1' };
    const addressesAsked: string[] = [];
    const result = await lookup({
      key: KEY,
      seeds: [a, b],
      alpha: 2,
      query: async (x) => {
        addressesAsked.push(x.address);
        if (x.id === a.id) return [c1];
        if (x.id === b.id) return [c2];
        return [];
      },
      clock,
    });
    assert.ok(addressesAsked.includes('new:1'));
    assert.ok(!addressesAsked.includes('old:1'));
    assert.equal(result.closest[0]!.address, 'new:1');
  });

  it('a query that throws synchronously counts as a failure', async () => {
    const a = node(0x80);
    const b = node(0x40);
    const failed: string[] = [];
    const result = await lookup({
      key: KEY,
      seeds: [a, b],
      query: (x) => {
        if (x.id === b.id) throw new UnavailableError('boom');
        return Promise.resolve([]);
      },
      onFailure: (x) => failed.push(x.id),
      clock,
    });
    assert.deepEqual(failed, [b.id]);
    assert.deepEqual(
      result.closest.map((x) => x.id),
      [a.id],
    );
    assert.equal(result.failed, 1);
  });

  it('a hook that throws ends the lookup with its error instead of hanging it', async () => {
    const a = node(0x80);
    await assert.rejects(
      lookup({
        key: KEY,
        seeds: [a],
        query: async () => [],
        onResponse: () => {
          throw new Error('hook bug');
        },
        clock,
      }),
      /hook bug/,
    );
  });

  describe('refresh (known): stops after the first round when it named nobody unknown', () => {
    // Seeds a..e, closest first to KEY; each answers with the others (all known) unless told.
    const seeds = [0x08, 0x10, 0x20, 0x40, 0x80].map(node);
    const stranger = node(0x04);
    const known = new Set(seeds.map((s) => s.id));
    const cases: { name: string; answers?: Map<string, ContactInfo[]>; fail?: string; queried: number; closest?: number }[] = [
      { name: 'every answer names known nodes only: α queries, then done', queried: DEFAULT_ALPHA, closest: DEFAULT_ALPHA },
      {
        name: 'one first-round answer names an unknown node: a full lookup',
        answers: new Map([[seeds[1]!.id, [stranger]]]),
        queried: seeds.length + 1,
      },
      { name: 'a first-round query fails: a full lookup', fail: seeds[2]!.id, queried: seeds.length },
      {
        name: 'an unknown node named past the first round does not matter (nobody asks)',
        answers: new Map([[seeds[4]!.id, [stranger]]]),
        queried: DEFAULT_ALPHA,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const asked: string[] = [];
        const result = await lookup({
          key: KEY,
          seeds,
          clock,
          known: (id) => known.has(id),
          query: async (x) => {
            asked.push(x.id);
            if (x.id === c.fail) throw new UnavailableError('down');
            return c.answers?.get(x.id) ?? seeds.filter((s) => s.id !== x.id);
          },
        });
        assert.equal(result.queried, c.queried, `asked ${asked.length}`);
        assert.deepEqual(asked.slice(0, DEFAULT_ALPHA), seeds.slice(0, DEFAULT_ALPHA).map((s) => s.id), 'the first round asks the α closest');
        if (c.closest !== undefined) assert.equal(result.closest.length, c.closest);
        assert.equal(result.timedOut, false);
        assert.equal(clock.pending, 0, 'no timer left behind');
      });
    }

    it('fewer seeds than α: the first round is every seed', async () => {
      const result = await lookup({ key: KEY, seeds: seeds.slice(3), clock, known: () => true, query: async () => seeds.slice(3) });
      assert.equal(result.queried, 2);
    });

    it('without known, the same network is asked in full', async () => {
      const result = await lookup({ key: KEY, seeds, clock, query: async (x) => seeds.filter((s) => s.id !== x.id) });
      assert.equal(result.queried, seeds.length);
    });
  });

  it('validates its init (as a rejection)', async () => {
    const base = { key: KEY, seeds: [], query: async () => [], clock };
    await assert.rejects(lookup({ ...base, key: new Uint8Array(3) }), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(lookup({ ...base, alpha: 0 }), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(lookup({ ...base, k: 1.5 }), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(lookup({ ...base, deadlineMs: 0 }), { code: 'INVALID_ARGUMENT' });
  });
});
