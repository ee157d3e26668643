import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { errorCode, InvalidQueryError } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { MAX_SEARCH_LIMIT, type IndexEntry } from '@peerweave/protocol';
import { SearchIndex, SEARCH_INDEX_SCHEMA_VERSION } from './search-index.ts';

const SELF = 'a'.repeat(64);
const LEAF_1 = '1'.repeat(64);
const LEAF_2 = '2'.repeat(64);

function entry(cid: string, name: string, keywords: string[] = [], contentType = 'application/octet-stream'): IndexEntry {
  return { cid, name, size: 100, contentType, keywords };
}

function cids(index: SearchIndex, query: string, limit = 50): string[] {
  return index.search(query, { selfId: SELF, limit }).map((h) => h.cid);
}

describe('SearchIndex', () => {
  let index: SearchIndex;
  beforeEach(() => {
    index = new SearchIndex({ path: ':memory:', clock: new ManualClock(1000) });
  });
  afterEach(() => index.close());

  describe('ranking', () => {
    it('a match in the name beats a match in the keywords', () => {
      index.upsert('', entry('k', 'holiday pictures', ['sunset', 'beach']));
      index.upsert('', entry('n', 'sunset over the bay', ['holiday']));
      assert.deepEqual(cids(index, 'sunset'), ['n', 'k']);
      assert.deepEqual(cids(index, 'holiday'), ['k', 'n']);
    });

    it('a match in the keywords beats one in the content type', () => {
      index.upsert('', entry('t', 'clip', [], 'video/mp4'));
      index.upsert('', entry('k', 'clip', ['video'], 'application/octet-stream'));
      assert.deepEqual(cids(index, 'video'), ['k', 't']);
    });

    it('scores are -bm25: positive, best first, ties by CID', () => {
      index.upsert('', entry('b', 'fox'));
      index.upsert('', entry('a', 'fox'));
      index.upsert('', entry('c', 'a fox among many other words in a long name'));
      index.upsert('', entry('d', 'unrelated'));
      const hits = index.search('fox', { selfId: SELF });
      assert.deepEqual(
        hits.map((h) => h.cid),
        ['a', 'b', 'c'],
      );
      for (const h of hits) assert.ok(h.score > 0, `score ${h.score}`);
      assert.equal(hits[0]!.score, hits[1]!.score);
      assert.ok(hits[1]!.score > hits[2]!.score, 'a shorter name ranks higher');
    });

    it('returns the whole entry, held by this node', () => {
      index.upsert('', { cid: 'c1', name: 'Red Fox.jpg', size: 1234, contentType: 'image/jpeg', keywords: ['animal', 'x "y" \\ z\nw'] });
      const [hit] = index.search('fox', { selfId: SELF });
      assert.deepEqual({ ...hit, score: undefined }, {
        cid: 'c1',
        name: 'Red Fox.jpg',
        size: 1234,
        contentType: 'image/jpeg',
        keywords: ['animal', 'x "y" \\ z\nw'],
        score: undefined,
        holder: SELF,
      });
    });
  });

  describe('query forms', () => {
    beforeEach(() => {
      index.upsert('', entry('db', 'database design'));
      index.upsert('', entry('dt', 'date palms'));
      index.upsert('', entry('rf', 'the red fox jumps'));
      index.upsert('', entry('fr', 'a fox, red in the face'));
      index.upsert('', entry('gw', 'grey wolf'));
    });

    it('data* matches database but not date', () => assert.deepEqual(cids(index, 'data*'), ['db']));
    it('two-letter prefix da* matches both', () => assert.deepEqual(cids(index, 'da*').sort(), ['db', 'dt']));
    it('a word matches whole tokens only', () => assert.deepEqual(cids(index, 'data'), []));
    it('"red fox" matches only the words next to each other', () => assert.deepEqual(cids(index, '"red fox"'), ['rf']));
    it('red fox (AND) matches both orders', () => assert.deepEqual(cids(index, 'red fox').sort(), ['fr', 'rf']));
    it('OR matches either', () => assert.deepEqual(cids(index, 'wolf OR palms').sort(), ['dt', 'gw']));
    it('-word excludes', () => assert.deepEqual(cids(index, 'fox -jumps'), ['fr']));
    it('case does not matter', () => assert.deepEqual(cids(index, 'GREY Wolf'), ['gw']));
  });

  describe('diacritics', () => {
    beforeEach(() => {
      index.upsert('', entry('cb', 'Crème Brûlée', ['dessert', 'française']));
      index.upsert('', entry('zl', 'Zoë and Łukasz'));
    });

    it('plain letters find accented ones', () => {
      assert.deepEqual(cids(index, 'creme brulee'), ['cb']);
      assert.deepEqual(cids(index, 'francaise'), ['cb']);
      assert.deepEqual(cids(index, 'zoe'), ['zl']);
    });

    it('accented letters find plain ones and other accents', () => {
      index.upsert('', entry('pl', 'creme fraiche'));
      assert.deepEqual(cids(index, 'crème').sort(), ['cb', 'pl']);
      assert.deepEqual(cids(index, 'frâiche'), ['pl']);
    });

    it('a prefix ignores diacritics too', () => assert.deepEqual(cids(index, 'brul*'), ['cb']));
  });

  describe('writes', () => {
    it('upsert replaces the entry and its index terms', () => {
      index.upsert('', entry('c', 'old name', ['old']));
      index.upsert('', entry('c', 'new name', ['fresh']));
      assert.deepEqual(cids(index, 'old'), []);
      assert.deepEqual(cids(index, 'fresh'), ['c']);
      assert.equal(index.count(), 1);
      assert.deepEqual(index.entries(''), [entry('c', 'new name', ['fresh'])]);
    });

    it('remove drops one (owner, cid) and says whether it was there', () => {
      index.upsert('', entry('c', 'fox'));
      index.upsert(LEAF_1, entry('c', 'fox'));
      assert.equal(index.remove('', 'c'), true);
      assert.equal(index.remove('', 'c'), false);
      assert.deepEqual(
        index.search('fox', { selfId: SELF }).map((h) => h.holder),
        [LEAF_1],
      );
    });

    it('refuses a malformed entry', () => {
      for (const bad of [
        { ...entry('c', 'x'), size: -1 },
        { ...entry('c', 'x'), size: 1.5 },
        { ...entry('', 'x') },
        { ...entry('c', 'x'), keywords: [1] as unknown as string[] },
        { ...entry('c', 'x'), name: undefined as unknown as string },
      ]) {
        assert.equal(errorCode(tryCatch(() => index.upsert('', bad))), 'INVALID_ARGUMENT', JSON.stringify(bad));
      }
      assert.equal(index.count(), 0);
    });
  });

  describe('owners', () => {
    it('keeps each owner apart: owners, entries, count', () => {
      index.upsert('', entry('own', 'mine'));
      index.replaceOwner(LEAF_2, [entry('b', 'two'), entry('a', 'one')]);
      index.replaceOwner(LEAF_1, [entry('c', 'three')]);
      assert.deepEqual(index.owners(), [LEAF_1, LEAF_2]);
      assert.deepEqual(
        index.entries(LEAF_2).map((e) => e.cid),
        ['a', 'b'],
      );
      assert.deepEqual(index.entries('nobody'), []);
      assert.equal(index.count(), 4);
      assert.equal(index.count(''), 1);
      assert.equal(index.count(LEAF_2), 2);
    });

    it('replaceOwner replaces the whole set of that owner only', () => {
      index.upsert('', entry('own', 'fox'));
      index.replaceOwner(LEAF_1, [entry('a', 'fox'), entry('b', 'wolf')]);
      index.replaceOwner(LEAF_1, [entry('b', 'wolf renamed'), entry('c', 'fox')]);
      assert.deepEqual(
        index.entries(LEAF_1).map((e) => [e.cid, e.name]),
        [
          ['b', 'wolf renamed'],
          ['c', 'fox'],
        ],
      );
      assert.deepEqual(cids(index, 'fox'), ['c', 'own']);
      assert.deepEqual(cids(index, 'renamed'), ['b']);
      index.replaceOwner(LEAF_1, []);
      assert.deepEqual(index.owners(), []);
      assert.deepEqual(cids(index, 'fox'), ['own']);
    });

    it('replaceOwner is all or nothing', () => {
      index.replaceOwner(LEAF_1, [entry('a', 'fox')]);
      assert.throws(() => index.replaceOwner(LEAF_1, [entry('b', 'wolf'), { ...entry('c', 'x'), size: -1 }]));
      assert.deepEqual(
        index.entries(LEAF_1).map((e) => e.cid),
        ['a'],
      );
    });

    it('replaceOwner keeps the last of a CID listed twice', () => {
      index.replaceOwner(LEAF_1, [entry('a', 'first'), entry('a', 'second')]);
      assert.deepEqual(index.entries(LEAF_1), [entry('a', 'second')]);
    });

    it('applyPublish: a full publish replaces, an incremental one upserts then removes, each all or nothing', () => {
      index.upsert('', entry('own', 'fox'));
      index.applyPublish(LEAF_1, { full: true, upserts: [entry('a', 'fox'), entry('b', 'wolf')], removed: [] });
      index.applyPublish(LEAF_1, { full: false, upserts: [entry('c', 'fox'), entry('b', 'wolf renamed')], removed: ['a', 'never-held'] });
      assert.deepEqual(
        index.entries(LEAF_1).map((e) => [e.cid, e.name]),
        [
          ['b', 'wolf renamed'],
          ['c', 'fox'],
        ],
      );
      assert.deepEqual(cids(index, 'fox'), ['c', 'own']);
      // A bad entry anywhere in the message: nothing of it is applied, removals included.
      assert.throws(() => index.applyPublish(LEAF_1, { full: false, upserts: [entry('d', 'fox'), { ...entry('e', 'x'), size: -1 }], removed: ['b'] }));
      assert.deepEqual(index.entries(LEAF_1).map((e) => e.cid), ['b', 'c']);
      index.applyPublish(LEAF_1, { full: true, upserts: [entry('z', 'zebra')], removed: [] });
      assert.deepEqual(index.entries(LEAF_1).map((e) => e.cid), ['z']);
      assert.equal(index.count(''), 1, 'other owners untouched');
    });

    it('applyPublish joins a transaction the owner of a shared database has open', () => {
      const db = new DatabaseSync(':memory:');
      const shared = new SearchIndex({ db });
      db.exec('BEGIN');
      shared.applyPublish(LEAF_1, { full: false, upserts: [entry('a', 'fox')], removed: [] });
      assert.equal(db.isTransaction, true, 'still the caller\'s transaction');
      db.exec('ROLLBACK');
      assert.equal(shared.count(), 0, 'rolled back with it');
      shared.close();
      db.close();
    });

    it('removeOwner drops every entry of the owner and says how many', () => {
      index.replaceOwner(LEAF_1, [entry('a', 'fox'), entry('b', 'fox')]);
      index.replaceOwner(LEAF_2, [entry('c', 'fox')]);
      assert.equal(index.removeOwner(LEAF_1), 2);
      assert.equal(index.removeOwner(LEAF_1), 0);
      assert.deepEqual(index.owners(), [LEAF_2]);
      assert.deepEqual(cids(index, 'fox'), ['c']);
    });

    it('everyHolder: one hit per holder of the best CIDs, so a supernode names every leaf that holds a match', () => {
      index.replaceOwner(LEAF_1, [entry('same', 'fox'), entry('lone', 'fox fox fox')]);
      index.replaceOwner(LEAF_2, [entry('same', 'fox')]);
      index.upsert('', entry('weak', 'a fox among many other words in a long name'));
      const hits = index.search('fox', { selfId: SELF, limit: 2, everyHolder: true });
      const pairs = hits.map((h) => `${h.cid}@${h.holder.slice(0, 1)}`).sort();
      assert.deepEqual(pairs, ['lone@1', 'same@1', 'same@2'], 'the two best CIDs, every holder of each, not the third CID');
      assert.equal(index.search('fox', { selfId: SELF, limit: 2 }).length, 2, 'without it: one per CID');
    });

    it('one hit per CID held by several owners: the best score, its holder', () => {
      index.replaceOwner(LEAF_2, [entry('same', 'fox')]);
      index.replaceOwner(LEAF_1, [entry('same', 'fox')]);
      index.upsert('', entry('same', 'a fox with a much longer name than the others'));
      index.replaceOwner(LEAF_1.replace(/^1/u, '0'), [entry('other', 'fox den')]);
      const hits = index.search('fox', { selfId: SELF });
      assert.deepEqual(
        hits.map((h) => [h.cid, h.holder]),
        [
          ['same', LEAF_1],
          ['other', LEAF_1.replace(/^1/u, '0')],
        ],
        'equal best scores: the smallest owner holds it',
      );
      index.upsert('', entry('same', 'fox'));
      assert.equal(index.search('fox', { selfId: SELF })[0]!.holder, SELF, "this node ('') first among equals");
    });

    it('the limit counts distinct CIDs', () => {
      for (const leaf of [LEAF_1, LEAF_2]) index.replaceOwner(leaf, [entry('a', 'fox'), entry('b', 'fox'), entry('c', 'fox')]);
      assert.deepEqual(cids(index, 'fox', 2), ['a', 'b']);
    });
  });

  describe('limits and errors', () => {
    it('holds the limit to 1..MAX_SEARCH_LIMIT', () => {
      index.replaceOwner(
        LEAF_1,
        Array.from({ length: MAX_SEARCH_LIMIT + 10 }, (_, i) => entry(`c${String(i).padStart(4, '0')}`, 'fox')),
      );
      assert.equal(index.search('fox', { selfId: SELF, limit: 0 }).length, 1);
      assert.equal(index.search('fox', { selfId: SELF, limit: 10_000 }).length, MAX_SEARCH_LIMIT);
    });

    it('a bad query string is INVALID_QUERY', () => {
      assert.throws(() => index.search('"', { selfId: SELF }), InvalidQueryError);
    });

    it('a hand-made MATCH that SQLite refuses is INVALID_QUERY, not a raw SQLite error', () => {
      index.upsert('', entry('c', 'fox'));
      for (const match of ['NEAR(', 'col:x', '"unterminated', 'a AND', '']) {
        const err = tryCatch(() => index.search({ text: match, match }, { selfId: SELF }));
        assert.ok(err instanceof InvalidQueryError, `${match}: ${String(err)}`);
        assert.ok((err as Error).cause !== undefined, 'keeps the SQLite error as cause');
      }
    });
  });

  it('searches 10 000 entries quickly', { timeout: 30_000 }, () => {
    const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'theta', 'kappa', 'lambda', 'sigma'];
    const entries = Array.from({ length: 10_000 }, (_, i) =>
      entry(
        `bafy${String(i).padStart(6, '0')}`,
        `${words[i % 10]} ${words[Math.floor(i / 10) % 10]} file ${i}`,
        [words[Math.floor(i / 100) % 10]!, `tag${i % 37}`],
        i % 2 === 0 ? 'video/mp4' : 'text/plain',
      ),
    );
    index.replaceOwner(LEAF_1, entries);
    assert.equal(index.count(LEAF_1), 10_000);
    const started = performance.now();
    for (const q of ['alpha', 'alpha beta', 'file', 'sig*', '"gamma delta"', 'tag3 OR tag5', 'file -mp4', 'video']) {
      const hits = index.search(q, { selfId: SELF, limit: MAX_SEARCH_LIMIT });
      assert.ok(hits.length > 0, q);
    }
    const perQuery = (performance.now() - started) / 8;
    // Generous: a common word ranks all 10 000 matches; this only catches an accidental full scan per row.
    assert.ok(perQuery < 2000, `${perQuery.toFixed(1)} ms per query`);
  });
});

describe('SearchIndex storage', () => {
  it('persists in a file across close and reopen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'search-index-'));
    try {
      const path = join(dir, 'search.db');
      const first = new SearchIndex({ path });
      first.replaceOwner(LEAF_1, [entry('a', 'fox')]);
      first.close();
      first.close(); // idempotent
      const second = new SearchIndex({ path });
      assert.deepEqual(cids(second, 'fox'), ['a']);
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shares a database with another user of it: own tables, own schema version', () => {
    const db = new DatabaseSync(':memory:');
    db.exec('CREATE TABLE records (cid TEXT PRIMARY KEY, name TEXT NOT NULL)');
    db.exec("INSERT INTO records VALUES ('r1', 'kept')");
    db.exec('PRAGMA user_version = 3');

    const index = new SearchIndex({ db });
    index.upsert('', entry('a', 'fox'));
    const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'search_fts_%' ORDER BY name").all() as {
      name: string;
    }[]).map((r) => r.name);
    assert.deepEqual(tables, ['records', 'search_entries', 'search_fts', 'search_meta']);
    assert.equal((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, 3);
    assert.equal(db.prepare("SELECT value FROM search_meta WHERE key = 'schema_version'").get()?.value, SEARCH_INDEX_SCHEMA_VERSION);

    // The other user's transaction includes the index's writes (no nested BEGIN).
    db.exec('BEGIN');
    index.replaceOwner(LEAF_1, [entry('b', 'fox')]);
    db.exec("INSERT INTO records VALUES ('r2', 'also')");
    db.exec('ROLLBACK');
    assert.equal(index.count(LEAF_1), 0);

    index.close();
    assert.ok(db.isOpen, 'closing the index leaves a shared database open');
    const again = new SearchIndex({ db });
    assert.deepEqual(cids(again, 'fox'), ['a']);
    assert.equal(db.prepare('SELECT count(*) AS n FROM records').get()?.n, 1);
    again.close();
    db.close();
  });

  it('refuses a schema newer than it knows', () => {
    const db = new DatabaseSync(':memory:');
    new SearchIndex({ db }).close();
    db.prepare("UPDATE search_meta SET value = ? WHERE key = 'schema_version'").run(SEARCH_INDEX_SCHEMA_VERSION + 1);
    assert.equal(errorCode(tryCatch(() => new SearchIndex({ db }))), 'FAILED_PRECONDITION');
    db.close();
  });
});

function tryCatch(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('SearchIndex upsert linger', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pw-linger-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const onDisk = (path: string): number => {
    const other = new DatabaseSync(path, { readOnly: true });
    try {
      return Number(other.prepare('SELECT count(*) AS n FROM search_entries').get()?.n);
    } finally {
      other.close();
    }
  };

  it('writes the upserts of one linger together, and every read of the index sees them at once', async () => {
    const path = join(dir, 'search.db');
    const index = new SearchIndex({ path, upsertLingerMs: 60_000 });
    index.upsert('', entry('a', 'fox'));
    index.upsert('', entry('b', 'fox'));
    assert.equal(onDisk(path), 0, 'waiting for the linger');
    assert.deepEqual(cids(index, 'fox'), ['a', 'b'], 'a search writes what waits first');
    assert.equal(onDisk(path), 2);
    index.upsert('', entry('c', 'fox'));
    assert.equal(index.remove('', 'c'), true, 'a remove sees the upsert before it');
    index.upsert('', entry('d', 'fox'));
    index.applyPublish(LEAF_1, { full: false, upserts: [entry('d', 'fox')], removed: [] });
    assert.equal(index.count(), 4);
    index.upsert('', entry('e', 'fox'));
    index.close();
    const again = new SearchIndex({ path });
    assert.deepEqual(cids(again, 'fox'), ['a', 'b', 'd', 'e'], 'close writes what waits');
    again.close();
  });

  it('writes them when the linger ends, without a read', async () => {
    const path = join(dir, 'search.db');
    const clock = new ManualClock(1_000);
    const index = new SearchIndex({ path, clock, upsertLingerMs: 10 });
    index.upsert('', entry('a', 'fox'));
    index.upsert('', entry('b', 'fox'));
    await clock.advance(9);
    assert.equal(onDisk(path), 0, 'still within the linger');
    await clock.advance(1);
    assert.equal(onDisk(path), 2, 'written at its end, both in one flush');
    assert.equal(clock.pending, 0, 'no timer left behind');
    assert.equal(index.writeFailures, 0);
    index.close();
  });

  it('writes each at once with a linger of 0, and in a shared database', () => {
    const path = join(dir, 'search.db');
    const own = new SearchIndex({ path, upsertLingerMs: 0 });
    own.upsert('', entry('a', 'fox'));
    assert.equal(onDisk(path), 1);
    own.close();
    const db = new DatabaseSync(join(dir, 'shared.db'));
    const shared = new SearchIndex({ db });
    shared.upsert('', entry('b', 'fox'));
    assert.equal(onDisk(join(dir, 'shared.db')), 1);
    shared.close();
    db.close();
  });
});
