import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PeerweaveError, ResourceExhaustedError } from '@peerweave/core';
import { SeededRandom } from '@peerweave/core';
import { cidKey, cidToString, importFile } from '@peerweave/storage';
import { preferenceList } from './placement.ts';
import { createContentCluster, type ContentCluster, type ContentClusterNode } from './testing/index.ts';

async function* chunks(bytes: Uint8Array, size = 64 * 1024): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function readAll(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of source) parts.push(p);
  return Buffer.concat(parts);
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const meta = { name: 'f.bin', contentType: 'application/octet-stream', keywords: ['test'] };

/** Nodes (running) that hold `cid` as a replica or hand-off copy, by their own bookkeeping. */
function holders(cluster: ContentCluster, cid: string): ContentClusterNode[] {
  return cluster.running().filter((n) => {
    const row = n.db.getBlock(cid);
    return row !== undefined && row.kind !== 'cache';
  });
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => err instanceof PeerweaveError && err.code === code);
}

describe('content over 20 in-process nodes: 1 000 objects, r − 1 nodes killed at once', { timeout: 600_000 }, () => {
  let cluster: ContentCluster;
  const random = new SeededRandom(42);
  const objects: { cid: string; hash: string; size: number }[] = [];
  let killed: number[] = [];
  const allBlocks: string[] = [];

  before(async () => {
    cluster = await createContentCluster(20, { seed: 7, content: { cacheBytes: 0 } });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('puts 1 000 objects through random nodes, each acknowledged by at least w replicas', async () => {
    for (let i = 0; i < 1000; i++) {
      // Mostly small objects; every 100th spans several blocks (and an inner dag-pb node).
      const size = i % 100 === 0 ? 600_000 + random.int(100_000) : 1 + random.int(4_000);
      const bytes = random.bytes(size);
      const node = cluster.nodes[random.int(cluster.nodes.length)]!;
      const out = await node.content.put(chunks(bytes), meta);
      assert.ok(out.replicas >= 2, `object ${i} acknowledged by ${out.replicas}`);
      assert.equal(out.size, size);
      objects.push({ cid: out.cid, hash: sha(bytes), size });
    }
    assert.equal(new Set(objects.map((o) => o.cid)).size, 1000);
  });

  it('every block is on r nodes', async () => {
    const under: string[] = [];
    for (const o of objects) {
      for (const loc of await cluster.nodes[0]!.content.locate(o.cid)) {
        allBlocks.push(loc.cid);
        if (loc.holders.length < 3) under.push(loc.cid);
      }
    }
    assert.deepEqual(under, []);
  });

  it('after killing r − 1 = 2 nodes at once, every object reads back byte-identical from every live node', async () => {
    killed = [3, 11];
    for (const k of killed) cluster.kill(k);
    const live = cluster.running();
    for (const o of objects) {
      for (const node of live) {
        const got = await readAll(node.content.read(o.cid, undefined));
        assert.equal(sha(got), o.hash, `${o.cid} from node ${node.index}`);
      }
    }
  });

  it('the replicas of every block return to r without an operator', async () => {
    // Clock time passes (SWIM declares the two dead, repair timers fire) until every block is on
    // 3 live nodes again: nobody calls repair by hand.
    const short = (): string[] => allBlocks.filter((c) => holders(cluster, c).length < 3);
    await cluster.advanceUntil(() => short().length === 0, 120_000).catch(() => {});
    assert.deepEqual(short(), []);
  });

  it('a deleted object stays deleted after the killed nodes return with their old copies, repair and anti-entropy', async () => {
    const deleted = objects.slice(0, 25);
    for (const o of deleted) await cluster.running()[0]!.content.remove(o.cid);
    for (const k of killed) await cluster.restart(k);
    await cluster.advance(12_000);
    await cluster.repairAll();
    await Promise.all(cluster.running().map((n) => n.content.antiEntropy()));
    await cluster.repairAll();
    for (const o of deleted) {
      for (const node of cluster.running()) {
        await expectCode(node.content.stat(o.cid), 'NOT_FOUND');
        assert.equal(node.db.getRecord(o.cid), undefined, `record of ${o.cid} on node ${node.index}`);
      }
      assert.deepEqual(holders(cluster, o.cid).map((n) => n.index), [], `blocks of ${o.cid} still held`);
    }
    // The others are untouched.
    for (const o of objects.slice(25, 60)) {
      const got = await readAll(cluster.nodes[killed[0]!]!.content.read(o.cid, undefined));
      assert.equal(sha(got), o.hash);
    }
  });
});

describe('content: quorum, hand-off, corruption', { timeout: 120_000 }, () => {
  it('a put that cannot reach w replicas fails with INSUFFICIENT_REPLICAS, and a retry succeeds once peers return', async () => {
    const cluster = await createContentCluster(3, { seed: 3 });
    try {
      cluster.kill(1);
      cluster.kill(2);
      await cluster.advance(10_000);
      const bytes = new SeededRandom(1).bytes(10_000);
      await expectCode(cluster.nodes[0]!.content.put(chunks(bytes), meta), 'INSUFFICIENT_REPLICAS');
      await cluster.restart(1);
      await cluster.advance(5_000);
      const out = await cluster.nodes[0]!.content.put(chunks(bytes), meta);
      assert.equal(out.replicas, 2);
      assert.equal(sha(await readAll(cluster.nodes[1]!.content.read(out.cid, undefined))), sha(bytes));
    } finally {
      await cluster.stop();
    }
  });

  it('a copy for a replica that is down goes to the next node, and moves back when it returns', async () => {
    const cluster = await createContentCluster(6, { seed: 5 });
    try {
      const bytes = new SeededRandom(2).bytes(1_000);
      // Work out where this content belongs before putting it, then take one replica down.
      const { cid } = await importFile(chunks(bytes), async () => {});
      const order = preferenceList(cidKey(cid), cluster.nodes[0]!.content.self, cluster.nodes.slice(1).map((n) => n.content.self));
      const down = cluster.nodes.find((n) => n.id === order[2]!.id)!;
      const stand = cluster.nodes.find((n) => n.id === order[3]!.id)!;
      const writer = cluster.nodes.find((n) => !order.slice(0, 3).some((c) => c.id === n.id))!;
      cluster.kill(down.index);
      // Not yet declared dead: the put tries it, fails, and hands the copy to the next node.
      const out = await writer.content.put(chunks(bytes), meta);
      assert.equal(out.cid, cidToString(cid));
      assert.equal(out.replicas, 3, 'two replicas and the stand-in (sloppy quorum)');
      assert.equal(stand.db.getBlock(out.cid)?.kind, 'hint');
      assert.ok(stand.db.getRecord(out.cid), 'the stand-in of the root holds the record too');
      assert.equal(stand.db.getBlock(out.cid)?.hintFor, down.id);
      await cluster.restart(down.index);
      await cluster.advance(5_000);
      await cluster.repairAll();
      assert.equal(down.db.getBlock(out.cid)?.kind, 'replica', 'the returning replica got its copy back');
      assert.ok(down.db.getRecord(out.cid), 'with the record');
      assert.notEqual(stand.db.getBlock(out.cid)?.kind, 'hint', 'the stand-in no longer keeps it as a hint');
      assert.equal(holders(cluster, out.cid).length, 3);
    } finally {
      await cluster.stop();
    }
  });

  it('a block whose bytes do not match its CID is never stored, and a reader skips a peer that sends one', async () => {
    const cluster = await createContentCluster(5, { seed: 11, content: { cacheBytes: 0 } });
    try {
      const bytes = new SeededRandom(4).bytes(3_000);
      const out = await cluster.nodes[0]!.content.put(chunks(bytes), meta);
      // Straight to a peer's handler: refused with CORRUPT_BLOCK.
      await expectCode(
        cluster.nodes[1]!.content.handler.putBlock({ cid: out.cid, data: new Uint8Array([1, 2, 3]), roots: [], hintFor: '' }, { signal: new AbortController().signal, peer: 'test' }),
        'CORRUPT_BLOCK',
      );
      // One replica turns liar: a reader elsewhere still gets the right bytes.
      const loc = (await cluster.nodes[0]!.content.locate(out.cid))[0]!;
      const liar = cluster.nodes.find((n) => n.id === loc.holders[0])!;
      liar.content.handler.getBlock = async () => ({ found: true, data: new Uint8Array(3_000) });
      const reader = cluster.nodes.find((n) => !loc.holders.includes(n.id))!;
      assert.equal(sha(await readAll(reader.content.read(out.cid, undefined))), sha(bytes));
      // A multi-block file is swarmed from all holders at once: the liar's blocks are refused.
      const big = new SeededRandom(5).bytes(1_500_000);
      const bigOut = await cluster.nodes[2]!.content.put(chunks(big), meta);
      const bigReader = cluster.nodes.find((n) => n !== liar && n.index !== 2)!;
      assert.equal(sha(await readAll(bigReader.content.read(bigOut.cid, undefined))), sha(big));
      const part = await readAll(bigReader.content.read(bigOut.cid, { offset: 300_000, length: 500_000 }));
      assert.ok(part.equals(Buffer.from(big.subarray(300_000, 800_000))), 'a range across leaves');
    } finally {
      await cluster.stop();
    }
  });

  it('an upload that fails midway (client gone) leaves nothing acknowledged on any node', async () => {
    const cluster = await createContentCluster(5, { seed: 17 });
    try {
      const rowsBefore = cluster.nodes.map((n) => [...n.db.blocks()].filter((r) => r.kind !== 'cache').length);
      const random = new SeededRandom(6);
      async function* dropsMidway(): AsyncIterable<Uint8Array> {
        for (let i = 0; i < 8; i++) yield random.bytes(100_000);
        throw new Error('client went away');
      }
      await assert.rejects(cluster.nodes[0]!.content.put(dropsMidway(), meta), /client went away/);
      const rowsAfter = cluster.nodes.map((n) => [...n.db.blocks()].filter((r) => r.kind !== 'cache').length);
      assert.deepEqual(rowsAfter, rowsBefore, 'no replica, hint or record was written anywhere');
      assert.ok(cluster.nodes.every((n) => n.db.listRecords({ limit: 10 }).length === 0));
      // What was staged is evictable cache claimed by no object.
      assert.ok([...cluster.nodes[0]!.db.blocks()].every((r) => r.kind === 'cache' && r.roots.length === 0));
    } finally {
      await cluster.stop();
    }
  });

  it('tombstone rules: a deleted object refuses its blocks and record, the same bytes cannot be stored again until it expires', async () => {
    const cluster = await createContentCluster(4, { seed: 19, content: { tombstoneTtlMs: 60_000 } });
    try {
      const bytes = new SeededRandom(8).bytes(2_000);
      const out = await cluster.nodes[0]!.content.put(chunks(bytes), meta);
      await cluster.nodes[1]!.content.remove(out.cid);
      const signal = new AbortController().signal;
      for (const n of cluster.nodes) {
        assert.ok(n.db.getTombstone(out.cid), `node ${n.index} knows the delete`);
        const refused = await n.content.handler.putBlock({ cid: out.cid, data: bytes, roots: [out.cid], hintFor: '' }, { signal, peer: 'test' });
        assert.equal(refused.stored, false, 'a block of a deleted object is refused');
      }
      await expectCode(cluster.nodes[2]!.content.put(chunks(bytes), meta), 'FAILED_PRECONDITION');
      // A block shared with a live object is still accepted.
      const shared = await cluster.nodes[0]!.content.handler.putBlock({ cid: out.cid, data: bytes, roots: [out.cid, 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'], hintFor: '' }, { signal, peer: 'test' });
      assert.equal(shared.stored, true);
      // After the TTL the tombstone is collected and the bytes can be stored again.
      await cluster.advance(61_000);
      await cluster.repairAll(1);
      assert.equal(cluster.nodes[0]!.db.getTombstone(out.cid), undefined);
      const again = await cluster.nodes[2]!.content.put(chunks(bytes), meta);
      assert.equal(again.cid, out.cid);
    } finally {
      await cluster.stop();
    }
  });

  it('an unknown CID is NOT_FOUND and a malformed one INVALID_CID', async () => {
    const cluster = await createContentCluster(4, { seed: 13 });
    try {
      await expectCode(cluster.nodes[0]!.content.stat('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'), 'NOT_FOUND');
      await expectCode(cluster.nodes[0]!.content.stat('not-a-cid'), 'INVALID_CID');
    } finally {
      await cluster.stop();
    }
  });
});

describe('content: providers and per-peer limits', { timeout: 120_000 }, () => {
  it('after ten different nodes read a file, more than r nodes provide it, and a later reader is served by providers while the replicas are overloaded', async () => {
    const cluster = await createContentCluster(14, { seed: 21 });
    try {
      const bytes = new SeededRandom(21).bytes(2 * 1024 * 1024);
      const out = await cluster.nodes[0]!.content.put(chunks(bytes), meta);
      const readers = cluster.nodes.slice(1, 11);
      for (const r of readers) assert.equal(sha(await readAll(r.content.read(out.cid, undefined))), sha(bytes));
      await cluster.advance(1_000);
      const providers = await cluster.nodes[12]!.content.findProviders(out.cid);
      const announced = readers.filter((r) => r.content.provided().includes(out.cid));
      assert.ok(announced.length >= 8, `most readers kept blocks and announced themselves (${announced.length})`);
      assert.ok(providers.length > 3, `more than r = 3 providers known (${providers.length})`);
      assert.ok(providers.every((p) => readers.some((r) => r.id === p.id)), 'only readers announced');

      // Replica copies are overloaded (every node refuses a leaf it holds as a replica with
      // RESOURCE_EXHAUSTED): the next reader still gets the file, from cached copies, which only
      // the provider records point it to.
      const leafCids = new Set(cluster.nodes.flatMap((r) => r.db.blocksOfRoot(out.cid)).filter((c) => c !== out.cid));
      let servedByCache = 0;
      for (const n of cluster.nodes.filter((x) => x.index !== 13)) {
        const get = n.content.handler.getBlock;
        n.content.handler.getBlock = async (req, ctx) => {
          const kind = n.db.getBlock(req.cid)?.kind;
          if (leafCids.has(req.cid) && kind !== 'cache') throw new ResourceExhaustedError('busy');
          const res = await get(req, ctx);
          if (res.found && kind === 'cache') servedByCache++;
          return res;
        };
        // Swarmed reads use the read stream (GetBlocks), which serves through readBlock.
        const read = n.content.handler.readBlock;
        n.content.handler.readBlock = async (cid, ctx) => {
          const kind = n.db.getBlock(cid)?.kind;
          if (leafCids.has(cid) && kind !== 'cache') throw new ResourceExhaustedError('busy');
          const res = await read(cid, ctx);
          if (res !== undefined && kind === 'cache') servedByCache++;
          return res;
        };
      }
      const remote = [...leafCids].filter((c) => cluster.nodes[13]!.db.getBlock(c) === undefined);
      assert.equal(sha(await readAll(cluster.nodes[13]!.content.read(out.cid, undefined))), sha(bytes));
      assert.ok(remote.length > 0 && servedByCache >= remote.length, `every leaf not held here came from a cached copy (${servedByCache} of ${remote.length})`);
    } finally {
      await cluster.stop();
    }
  });

  it('block requests beyond the per-peer limit are refused with RESOURCE_EXHAUSTED, not queued; other peers are unaffected', async () => {
    const cluster = await createContentCluster(3, { seed: 23, content: { maxRequestsPerPeer: 2 } });
    try {
      const out = await cluster.nodes[0]!.content.put(chunks(new SeededRandom(3).bytes(5_000)), meta);
      const server = holders(cluster, out.cid)[0]!.content;
      const signal = new AbortController().signal;
      const calls = Array.from({ length: 5 }, () => server.handler.getBlock({ cid: out.cid }, { signal, peer: 'greedy:1' }));
      const other = server.handler.getBlock({ cid: out.cid }, { signal, peer: 'polite:1' });
      const settled = await Promise.allSettled(calls);
      assert.equal(settled.filter((s) => s.status === 'fulfilled').length, 2);
      for (const s of settled.filter((x) => x.status === 'rejected')) {
        assert.ok(s.reason instanceof PeerweaveError && s.reason.code === 'RESOURCE_EXHAUSTED', String(s.reason));
      }
      assert.equal((await other).found, true, 'another peer is served');
      assert.equal((await server.handler.getBlock({ cid: out.cid }, { signal, peer: 'greedy:1' })).found, true, 'served again once its requests ended');
    } finally {
      await cluster.stop();
    }
  });
});
