import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, beforeEach, afterEach, describe, it } from 'node:test';
import { errorCode, type ObjectRecord } from '@peerweave/core';
import { type AddBlockRow, type BlockKind, CONTENT_DB_FILE, CONTENT_DB_SCHEMA_VERSION, ContentDb } from './content-db.ts';

function record(cid: string, overrides: Partial<ObjectRecord> = {}): ObjectRecord {
  return {
    cid,
    name: `${cid}.bin`,
    contentType: 'application/octet-stream',
    size: 1234,
    blocks: 1,
    keywords: ['alpha', 'beta'],
    createdMs: 1_700_000_000_000,
    uploader: 'ab'.repeat(32),
    uploaderKey: new Uint8Array(32).fill(7),
    signature: new Uint8Array(64).fill(9),
    ...overrides,
  };
}

const NODE_A = 'aa'.repeat(32);
const NODE_B = 'bb'.repeat(32);

describe('ContentDb', () => {
  let db: ContentDb;
  beforeEach(() => {
    db = new ContentDb({ path: ':memory:' });
  });
  afterEach(() => db.close());

  it('moves changes for every block the periodic passes look at, not for cache blocks added or evicted', () => {
    const at = (kind: BlockKind, cid: string): AddBlockRow => ({ cid, bytes: 10, kind, roots: [], nowMs: 1 });
    let before = db.changes;
    db.addBlock(at('cache', 'c1'));
    db.addBlock(at('cache', 'c1'));
    assert.equal(db.removeBlock('c1'), true);
    assert.equal(db.removeBlock('c1'), false);
    assert.equal(db.changes, before, 'a cache block came and went');
    db.addBlock(at('replica', 'r1'));
    assert.ok(db.changes > before, 'a replica block added');
    before = db.changes;
    db.addBlock(at('cache', 'r1'));
    assert.ok(db.changes > before, 'a cache copy of a held replica is written to its row');
    assert.equal(db.getBlock('r1')?.kind, 'replica');
    db.addBlock(at('cache', 'c2'));
    before = db.changes;
    db.addBlock(at('replica', 'c2'));
    assert.ok(db.changes > before, 'a cache block that becomes a replica');
    before = db.changes;
    db.setKind('c2', 'cache');
    assert.ok(db.changes > before, 'a replica demoted to cache');
    before = db.changes;
    db.addBlock({ ...at('hint', 'h1'), hintFor: NODE_A });
    assert.ok(db.changes > before, 'a hint added');
    before = db.changes;
    db.removeBlock('h1');
    assert.ok(db.changes > before, 'a hint removed');
  });

  describe('records', () => {
    it('puts (true when new), gets, replaces and deletes a record', () => {
      const r = record('bafy1');
      assert.equal(db.putRecord(r), true);
      assert.deepEqual(db.getRecord('bafy1'), r);
      const renamed = record('bafy1', { name: 'renamed', keywords: ['gamma'] });
      assert.equal(db.putRecord(renamed), false);
      assert.deepEqual(db.getRecord('bafy1'), renamed);
      assert.equal(db.getRecord('bafy2'), undefined);
      assert.equal(db.deleteRecord('bafy1'), true);
      assert.equal(db.deleteRecord('bafy1'), false);
      assert.equal(db.getRecord('bafy1'), undefined);
    });

    it('lists records in CID order, a page at a time', () => {
      for (const cid of ['c', 'a', 'e', 'b', 'd']) db.putRecord(record(cid));
      assert.equal(db.recordCount(), 5);
      assert.deepEqual(
        db.listRecords({ limit: 2 }).map((r) => r.cid),
        ['a', 'b'],
      );
      assert.deepEqual(
        db.listRecords({ limit: 2, after: 'b' }).map((r) => r.cid),
        ['c', 'd'],
      );
      assert.deepEqual(
        db.listRecords({ limit: 10, after: 'd' }).map((r) => r.cid),
        ['e'],
      );
      assert.deepEqual(db.listRecords({ limit: 10, after: 'e' }), []);
      assert.throws(() => db.listRecords({ limit: -1 }), (err) => errorCode(err) === 'INVALID_ARGUMENT');
    });
  });

  describe('blocks', () => {
    it('adds a block and reads it back', () => {
      db.addBlock({ cid: 'b1', bytes: 100, roots: ['r1', 'r1'], kind: 'replica', nowMs: 10 });
      assert.deepEqual(db.getBlock('b1'), {
        cid: 'b1',
        bytes: 100,
        roots: ['r1'],
        kind: 'replica',
        hintFor: '',
        addedMs: 10,
        lastAccessMs: 10,
      });
      assert.equal(db.getBlock('nope'), undefined);
      assert.equal(db.blockCount(), 1);
    });

    it('merges roots (set union) when a block is added again', () => {
      db.addBlock({ cid: 'b1', bytes: 100, roots: ['r2'], kind: 'replica', nowMs: 10 });
      db.addBlock({ cid: 'b1', bytes: 100, roots: ['r1', 'r2'], kind: 'replica', nowMs: 20 });
      db.addBlock({ cid: 'b1', bytes: 100, roots: [], kind: 'replica', nowMs: 30 });
      const row = db.getBlock('b1');
      assert.deepEqual(row?.roots, ['r1', 'r2']);
      assert.equal(row?.addedMs, 10);
      assert.equal(row?.lastAccessMs, 30);
    });

    it('only upgrades the kind on add: cache < hint < replica; hintFor only while a hint', () => {
      db.addBlock({ cid: 'b', bytes: 1, roots: [], kind: 'cache', nowMs: 1 });
      assert.equal(db.getBlock('b')?.kind, 'cache');
      db.addBlock({ cid: 'b', bytes: 1, roots: [], kind: 'hint', hintFor: NODE_A, nowMs: 2 });
      assert.deepEqual([db.getBlock('b')?.kind, db.getBlock('b')?.hintFor], ['hint', NODE_A]);
      db.addBlock({ cid: 'b', bytes: 1, roots: [], kind: 'cache', nowMs: 3 });
      assert.deepEqual([db.getBlock('b')?.kind, db.getBlock('b')?.hintFor], ['hint', NODE_A], 'no downgrade');
      db.addBlock({ cid: 'b', bytes: 1, roots: [], kind: 'hint', hintFor: NODE_B, nowMs: 4 });
      assert.deepEqual([db.getBlock('b')?.kind, db.getBlock('b')?.hintFor], ['hint', NODE_B], 'the newer hint');
      db.addBlock({ cid: 'b', bytes: 1, roots: [], kind: 'replica', nowMs: 5 });
      assert.deepEqual([db.getBlock('b')?.kind, db.getBlock('b')?.hintFor], ['replica', '']);
      db.addBlock({ cid: 'b', bytes: 1, roots: [], kind: 'hint', hintFor: NODE_A, nowMs: 6 });
      assert.deepEqual([db.getBlock('b')?.kind, db.getBlock('b')?.hintFor], ['replica', ''], 'no downgrade');
      db.addBlock({ cid: 'c', bytes: 1, roots: [], kind: 'replica', hintFor: NODE_A, nowMs: 1 });
      assert.equal(db.getBlock('c')?.hintFor, '', 'hintFor ignored unless a hint');
    });

    it('refuses a hint without hintFor, an unknown kind and a bad size', () => {
      const invalid = (fn: () => void) => assert.throws(fn, (err) => errorCode(err) === 'INVALID_ARGUMENT');
      invalid(() => db.addBlock({ cid: 'b', bytes: 1, roots: [], kind: 'hint', nowMs: 1 }));
      invalid(() => db.addBlock({ cid: 'b', bytes: 1, roots: [], kind: 'pinned' as 'cache', nowMs: 1 }));
      invalid(() => db.addBlock({ cid: 'b', bytes: -1, roots: [], kind: 'cache', nowMs: 1 }));
      assert.equal(db.blockCount(), 0);
    });

    it('sets the kind explicitly, down as well as up', () => {
      db.addBlock({ cid: 'b', bytes: 1, roots: [], kind: 'hint', hintFor: NODE_A, nowMs: 1 });
      db.setKind('b', 'cache');
      assert.deepEqual([db.getBlock('b')?.kind, db.getBlock('b')?.hintFor], ['cache', '']);
      db.setKind('b', 'hint', NODE_B);
      assert.deepEqual([db.getBlock('b')?.kind, db.getBlock('b')?.hintFor], ['hint', NODE_B]);
      db.setKind('b', 'hint');
      assert.deepEqual([db.getBlock('b')?.kind, db.getBlock('b')?.hintFor], ['hint', NODE_B], 'keeps its hintFor');
      db.setKind('b', 'replica');
      assert.deepEqual([db.getBlock('b')?.kind, db.getBlock('b')?.hintFor], ['replica', '']);
      db.setKind('b', 'cache');
      assert.equal(db.getBlock('b')?.kind, 'cache');
      assert.throws(() => db.setKind('b', 'hint'), (err) => errorCode(err) === 'INVALID_ARGUMENT');
      db.setKind('unknown', 'replica');
      assert.equal(db.getBlock('unknown'), undefined);
    });

    it('removes a block with its roots', () => {
      db.addBlock({ cid: 'b', bytes: 1, roots: ['r'], kind: 'replica', nowMs: 1 });
      assert.equal(db.removeBlock('b'), true);
      assert.equal(db.removeBlock('b'), false);
      assert.deepEqual(db.blocksOfRoot('r'), []);
      assert.equal(db.blockCount(), 0);
    });

    it('iterates every block in CID order, pages included, even while blocks are removed', () => {
      const cids = Array.from({ length: 1234 }, (_, i) => `b${String(i).padStart(5, '0')}`);
      for (const cid of cids) db.addBlock({ cid, bytes: 1, roots: ['r'], kind: 'replica', nowMs: 1 });
      const seen: string[] = [];
      for (const row of db.blocks()) {
        seen.push(row.cid);
        assert.deepEqual(row.roots, ['r']);
        db.removeBlock(row.cid);
      }
      assert.deepEqual(seen, cids);
      assert.equal(db.blockCount(), 0);
      assert.deepEqual([...db.blocks()], []);
    });

    it('marks blocks verified (kept in the row, through re-kinds and re-adds, gone with the row), not as a change', () => {
      db.addBlock({ cid: 'b', bytes: 1, roots: ['r'], kind: 'replica', nowMs: 1 });
      assert.equal(db.getBlock('b')?.verified, undefined);
      const before = db.changes;
      db.markVerified([
        ['b', { set: 2 ** 48 - 1, pass: 7 }],
        ['unknown', { set: 1, pass: 7 }],
      ]);
      assert.equal(db.changes, before);
      assert.deepEqual(db.getBlock('b')?.verified, { set: 2 ** 48 - 1, pass: 7 });
      assert.deepEqual([...db.blocks()].map((row) => row.verified), [{ set: 2 ** 48 - 1, pass: 7 }]);
      db.setKind('b', 'cache');
      db.addBlock({ cid: 'b', bytes: 1, roots: ['r2'], kind: 'replica', nowMs: 2 });
      assert.deepEqual(db.getBlock('b')?.verified, { set: 2 ** 48 - 1, pass: 7 });
      db.removeBlock('b');
      db.addBlock({ cid: 'b', bytes: 1, roots: ['r'], kind: 'replica', nowMs: 3 });
      assert.equal(db.getBlock('b')?.verified, undefined, 'a new row knows nothing');
    });

    it('refuses a verified mark that is not two non-negative integers, writing none of the batch', () => {
      db.addBlock({ cid: 'b', bytes: 1, roots: ['r'], kind: 'replica', nowMs: 1 });
      for (const mark of [{ set: -1, pass: 1 }, { set: 1, pass: 1.5 }, { set: 2 ** 53, pass: 1 }, { set: 1, pass: Number.NaN }]) {
        assert.throws(() => db.markVerified([['b', { set: 1, pass: 1 }], ['b', mark]]), (err) => errorCode(err) === 'INVALID_ARGUMENT');
      }
      assert.equal(db.getBlock('b')?.verified, undefined);
    });

    it('keeps counters: 0 until set, then the last value, rolled back with their transaction', () => {
      assert.equal(db.counter('c'), 0);
      db.setCounter('c', 5);
      db.setCounter('c', 9);
      assert.equal(db.counter('c'), 9);
      assert.throws(() =>
        db.transaction(() => {
          db.setCounter('c', 10);
          throw new Error('boom');
        }),
      );
      assert.equal(db.counter('c'), 9);
      assert.throws(() => db.setCounter('c', 0.5), (err) => errorCode(err) === 'INVALID_ARGUMENT');
    });

    it('lists the blocks of a root and drops a root, returning the blocks left with none', () => {
      db.addBlock({ cid: 'only-r1', bytes: 1, roots: ['r1'], kind: 'replica', nowMs: 1 });
      db.addBlock({ cid: 'shared', bytes: 1, roots: ['r1', 'r2'], kind: 'replica', nowMs: 1 });
      db.addBlock({ cid: 'only-r2', bytes: 1, roots: ['r2'], kind: 'replica', nowMs: 1 });
      assert.deepEqual(db.blocksOfRoot('r1'), ['only-r1', 'shared']);
      assert.deepEqual(db.removeRoot('r1'), ['only-r1']);
      assert.deepEqual(db.blocksOfRoot('r1'), []);
      assert.deepEqual(db.getBlock('shared')?.roots, ['r2']);
      assert.deepEqual(db.getBlock('only-r1')?.roots, [], 'the row stays until removed');
      assert.deepEqual(db.removeRoot('r2'), ['only-r2', 'shared']);
      assert.deepEqual(db.removeRoot('r2'), []);
    });

    it('keeps an LRU of cache blocks: touch, cachedBytes, leastRecentlyUsedCache', () => {
      db.addBlock({ cid: 'c1', bytes: 10, roots: [], kind: 'cache', nowMs: 1 });
      db.addBlock({ cid: 'c2', bytes: 20, roots: [], kind: 'cache', nowMs: 2 });
      db.addBlock({ cid: 'c3', bytes: 30, roots: [], kind: 'cache', nowMs: 3 });
      db.addBlock({ cid: 'r', bytes: 1000, roots: [], kind: 'replica', nowMs: 0 });
      db.addBlock({ cid: 'h', bytes: 500, roots: [], kind: 'hint', hintFor: NODE_A, nowMs: 0 });
      assert.equal(db.cachedBytes(), 60);
      db.touch('c1', 10);
      assert.equal(db.getBlock('c1')?.lastAccessMs, 10);
      assert.deepEqual(
        db.leastRecentlyUsedCache(10).map((b) => b.cid),
        ['c2', 'c3', 'c1'],
      );
      assert.deepEqual(
        db.leastRecentlyUsedCache(1).map((b) => b.cid),
        ['c2'],
      );
      db.setKind('c2', 'replica');
      assert.equal(db.cachedBytes(), 40);
      assert.deepEqual(
        db.leastRecentlyUsedCache(10).map((b) => b.cid),
        ['c3', 'c1'],
      );
      const empty = new ContentDb({ path: ':memory:' });
      assert.equal(empty.cachedBytes(), 0);
      empty.close();
    });
  });

  describe('tombstones', () => {
    it('puts (true when new), gets and lists tombstones', () => {
      assert.equal(db.putTombstone({ cid: 'x', deletedMs: 100, by: NODE_A }), true);
      assert.equal(db.putTombstone({ cid: 'x', deletedMs: 100, by: NODE_A }), false);
      assert.equal(db.putTombstone({ cid: 'a', deletedMs: 50, by: NODE_B }), true);
      assert.deepEqual(db.getTombstone('x'), { cid: 'x', deletedMs: 100, by: NODE_A });
      assert.equal(db.getTombstone('nope'), undefined);
      assert.deepEqual(db.tombstones(), [
        { cid: 'a', deletedMs: 50, by: NODE_B },
        { cid: 'x', deletedMs: 100, by: NODE_A },
      ]);
    });

    it('merges two tombstones of one CID to the later deletion, whatever the order', () => {
      const early = { cid: 'x', deletedMs: 100, by: NODE_B };
      const late = { cid: 'x', deletedMs: 200, by: NODE_B };
      const tie = { cid: 'x', deletedMs: 200, by: NODE_A };
      db.putTombstone(late);
      db.putTombstone(early);
      db.putTombstone(tie);
      const other = new ContentDb({ path: ':memory:' });
      other.putTombstone(tie);
      other.putTombstone(early);
      other.putTombstone(late);
      assert.deepEqual(db.getTombstone('x'), tie);
      assert.deepEqual(other.getTombstone('x'), tie);
      other.close();
    });

    it('expires tombstones deleted before a time', () => {
      db.putTombstone({ cid: 'a', deletedMs: 100, by: NODE_A });
      db.putTombstone({ cid: 'b', deletedMs: 200, by: NODE_A });
      db.putTombstone({ cid: 'c', deletedMs: 300, by: NODE_A });
      assert.equal(db.expireTombstones(200), 1);
      assert.deepEqual(
        db.tombstones().map((t) => t.cid),
        ['b', 'c'],
      );
      assert.equal(db.expireTombstones(1000), 2);
      assert.equal(db.expireTombstones(1000), 0);
    });

    it('answers "no tombstone" without a query only while it holds none, whatever rolled back', () => {
      assert.equal(db.getTombstone('a'), undefined);
      db.putTombstone({ cid: 'a', deletedMs: 100, by: NODE_A });
      assert.ok(db.getTombstone('a'));
      assert.equal(db.expireTombstones(1000), 1);
      assert.equal(db.getTombstone('a'), undefined);
      db.putTombstone({ cid: 'b', deletedMs: 100, by: NODE_A });
      // An expiry that a caller's transaction rolls back leaves the tombstone, and it is still found.
      assert.throws(() =>
        db.transaction(() => {
          assert.equal(db.expireTombstones(1000), 1);
          throw new Error('roll back');
        }),
      );
      assert.ok(db.getTombstone('b'));
      // An insert rolled back is simply not there.
      assert.throws(() =>
        db.transaction(() => {
          db.putTombstone({ cid: 'c', deletedMs: 100, by: NODE_A });
          throw new Error('roll back');
        }),
      );
      assert.equal(db.getTombstone('c'), undefined);
      assert.ok(db.getTombstone('b'));
    });
  });
});

describe('ContentDb on disk', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'peerweave-db-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps everything across a reopen, in WAL mode with a schema version', () => {
    const path = join(dir, CONTENT_DB_FILE);
    const first = new ContentDb({ path });
    first.putRecord(record('bafy1'));
    first.addBlock({ cid: 'b1', bytes: 5, roots: ['bafy1'], kind: 'hint', hintFor: NODE_A, nowMs: 7 });
    first.putTombstone({ cid: 'gone', deletedMs: 9, by: NODE_B });
    first.close();

    const again = new ContentDb({ path });
    assert.deepEqual(again.getRecord('bafy1'), record('bafy1'));
    assert.deepEqual(again.getBlock('b1'), {
      cid: 'b1',
      bytes: 5,
      roots: ['bafy1'],
      kind: 'hint',
      hintFor: NODE_A,
      addedMs: 7,
      lastAccessMs: 7,
    });
    assert.deepEqual(again.tombstones(), [{ cid: 'gone', deletedMs: 9, by: NODE_B }]);
    assert.deepEqual(again.getTombstone('gone'), { cid: 'gone', deletedMs: 9, by: NODE_B }, 'counted at open');
    again.close();

    const raw = new DatabaseSync(path);
    assert.equal(raw.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
    assert.equal(raw.prepare('PRAGMA user_version').get()?.user_version, CONTENT_DB_SCHEMA_VERSION);
    raw.close();
  });

  it('migrates a database of schema 2: rows kept, nothing verified yet, counters at 0', () => {
    const path = join(dir, 'v2.db');
    const first = new ContentDb({ path });
    first.addBlock({ cid: 'b1', bytes: 5, roots: ['bafy1'], kind: 'replica', nowMs: 7 });
    first.close();
    // Back to what schema 2 had: no verified columns, no counters table.
    const raw = new DatabaseSync(path);
    raw.exec('ALTER TABLE blocks DROP COLUMN verified_set; ALTER TABLE blocks DROP COLUMN verified_pass; DROP TABLE counters; PRAGMA user_version = 2');
    raw.close();
    const again = new ContentDb({ path });
    assert.deepEqual(again.getBlock('b1'), { cid: 'b1', bytes: 5, roots: ['bafy1'], kind: 'replica', hintFor: '', addedMs: 7, lastAccessMs: 7 });
    assert.equal(again.counter('repair.pass'), 0);
    again.markVerified([['b1', { set: 3, pass: 4 }]]);
    assert.deepEqual(again.getBlock('b1')?.verified, { set: 3, pass: 4 });
    again.close();
  });

  it('refuses a database from a newer schema with FAILED_PRECONDITION', () => {
    const path = join(dir, 'newer.db');
    const raw = new DatabaseSync(path);
    raw.exec(`PRAGMA user_version = ${CONTENT_DB_SCHEMA_VERSION + 1}`);
    raw.close();
    assert.throws(() => new ContentDb({ path }), (err) => errorCode(err) === 'FAILED_PRECONDITION');
  });
});

describe('ContentDb provider records', () => {
  it('keeps the latest expiry per node, hides expired records, and bounds the list per CID', () => {
    const db = new ContentDb({ path: ':memory:' });
    try {
      const cid = 'bafkreiexample';
      db.addProvider({ cid, id: NODE_A, address: 'a:1', expiresMs: 2_000 }, 3);
      db.addProvider({ cid, id: NODE_A, address: 'a:2', expiresMs: 1_500 }, 3);
      assert.deepEqual(db.providers(cid, 1_000, 10), [{ id: NODE_A, address: 'a:2', expiresMs: 2_000 }], 'address updated, expiry never shortened');
      db.addProvider({ cid, id: NODE_B, address: 'b:1', expiresMs: 3_000 }, 3);
      db.addProvider({ cid, id: 'cc'.repeat(32), address: 'c:1', expiresMs: 4_000 }, 3);
      db.addProvider({ cid, id: 'dd'.repeat(32), address: 'd:1', expiresMs: 5_000 }, 3);
      assert.deepEqual(
        db.providers(cid, 1_000, 10).map((p) => p.address),
        ['d:1', 'c:1', 'b:1'],
        'the one expiring first made room',
      );
      assert.deepEqual(db.providers(cid, 3_500, 10).map((p) => p.address), ['d:1', 'c:1'], 'expired records are not answered');
      assert.deepEqual(db.providers('other', 0, 10), []);
      assert.equal(db.expireProviders(4_000), 2);
      assert.deepEqual(db.providers(cid, 0, 10).map((p) => p.address), ['d:1']);
    } finally {
      db.close();
    }
  });
});

describe('ContentDb hot paths', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'peerweave-db-hot-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Park–Miller: the same "random" sequence every run. */
  function random(seed: number): (n: number) => number {
    let state = seed;
    return (n) => {
      state = (state * 48_271) % 2_147_483_647;
      return state % n;
    };
  }

  it('keeps cachedBytes() equal to a SUM over the table through any sequence of changes', () => {
    const path = join(dir, 'counter.db');
    const kinds: BlockKind[] = ['cache', 'hint', 'replica'];
    const next = random(42);
    const row = (i: number): AddBlockRow => {
      const kind = kinds[next(3)] ?? 'cache';
      return {
        cid: `b${next(60)}`,
        bytes: 1 + next(5_000),
        roots: next(2) === 0 ? [] : [`r${next(5)}`],
        kind,
        ...(kind === 'hint' ? { hintFor: NODE_A } : {}),
        nowMs: i,
      };
    };
    const db = new ContentDb({ path });
    const raw = new DatabaseSync(path);
    const sum = (): number =>
      Number(raw.prepare(`SELECT coalesce(sum(bytes), 0) AS n FROM blocks WHERE kind = 'cache'`).get()?.n);
    try {
      for (let i = 0; i < 2_000; i++) {
        const op = next(8);
        if (op <= 1) db.addBlock(row(i));
        else if (op === 2) db.addBlocks([row(i), row(i), row(i)]);
        else if (op === 3) db.setKind(`b${next(60)}`, kinds[next(3)] ?? 'cache', NODE_B);
        else if (op === 4) db.removeBlock(`b${next(60)}`);
        else if (op === 5) db.removeRoot(`r${next(5)}`);
        else if (op === 6) db.touch(`b${next(60)}`, i);
        else {
          // A batch that fails part-way rolls back, the counter with it.
          // (The root cannot be bound: the block row is written, then the statement for its root throws.)
          const bad = { ...row(i), roots: [Symbol('unbindable') as unknown as string] };
          assert.throws(() => db.addBlocks([row(i), bad]));
        }
        assert.equal(db.cachedBytes(), sum(), `after operation ${i} (${op})`);
      }
      assert.ok(db.cachedBytes() > 0, 'the sequence left some cache');
      const before = db.cachedBytes();
      db.close();
      const again = new ContentDb({ path });
      assert.equal(again.cachedBytes(), before, 'initialised from the table on open');
      again.close();
    } finally {
      db.close();
      raw.close();
    }
  });

  it('addBlocks gives the same rows as addBlock one at a time, in one transaction', () => {
    const rows: AddBlockRow[] = [
      { cid: 'a', bytes: 10, roots: ['r1'], kind: 'cache', nowMs: 1 },
      { cid: 'b', bytes: 20, roots: ['r1', 'r2', 'r1'], kind: 'hint', hintFor: NODE_A, nowMs: 2 },
      { cid: 'a', bytes: 10, roots: ['r2'], kind: 'replica', nowMs: 3 },
      { cid: 'b', bytes: 20, roots: [], kind: 'cache', nowMs: 4 },
      { cid: 'c', bytes: 30, roots: [], kind: 'cache', nowMs: 5 },
    ];
    const one = new ContentDb({ path: ':memory:' });
    const many = new ContentDb({ path: ':memory:' });
    try {
      for (const r of rows) one.addBlock(r);
      many.addBlocks(rows);
      assert.deepEqual([...many.blocks()], [...one.blocks()]);
      assert.equal(many.cachedBytes(), one.cachedBytes());
      assert.equal(many.cachedBytes(), 30);
      many.addBlocks([]);
      assert.throws(
        () => many.addBlocks([{ cid: 'd', bytes: 1, roots: [], kind: 'cache', nowMs: 1 }, { cid: 'e', bytes: -1, roots: [], kind: 'cache', nowMs: 1 }]),
        (err) => errorCode(err) === 'INVALID_ARGUMENT',
      );
      assert.equal(many.getBlock('d'), undefined, 'checked before anything is written');
    } finally {
      one.close();
      many.close();
    }
  });

  it('transaction(): a block row and a record in one commit, or neither, counters included', () => {
    const db = new ContentDb({ path: ':memory:' });
    try {
      assert.equal(
        db.transaction(() => {
          db.addBlock({ cid: 'a', bytes: 10, roots: ['a'], kind: 'cache', nowMs: 1 });
          return db.putRecord(record('a'));
        }),
        true,
      );
      assert.equal(db.getBlock('a')?.kind, 'cache');
      assert.equal(db.getRecord('a')?.cid, 'a');
      assert.equal(db.cachedBytes(), 10);
      assert.throws(
        () =>
          db.transaction(() => {
            db.addBlock({ cid: 'b', bytes: 20, roots: ['b'], kind: 'cache', nowMs: 2 });
            db.putRecord(record('b'));
            throw new Error('fails after both writes');
          }),
        /fails after both writes/,
      );
      assert.equal(db.getBlock('b'), undefined, 'rolled back');
      assert.equal(db.getRecord('b'), undefined, 'rolled back');
      assert.equal(db.cachedBytes(), 10, 'the counter too');
    } finally {
      db.close();
    }
  });

  it('prepares each statement once, not per call', (t) => {
    const prepare = t.mock.method(DatabaseSync.prototype, 'prepare');
    const db = new ContentDb({ path: ':memory:' });
    try {
      const round = (i: number): void => {
        db.addBlock({ cid: `b${i}`, bytes: 1, roots: ['r'], kind: 'cache', nowMs: i });
        db.addBlocks([{ cid: `c${i}`, bytes: 1, roots: ['r'], kind: 'replica', nowMs: i }]);
        db.getBlock(`b${i}`);
        db.touch(`b${i}`, i + 5_000);
        db.cachedBytes();
        db.putRecord(record(`rec${i}`));
        db.putRecord(record(`rec${i}`));
        db.getRecord(`rec${i}`);
        db.putTombstone({ cid: `t${i}`, deletedMs: i, by: NODE_A });
        db.getTombstone(`t${i}`);
        db.removeBlock(`c${i}`);
      };
      round(0);
      const prepared = prepare.mock.callCount();
      for (let i = 1; i < 50; i++) round(i);
      assert.equal(prepare.mock.callCount(), prepared);
    } finally {
      db.close();
    }
  });

  it('coalesces touches within touchCoalesceMs of the last one written', () => {
    const db = new ContentDb({ path: ':memory:' });
    const exact = new ContentDb({ path: ':memory:', touchCoalesceMs: 0 });
    try {
      for (const d of [db, exact]) d.addBlock({ cid: 'c', bytes: 1, roots: [], kind: 'cache', nowMs: 0 });
      const times = [10, 500, 1_009, 1_010, 1_500, 2_010, 100];
      const seen = times.map((ms) => {
        db.touch('c', ms);
        exact.touch('c', ms);
        assert.equal(exact.getBlock('c')?.lastAccessMs, ms, 'touchCoalesceMs: 0 writes every time');
        return db.getBlock('c')?.lastAccessMs;
      });
      assert.deepEqual(seen, [10, 10, 10, 1_010, 1_010, 2_010, 100], 'a clock that went back is written');
      db.removeBlock('c');
      db.addBlock({ cid: 'c', bytes: 1, roots: [], kind: 'cache', nowMs: 0 });
      db.touch('c', 150);
      assert.equal(db.getBlock('c')?.lastAccessMs, 150, 'forgotten with the block');
      assert.throws(() => new ContentDb({ path: ':memory:', touchCoalesceMs: -1 }), (err) => errorCode(err) === 'INVALID_ARGUMENT');
      assert.throws(() => new ContentDb({ path: ':memory:', cacheKib: 1.5 }), (err) => errorCode(err) === 'INVALID_ARGUMENT');
    } finally {
      db.close();
      exact.close();
    }
  });
});
