import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasOwnBuffer, markOwnBuffer, NotFoundError, releaseChunk, SeededRandom } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { CHUNK_SIZE, cidToString, fileLeaves, importFile, parseCid, walkFileLeaves, type FileLeaf } from '@peerweave/storage';
import { MemoryBlocks } from '@peerweave/storage/testing';
import { ReadCache } from './read-cache.ts';
import { SwarmRead, type SwarmReadInit } from './swarm-read.ts';
import { contact, contentMetrics, MemoryBlockStore, memoryDb } from './test-support.ts';

const self = contact(1);
const honest = contact(2);
const liar = contact(3);

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

async function readAll(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of source) parts.push(p);
  return Buffer.concat(parts);
}

/** A file of four leaves held by `honest` (and a liar that sends zeros), read by a node holding none of it. */
async function setup(cacheBytes?: number, overrides: (store: MemoryBlocks) => Partial<SwarmReadInit> = () => ({})) {
  const file = new SeededRandom(3).bytes(3 * CHUNK_SIZE + 100);
  const store = new MemoryBlocks();
  const { cid } = await importFile(once(file), (c, b) => store.sink(c, b, {}));
  const leaves: FileLeaf[] = await fileLeaves(cid, store.get);
  const db = memoryDb();
  const blocks = new MemoryBlockStore();
  const clock = new ManualClock(0);
  const { metrics, recorded } = contentMetrics();
  const provided: [string, string[]][] = [];
  let providerQuestions = 0;
  let lookups = 0;
  const cache = new ReadCache({ db, blocks, clock, drop: async () => {}, ...(cacheBytes !== undefined ? { cacheBytes } : {}) });
  const swarm = new SwarmRead({
    self,
    db,
    blocks,
    clock,
    metrics,
    cache,
    replicaSet: { r: 3, knownPreferenceList: () => [self, honest, liar] },
    peers: {
      blockDeadlineMs: 5_000,
      fetchBlock: async (peer, c) => (peer.id === liar.id ? new Uint8Array(CHUNK_SIZE) : store.blocks.get(c)),
    },
    fetch: {
      getBlock: async (c) => {
        lookups++;
        const bytes = store.blocks.get(cidToString(typeof c === 'string' ? parseCid(c) : c));
        if (!bytes) throw new NotFoundError('nowhere');
        return bytes;
      },
    },
    providers: {
      findProviders: async () => (providerQuestions++, []),
      provide: (root, l) => void provided.push([root, l]),
    },
    ...overrides(store),
  });
  return { file, root: cidToString(cid), leaves, db, recorded, provided, swarm, counts: () => ({ providerQuestions, lookups }) };
}

describe('SwarmRead', () => {
  it('reads a file from its replicas, refusing a liar’s blocks, keeps the leaves and becomes a provider once', async () => {
    const s = await setup();
    assert.equal(s.leaves.length, 4);
    const got = await readAll(s.swarm.read(s.root, s.leaves, undefined, undefined));
    assert.ok(got.equals(Buffer.from(s.file)));
    for (const l of s.leaves) assert.equal(s.db.getBlock(cidToString(l.cid))?.kind, 'cache');
    assert.deepEqual(s.provided, [[s.root, s.leaves.map((l) => cidToString(l.cid))]]);
    assert.equal(s.counts().providerQuestions, 1, 'providers asked once a block was missing here');
  });

  it('one read keeps at most the cache’s capacity of its file, the first blocks (no churn through its own blocks)', async () => {
    const s = await setup(2 * CHUNK_SIZE);
    const got = await readAll(s.swarm.read(s.root, s.leaves, undefined, undefined));
    assert.ok(got.equals(Buffer.from(s.file)));
    assert.deepEqual(
      s.leaves.map((l) => s.db.getBlock(cidToString(l.cid))?.kind),
      ['cache', 'cache', undefined, undefined],
    );
  });

  it('takes the leaves as a stream (the walk of the inner nodes), and its provider record names only the leaves it kept', async () => {
    const s = await setup(2 * CHUNK_SIZE);
    const store = new MemoryBlocks();
    await importFile(once(s.file), (c, b) => store.sink(c, b, {}));
    const got = await readAll(s.swarm.read(s.root, walkFileLeaves(parseCid(s.root), store.get), undefined, undefined));
    assert.ok(got.equals(Buffer.from(s.file)));
    assert.deepEqual(s.provided, [[s.root, s.leaves.slice(0, 2).map((l) => cidToString(l.cid))]]);
  });

  it('reads a range across leaves, and from its own copies asks nobody for providers', async () => {
    const s = await setup();
    await readAll(s.swarm.read(s.root, s.leaves, undefined, undefined));
    const range = { offset: CHUNK_SIZE - 10, length: CHUNK_SIZE + 20 };
    // The leaves of the range, as fileLeaves names them for it: the first three.
    const part = await readAll(s.swarm.read(s.root, s.leaves.slice(0, 3), range, undefined));
    assert.ok(part.equals(Buffer.from(s.file.subarray(range.offset, range.offset + range.length))));
    assert.equal(s.counts().providerQuestions, 1, 'the second read found every leaf here');
    assert.equal(s.provided.length, 1, 'announced once');
  });

  it('frees a block that came in its own buffer once the consumer released it and the cache write is done, and no other', async () => {
    const fetched: Uint8Array[] = [];
    let openCache!: () => void;
    const cacheGate = new Promise<void>((resolve) => (openCache = resolve));
    const cached = new Map<string, Buffer>();
    const s = await setup(undefined, (store) => ({
      // A fresh buffer per fetch, as a gRPC stream delivers it (declared by the transport).
      peers: {
        blockDeadlineMs: 5_000,
        fetchBlock: async (peer, c) => {
          if (peer.id !== honest.id) throw new NotFoundError('only the honest peer answers');
          const copy = Buffer.from(store.blocks.get(c)!);
          markOwnBuffer(copy);
          fetched.push(copy);
          return copy;
        },
      },
      cache: {
        capacity: 8 * CHUNK_SIZE,
        keep: async (cid, bytes) => {
          await cacheGate;
          cached.set(cidToString(cid), Buffer.from(bytes));
          return true;
        },
      },
    }));
    const parts: Buffer[] = [];
    const it = s.swarm.read(s.root, s.leaves, undefined, undefined)[Symbol.asyncIterator]();
    for (let i = 0; i < s.leaves.length; i++) {
      const { value: chunk } = await it.next();
      parts.push(Buffer.from(chunk!));
      releaseChunk(chunk!);
    }
    assert.ok(Buffer.concat(parts).equals(Buffer.from(s.file)), 'the consumer got every byte before it released them');
    // The swarm spreads the leaves over its sources (the liar refuses, the lookup path serves
    // from the store): those fetched from the honest peer are the ones in fresh buffers.
    const marked = fetched.filter(hasOwnBuffer);
    assert.ok(marked.length > 0, 'some leaf came from the honest peer');
    assert.ok(fetched.every((b) => hasOwnBuffer(b) === b.byteLength >= 8 * 1024), 'a leaf of 100 bytes is too small to be marked');
    assert.ok(fetched.every((b) => b.byteLength > 0), 'nothing freed while the read cache still writes the blocks');
    // The read ends once its cache writes are done.
    const end = it.next();
    openCache();
    assert.equal((await end).done, true);
    // (The copy the swarm did not use, asked of a second source in its end game, is left to the GC.)
    assert.ok(marked.some((b) => b.byteLength === 0), 'freed once written and cached');
    assert.ok(fetched.filter((b) => !hasOwnBuffer(b)).every((b) => b.byteLength > 0), 'the small one is left to the GC');
    for (const l of s.leaves) assert.ok(cached.get(cidToString(l.cid))?.equals(Buffer.from(s.file.subarray(l.offset, l.offset + l.size))), 'the cache got whole blocks');
    const again = await readAll(s.swarm.read(s.root, s.leaves, undefined, undefined));
    assert.ok(again.equals(Buffer.from(s.file)), 'the blocks served from the store (lookup path) are intact');
  });

  it('leaves alone a block no transport declared its own (an in-memory peer hands over its stored copy)', async () => {
    const s = await setup(0);
    const parts: Buffer[] = [];
    for await (const chunk of s.swarm.read(s.root, s.leaves, undefined, undefined)) {
      parts.push(Buffer.from(chunk));
      releaseChunk(chunk);
    }
    assert.ok(Buffer.concat(parts).equals(Buffer.from(s.file)));
    const again = await readAll(s.swarm.read(s.root, s.leaves, undefined, undefined));
    assert.ok(again.equals(Buffer.from(s.file)), 'the honest peer’s blocks are intact');
  });
});
