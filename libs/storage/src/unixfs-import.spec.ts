import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { errorCode } from '@peerweave/core';
import * as dagPb from '@ipld/dag-pb';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { blockLinks } from './dag-walk.ts';
import { CHUNK_SIZE, IMPORT_BLOCK_CONCURRENCY, importFile } from './unixfs-import.ts';
import { lcgPattern, MemoryBlocks, moduloPattern, piecesOf } from './testing/index.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

async function cidOf(bytes: Uint8Array): Promise<string> {
  return (await importFile(piecesOf(bytes), new MemoryBlocks().sink)).cid.toString();
}

async function rejectionCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return errorCode(err);
  }
  return undefined;
}

/**
 * The ids of `ipfs add --cid-version=1 --raw-leaves --chunker=size-262144`. Obtained by running the
 * reference library, ipfs-unixfs-importer 17.1.1, on these bytes with the options Kubo uses
 * (spelled out rather than `profile`, as profile 'unixfs-v0-2015' also means CIDv0):
 *   importer([{ content }], blockstore, { cidVersion: 1, rawLeaves: true, reduceSingleLeafToSelf: true,
 *     chunker: fixedSize({ chunkSize: 262144 }), layout: balanced({ maxChildrenPerNode: 174 }) })
 * both through importFile and with the bare `importer` call above (same results). Kubo itself was
 * not run here; the empty file's and "hello world\n"'s are the published Kubo values, and
 * KUBO_REPORTED below checks multi-block and two-level trees against values Kubo reported.
 */
const REFERENCE: [string, () => Uint8Array, string][] = [
  // Published: the empty file is the raw CID of SHA-256("").
  ['the empty file', () => new Uint8Array(0), 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'],
  // Published (Kubo gateway tests, `echo 'hello world' | ipfs add --cid-version=1`).
  ['"hello world\\n"', () => new TextEncoder().encode('hello world\n'), 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4'],
  // One chunk: reduced to its raw leaf.
  ['256 KiB of zeros', () => new Uint8Array(256 * KiB), 'bafkreiekhhjkxu4ztk3tyng3er3ijhg56mb44oe3gwbgquhzu4afrg2ksa'],
  // Two leaves (262144 + 1 bytes) under one dag-pb root.
  ['256 KiB + 1 of zeros', () => new Uint8Array(256 * KiB + 1), 'bafybeigllfqgfpqydppr6cmv56g7ax4wyhruzswvcefv6j5kj77nzttfki'],
  // Four leaves under one root.
  ['1 MiB of i % 251', () => moduloPattern(MiB), 'bafybeiedpcapwld4tkgtzwahfofgn4wex5ryysf4se6hwpmlrsh4ntnrau'],
  // 200 leaves > 174: two inner nodes (174 + 26 leaves) under the root.
  ['50 MiB of i % 251', () => moduloPattern(50 * MiB), 'bafybeib36v34v7aqrbffbhtongtcq3xseakzlsoddoblzg3tykpepq5gt4'],
];

/**
 * The CIDs that Kubo 0.43.1 reports for `ipfs add --only-hash --cid-version=1` of lcgPattern(n),
 * as published in the storage tests of github.com/excho0/Sisyphus (packages/storage, the
 * `kuboVectors` table; same generator: 64-bit LCG, seed 1, top byte). An independent check that
 * the reference library with our options builds the same DAG as Kubo, two-level tree included.
 */
const KUBO_REPORTED: [number, string][] = [
  [262_144, 'bafkreiha25bfy6hjxjlak3z5gyfld3ledvizgmbc66evawrm4lynhav6ei'],
  [262_145, 'bafybeic7wvg5ivbiztaw5wht4zlc2tryzjzwaoynlhiykbmubosjnjmthu'],
  [1_000_000, 'bafybeiczwqoyribvfkrxcuhcjnwva43kuvcrl2h57ergkeszwguynobh5a'],
  [50_000_000, 'bafybeiesku5rwyxrssjox7hjykfrpwphbh3eusdpc4xayiz3ovzp6pah3a'],
];

describe('importFile: ids equal to ipfs add --cid-version=1 --raw-leaves --chunker=size-262144', () => {
  for (const [name, make, expected] of REFERENCE) {
    it(name, async () => {
      assert.equal(await cidOf(make()), expected);
    });
  }

  for (const [size, expected] of KUBO_REPORTED) {
    it(`${size} bytes of the LCG pattern, as Kubo reported`, async () => {
      assert.equal(await cidOf(lcgPattern(size)), expected);
    });
  }

  it('a one-chunk file is the raw CID of its SHA-256', async () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array([1, 2, 3]), moduloPattern(CHUNK_SIZE)]) {
      const expected = CID.createV1(0x55, await sha256.digest(bytes)).toString();
      assert.match(expected, /^bafkrei/);
      assert.equal(await cidOf(bytes), expected);
    }
  });

  it('hands a one-chunk file to the sink as its raw leaf, without a copy when it came in one piece', async () => {
    const one = moduloPattern(4 * KiB);
    const seen: Uint8Array[] = [];
    const whole = async function* (): AsyncGenerator<Uint8Array> {
      yield one;
    };
    const got = await importFile(whole(), async (_cid, bytes) => {
      seen.push(bytes);
    });
    assert.equal(seen.length, 1);
    assert.equal(seen[0], one, 'the piece itself');
    assert.deepEqual(got.blocks.map((b) => [b.cid.toString(), b.bytes]), [[got.cid.toString(), one.length]]);
    const cut = await importFile(piecesOf(moduloPattern(CHUNK_SIZE), 1000), async (_cid, bytes) => {
      seen.push(bytes);
    });
    assert.equal(cut.size, CHUNK_SIZE);
    assert.deepEqual(new Uint8Array(seen[1]!), moduloPattern(CHUNK_SIZE), 'pieces joined');
  });

  it('does not depend on how the source is cut into pieces', async () => {
    const bytes = moduloPattern(CHUNK_SIZE * 3 + 17);
    const expected = await cidOf(bytes);
    for (const piece of [1 * KiB + 3, CHUNK_SIZE, CHUNK_SIZE * 2 + 1, bytes.length]) {
      const { cid } = await importFile(piecesOf(bytes, piece), new MemoryBlocks().sink);
      assert.equal(cid.toString(), expected, `pieces of ${piece}`);
    }
  });

  it('builds 50 MiB as a two-level balanced tree of at most 174 links a node', async () => {
    const store = new MemoryBlocks();
    const { cid, size, blocks } = await importFile(piecesOf(moduloPattern(50 * MiB), MiB), store.sink);
    assert.equal(size, 50 * MiB);
    assert.equal(blocks.length, 200 + 2 + 1);
    const root = dagPb.decode(store.blocks.get(cid.toString()) ?? new Uint8Array());
    assert.deepEqual(
      root.Links.map((l) => blockLinks(l.Hash, store.blocks.get(l.Hash.toString()) ?? new Uint8Array()).length),
      [174, 26],
    );
  });
});

describe('importFile: streaming', () => {
  it('holds a few chunks at most, however slow the sink (20 MiB source)', async () => {
    const total = 20 * MiB;
    const pieceSize = 64 * KiB;
    let pulled = 0;
    let acknowledged = 0;
    let maxInFlight = 0;
    let sinkCalls = 0;
    let maxConcurrentSinks = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let offset = 0; offset < total; offset += pieceSize) {
        pulled += pieceSize;
        maxInFlight = Math.max(maxInFlight, pulled - acknowledged);
        // Each piece different (its index up front), so no two chunks are one block.
        const piece = new Uint8Array(pieceSize).fill(offset / pieceSize);
        new DataView(piece.buffer).setUint32(0, offset / pieceSize);
        yield piece;
      }
    }
    const { size, blocks } = await importFile(source(), async (cid, bytes) => {
      sinkCalls += 1;
      maxConcurrentSinks = Math.max(maxConcurrentSinks, sinkCalls);
      for (let i = 0; i < 3; i++) await nextTurn();
      sinkCalls -= 1;
      if (cid.code === 0x55) acknowledged += bytes.length;
    });
    assert.equal(size, total);
    assert.equal(blocks.length, 80 + 1);
    assert.ok(maxConcurrentSinks <= IMPORT_BLOCK_CONCURRENCY, `concurrent sink calls ${maxConcurrentSinks}`);
    // IMPORT_BLOCK_CONCURRENCY (4) leaves in the sink plus the piece being chunked: well under 2 MiB.
    assert.ok(
      maxInFlight <= 6 * CHUNK_SIZE,
      `${maxInFlight} bytes read but not yet in the sink`,
    );
  });

  it('hands every block to the sink before any block that links to it, the root last', async () => {
    const sunk = new Set<string>();
    const order: string[] = [];
    const store = new MemoryBlocks();
    const { cid, blocks } = await importFile(piecesOf(moduloPattern(50 * MiB), MiB), async (c, bytes, options) => {
      for (const link of blockLinks(c, bytes)) assert.ok(sunk.has(link.toString()), 'a link before its target');
      sunk.add(c.toString());
      order.push(c.toString());
      await store.sink(c, bytes, options);
    });
    assert.equal(order.at(-1), cid.toString());
    assert.deepEqual(
      blocks.map((b) => b.cid.toString()),
      order,
    );
    for (const b of blocks) assert.equal(b.bytes, store.blocks.get(b.cid.toString())?.length);
  });

  it('lists a repeated chunk once and hands it to the sink once', async () => {
    const calls: string[] = [];
    const { blocks, size } = await importFile(piecesOf(new Uint8Array(MiB)), async (cid) => {
      calls.push(cid.toString());
    });
    assert.equal(size, MiB);
    assert.equal(blocks.length, 2, 'one zero leaf and the root');
    assert.equal(new Set(calls).size, calls.length);
    assert.equal(calls.length, 2);
  });
});

describe('importFile: limits and failures', () => {
  it('refuses a file over maxBytes with PAYLOAD_TOO_LARGE, accepts one of exactly maxBytes', async () => {
    const bytes = moduloPattern(CHUNK_SIZE + 10);
    assert.equal(
      await rejectionCode(importFile(piecesOf(bytes), new MemoryBlocks().sink, { maxBytes: bytes.length - 1 })),
      'PAYLOAD_TOO_LARGE',
    );
    const { size } = await importFile(piecesOf(bytes), new MemoryBlocks().sink, { maxBytes: bytes.length });
    assert.equal(size, bytes.length);
  });

  it('stops with ABORTED when the signal aborts mid-way, and before starting', async () => {
    const controller = new AbortController();
    let pieces = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        pieces += 1;
        if (pieces === 10) controller.abort();
        yield new Uint8Array(64 * KiB);
      }
    }
    assert.equal(
      await rejectionCode(importFile(endless(), new MemoryBlocks().sink, { signal: controller.signal })),
      'ABORTED',
    );
    assert.ok(pieces < 20);
    assert.equal(
      await rejectionCode(importFile(piecesOf(new Uint8Array(10)), new MemoryBlocks().sink, { signal: AbortSignal.abort() })),
      'ABORTED',
    );
  });

  it('rejects promptly on abort even while the sink hangs', async () => {
    const controller = new AbortController();
    const importing = importFile(piecesOf(moduloPattern(3 * CHUNK_SIZE)), () => new Promise<void>(() => {}), {
      signal: controller.signal,
    });
    await nextTurn();
    controller.abort();
    assert.equal(await rejectionCode(importing), 'ABORTED');
  });

  it('passes a sink failure through', async () => {
    const failure = new Error('disk full');
    await assert.rejects(
      importFile(piecesOf(moduloPattern(3 * CHUNK_SIZE)), async () => {
        throw failure;
      }),
      (err) => err === failure,
    );
  });

  it('refuses a source that yields something other than bytes', async () => {
    async function* strings(): AsyncGenerator<Uint8Array> {
      yield 'text' as unknown as Uint8Array;
    }
    assert.equal(await rejectionCode(importFile(strings(), new MemoryBlocks().sink)), 'INVALID_ARGUMENT');
  });

  it('refuses a bad maxBytes', async () => {
    assert.equal(
      await rejectionCode(importFile(piecesOf(new Uint8Array(1)), new MemoryBlocks().sink, { maxBytes: -1 })),
      'INVALID_ARGUMENT',
    );
  });
});
