import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom, UnavailableError, type ObjectRecord } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { PeerContact, PutBlockRequest } from '@peerweave/protocol';
import { CHUNK_SIZE, signRecord } from '@peerweave/storage';
import type { RecordAnswer } from './record-lookup.ts';
import { contact, contentMetrics, memoryDb, signer } from './test-support.ts';
import { WritePath } from './write-path.ts';

const self = contact(1);
const [a, b, spare1, spare2] = [contact(2), contact(3), contact(4), contact(5)];
const meta = { name: 'f.bin', contentType: 'application/octet-stream', keywords: ['Test'] };

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/**
 * ok; down (unreachable); refuse (object deleted there); nopin (takes blocks, then cannot pin
 * them); silent (across a partition: every call fails only at its 5 s deadline, clock time).
 */
type Behaviour = 'ok' | 'down' | 'refuse' | 'nopin' | 'silent';
const DEADLINE_MS = 5_000;

function setup(behaviour: Record<string, Behaviour> = {}, existing: RecordAnswer = {}, window?: number, ownDiskMs = 0) {
  const clock = new ManualClock(1_700_000_000_000);
  const db = memoryDb();
  const { metrics, recorded } = contentMetrics();
  const events: string[] = [];
  const sent: [string, PutBlockRequest][] = [];
  const pins: [string, string, { cid: string; hintFor: string }[]][] = [];
  const recordsSent: string[] = [];
  const storedHere: PutBlockRequest[] = [];
  const pinnedHere: string[] = [];
  const releasedHere: string[] = [];
  const indexed: ObjectRecord[] = [];
  const how = (peer: PeerContact): Behaviour => behaviour[peer.id.slice(0, 2)] ?? 'ok';
  const act = (peer: PeerContact): boolean => {
    const what = how(peer);
    if (what === 'down') throw new UnavailableError('down');
    return what !== 'refuse';
  };
  let inFlight = 0;
  let peakInFlight = 0;
  const write = new WritePath({
    self,
    identity: signer(),
    db,
    clock,
    metrics,
    replicaSet: { r: 3, w: 2, preferenceList: async () => [self, a, b, spare1, spare2] },
    peers: {
      concurrency: 2,
      storeBlock: async (peer, request) => {
        inFlight++;
        peakInFlight = Math.max(peakInFlight, inFlight);
        if (how(peer) === 'silent') {
          await clock.sleep(DEADLINE_MS);
          inFlight--;
          throw new UnavailableError('deadline exceeded');
        }
        await new Promise((r) => setImmediate(r));
        inFlight--;
        sent.push([peer.id.slice(0, 2), request]);
        events.push(`send ${request.roots.length > 0 ? 'root' : 'block'}`);
        return act(peer);
      },
      storeRecord: async (peer) => (recordsSent.push(peer.id.slice(0, 2)), act(peer)),
      pinBlocks: async (peer, root, blocks, _signal, release) => {
        pins.push([peer.id.slice(0, 2), root, [...blocks]]);
        events.push(release ? 'release' : 'pin');
        if (how(peer) === 'silent') await clock.sleep(DEADLINE_MS);
        if (how(peer) === 'down') throw new UnavailableError('down');
        return blocks.map(() => how(peer) === 'ok');
      },
    },
    server: {
      acceptBlock: async (request) => {
        if (ownDiskMs > 0) await clock.sleep(ownDiskMs);
        storedHere.push(request);
        return true;
      },
      acceptRecord: () => true,
      pin: (_root, blocks) => (pinnedHere.push(...blocks.map((x) => x.cid)), blocks.map(() => true)),
      release: (_root, blocks) => (releasedHere.push(...blocks.map((x) => x.cid)), blocks.map(() => true)),
    },
    records: { find: async () => existing },
    tombstones: { expiresMs: (t) => t.deletedMs + 60_000, apply: () => true },
    onRecords: { stored: (r) => indexed.push(r) },
    ...(window !== undefined ? { writeWindowBlocks: window } : {}),
  });
  return { clock, db, recorded, events, sent, pins, recordsSent, storedHere, pinnedHere, releasedHere, indexed, write, peak: () => peakInFlight };
}

const file = new SeededRandom(7).bytes(2 * CHUNK_SIZE + 10);

/** Runs `put` while moving the manual clock 50 ms at a time; how much clock time it took. */
async function timed<T>(clock: ManualClock, put: Promise<T>): Promise<{ ms: number; outcome: PromiseSettledResult<T> }> {
  const t0 = clock.now();
  let outcome: PromiseSettledResult<T> | undefined;
  put.then(
    (value) => (outcome = { status: 'fulfilled', value }),
    (reason: unknown) => (outcome = { status: 'rejected', reason }),
  );
  for (let i = 0; i < 1_000 && outcome === undefined; i++) {
    await new Promise((r) => setImmediate(r));
    if (outcome === undefined) await clock.advance(50);
  }
  assert.ok(outcome, 'the put ended within 50 s of clock time');
  return { ms: clock.now() - t0, outcome };
}

describe('WritePath', () => {
  it('sends every block to its r replicas as it is made, unrooted; pins them at the end; the root goes last with the record', async () => {
    const s = setup();
    const out = await s.write.put(once(file), meta);
    assert.deepEqual({ size: out.size, blocks: out.blocks, replicas: out.replicas }, { size: file.length, blocks: 4, replicas: 3 });
    assert.equal(s.storedHere.length, 4, 'this node is a replica of every block here');
    assert.deepEqual([...new Set(s.sent.map(([peer]) => peer))].sort(), ['02', '03']);
    const leaves = s.sent.filter(([, r]) => r.roots.length === 0);
    const roots = s.sent.filter(([, r]) => r.roots.length > 0);
    assert.equal(leaves.length, 6, 'three leaves to two peers, no roots yet');
    assert.deepEqual(roots.map(([peer, r]) => [peer, r.cid, r.roots, r.record?.cid]).sort(), [
      ['02', out.cid, [out.cid], out.cid],
      ['03', out.cid, [out.cid], out.cid],
    ]);
    assert.deepEqual(s.recordsSent, [], 'the record travelled with the root block');
    assert.deepEqual(s.pins.map(([peer, root, blocks]) => [peer, root, blocks.length]).sort(), [
      ['02', out.cid, 3],
      ['03', out.cid, 3],
    ]);
    assert.equal(s.pinnedHere.length, 3);
    assert.ok(s.events.indexOf('pin') > s.events.lastIndexOf('send block'), 'pins only after every block was sent');
    assert.deepEqual(s.indexed.map((r) => [r.cid, r.keywords]), [[out.cid, ['test']]], 'the uploader lists it');
    assert.equal(s.recorded.value('peerweave_content_puts_total', { outcome: 'ok' }), 1);
  });

  it('a one-block object costs one call per replica: block and record together, no pin', async () => {
    const s = setup();
    const out = await s.write.put(once(new Uint8Array([1, 2, 3])), meta);
    assert.equal(out.replicas, 3);
    assert.deepEqual(s.sent.map(([peer, r]) => [peer, r.record !== undefined]).sort(), [
      ['02', true],
      ['03', true],
    ]);
    assert.deepEqual(s.pins, []);
    assert.deepEqual(s.recordsSent, []);
  });

  it('at most the window of blocks is on its way at once', async () => {
    const s = setup({}, {}, 2);
    const big = new SeededRandom(9).bytes(12 * CHUNK_SIZE);
    const out = await s.write.put(once(big), meta);
    assert.equal(out.blocks, 13);
    // Two blocks in the window, each to two other nodes at once.
    assert.ok(s.peak() <= 4, `peak ${s.peak()} sends in flight`);
  });

  it('a copy for a replica that does not answer goes to the next node that does, as a hint for it, pinned as a hint, and counts', async () => {
    const s = setup({ '03': 'down', '04': 'down' });
    const out = await s.write.put(once(file), meta);
    assert.equal(out.replicas, 3, 'two replicas and the stand-in of the third');
    const hints = s.sent.filter(([peer, r]) => r.hintFor !== '' && peer === '05');
    assert.ok(hints.length === 4 && hints.every(([, r]) => r.hintFor === b.id), 'one hint per block on the first spare that answers');
    assert.deepEqual(
      hints.filter(([, r]) => r.record !== undefined).map(([, r]) => r.cid),
      [out.cid],
      'the root’s hint carries the record',
    );
    const pinned05 = s.pins.find(([peer]) => peer === '05')!;
    assert.ok(pinned05[2].every((x) => x.hintFor === b.id));
    assert.equal(s.recorded.value('peerweave_replication_handoffs_total', { event: 'stored' }), 4);
  });

  it('a replica that stays silent (across a partition) does not hold the put for the call deadline: its hint goes out after the speculative delay', async () => {
    const small = setup({ '03': 'silent' });
    const one = await timed(small.clock, small.write.put(once(new Uint8Array([1, 2, 3])), meta));
    assert.equal(one.outcome.status, 'fulfilled');
    assert.ok(one.ms <= 600, `acknowledged after ${one.ms} ms of clock time (the deadline is ${DEADLINE_MS})`);
    assert.deepEqual(
      small.sent.filter(([, r]) => r.hintFor !== '').map(([peer, r]) => [peer, r.hintFor.slice(0, 2), r.record === undefined]),
      [['04', '03', false]],
      'a hint on the next node, with the record (it counts towards w)',
    );
    const big = setup({ '03': 'silent' });
    const many = await timed(big.clock, big.write.put(once(file), meta));
    assert.equal(many.outcome.status, 'fulfilled');
    assert.equal((many.outcome as PromiseFulfilledResult<{ replicas: number }>).value.replicas, 3);
    // The leaves' delay, then the root's own (it goes out after the pins).
    assert.ok(many.ms <= 1_100, `a 4-block put acknowledged after ${many.ms} ms of clock time`);
    assert.ok(!big.pins.some(([peer]) => peer === '03'), 'the silent replica is not asked to pin what it never acknowledged');
    assert.ok(big.pins.find(([peer]) => peer === '04')![2].every((x) => x.hintFor === b.id), 'the hints are pinned as hints');
  });

  it('this node’s own copy is never taken for a silent replica, however slow its disk', async () => {
    const s = setup({}, {}, undefined, 2_000);
    const { ms, outcome } = await timed(s.clock, s.write.put(once(new Uint8Array([4, 5, 6])), meta));
    assert.equal(outcome.status, 'fulfilled');
    assert.ok(ms >= 2_000, 'it waited for its own copy');
    assert.ok(s.sent.every(([, r]) => r.hintFor === ''), 'no hint for it');
  });

  it('two of three replicas silent (a partition): their stand-ins make the quorum, after the speculative delay, not the deadline', async () => {
    const s = setup({ '02': 'silent', '03': 'silent' });
    const { ms, outcome } = await timed(s.clock, s.write.put(once(file), meta));
    assert.equal(outcome.status, 'fulfilled', String((outcome as PromiseRejectedResult).reason));
    assert.ok(ms < DEADLINE_MS, `acknowledged after ${ms} ms of clock time`);
    assert.deepEqual(
      [...new Set(s.sent.filter(([, r]) => r.hintFor !== '').map(([peer, r]) => `${peer}→${r.hintFor.slice(0, 2)}`))].sort(),
      ['04→02', '05→03'],
    );
    assert.ok(!s.pins.some(([peer]) => peer === '02' || peer === '03'), 'the silent replicas are not asked to pin');
    assert.equal(s.indexed.length, 1);
  });

  it('a replica found silent by one put gets its stand-in at once in the next: no speculative delay per block', async () => {
    const s = setup({ '03': 'silent' });
    const first = await timed(s.clock, s.write.put(once(file), meta));
    assert.equal(first.outcome.status, 'fulfilled');
    const second = await timed(s.clock, s.write.put(once(new SeededRandom(8).bytes(3 * CHUNK_SIZE)), meta));
    assert.equal(second.outcome.status, 'fulfilled');
    assert.ok(first.ms >= 500, `the first put met the speculative delay (${first.ms} ms)`);
    assert.ok(second.ms < 500, `the second put took ${second.ms} ms of clock time`);
  });

  it('fewer than w nodes of the list reachable: the put fails within the deadline after the last hint, and releases its pins', async () => {
    const s = setup({ '02': 'silent', '03': 'silent', '04': 'silent', '05': 'silent' });
    const { ms, outcome } = await timed(s.clock, s.write.put(once(file), meta));
    assert.equal(outcome.status, 'rejected');
    assert.equal((outcome as PromiseRejectedResult).reason.code, 'INSUFFICIENT_REPLICAS');
    assert.ok(ms >= DEADLINE_MS && ms <= DEADLINE_MS + 2_000, `failed after ${ms} ms`);
    assert.equal(s.releasedHere.length, 3, 'this node released what it pinned');
    assert.ok(s.sent.every(([, r]) => r.roots.length === 0), 'no root block, no record');
    assert.deepEqual(s.indexed, []);
  });

  it('below w copies: INSUFFICIENT_REPLICAS, counted, nothing listed', async () => {
    const s = setup({ '02': 'down', '03': 'down', '04': 'down', '05': 'down' });
    await assert.rejects(s.write.put(once(new Uint8Array([1, 2, 3])), meta), { code: 'INSUFFICIENT_REPLICAS' });
    assert.equal(s.recorded.value('peerweave_content_puts_total', { outcome: 'insufficient_replicas' }), 1);
    assert.deepEqual(s.indexed, []);
  });

  it('copies that reach a replica but cannot be pinned there do not count; what was pinned is released, and the root never goes out', async () => {
    const s = setup({ '02': 'nopin', '03': 'nopin' });
    await assert.rejects(s.write.put(once(file), meta), { code: 'INSUFFICIENT_REPLICAS' });
    assert.equal(s.releasedHere.length, 3, 'this node released its pins');
    assert.ok(!s.events.includes('release'), 'nodes that pinned nothing are not asked to release');
    assert.ok(s.sent.every(([, r]) => r.roots.length === 0), 'no root block, no record');
    assert.deepEqual(s.indexed, []);
  });

  it('a replica that refuses the root (its object is deleted there) fails the put with FAILED_PRECONDITION', async () => {
    const s = setup({ '02': 'refuse' });
    await assert.rejects(s.write.put(once(new Uint8Array([1, 2, 3])), meta), { code: 'FAILED_PRECONDITION' });
  });

  it('a deleted object cannot be stored again before its tombstone expires; a known one keeps its creation time', async () => {
    const deleted = setup({ '02': 'refuse' }, { tombstone: { cid: 'x', deletedMs: 0, by: '' } });
    await assert.rejects(deleted.write.put(once(new Uint8Array([1])), meta), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'FAILED_PRECONDITION');
      assert.match(err.message, /1970-01-01T00:01:00.000Z/);
      return true;
    });
    const known = setup();
    const first = await known.write.put(once(new Uint8Array([1])), meta);
    known.clock.advance(5_000);
    known.db.putRecord(signRecord({ cid: first.cid, name: 'old', contentType: 't', size: 1, blocks: 1, keywords: [], createdMs: 42 }, signer()));
    await known.write.put(once(new Uint8Array([1])), meta);
    assert.equal(known.db.getRecord(first.cid)?.createdMs, 42);
  });

  it('an aborted upload rejects with ABORTED and leaves no send running', async () => {
    const s = setup();
    const controller = new AbortController();
    async function* slow(): AsyncIterable<Uint8Array> {
      yield new SeededRandom(3).bytes(CHUNK_SIZE);
      yield new SeededRandom(4).bytes(CHUNK_SIZE);
      controller.abort();
      yield new SeededRandom(5).bytes(CHUNK_SIZE);
    }
    await assert.rejects(s.write.put(slow(), meta, { signal: controller.signal }), { code: 'ABORTED' });
    assert.deepEqual(s.pins, [], 'nothing pinned');
    assert.ok(s.sent.every(([, r]) => r.roots.length === 0), 'only unrooted (evictable) copies went out');
  });
});
