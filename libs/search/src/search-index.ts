import { DatabaseSync } from 'node:sqlite';
import { SqliteStatements } from '@peerweave/storage';
import {
  InvalidArgumentError,
  InvalidQueryError,
  PeerweaveError,
  systemClock,
  type Clock,
  type TimerHandle,
} from '@peerweave/core';
import { MAX_SEARCH_LIMIT, type IndexEntry, type PublishRequest, type SearchHit } from '@peerweave/protocol';
import { clampLimit, parseQuery, type ParsedQuery } from './query.ts';

export type SearchIndexInit = (
  | {
      /** Path of a database file of its own, or ':memory:' (tests). */
      path: string;
    }
  | {
      /**
       * The node's database, shared (one file, one WAL, one fsync per transaction). The index
       * keeps to tables named `search_*` and its own schema version; the owner of `db` closes it.
       */
      db: DatabaseSync;
    }
) & {
  /** Stamps `updated`; the system clock when omitted. */
  clock?: Clock;
  /**
   * How long a single upsert() waits for others before they are written in one transaction
   * ({@link DEFAULT_UPSERT_LINGER_MS}); 0 writes each at once, as always in a shared `db`.
   */
  upsertLingerMs?: number;
};

/**
 * A node indexes each record it stores (upsert() per record: on every replica of every put). Each
 * upsert alone is an SQLite transaction of its own, and FTS5 writes a new segment per transaction:
 * measured, 4 KiB-put records on a file, 74 µs of CPU each alone, 30 µs in batches of 8, 20 µs in
 * batches of 64 (bench/_upsert.ts, not committed); in a 10-node profile of 32 clients putting
 * 4 KiB objects the index's statements were ~6 % of the nodes' CPU. So upserts linger this long
 * and are written together (Kafka's linger.ms again). Nothing reads a stale index: every read,
 * remove and publish of this object writes what is waiting first; a crash loses at most this
 * much, which RecordIndexSync's start rebuilds (its counts then differ).
 */
export const DEFAULT_UPSERT_LINGER_MS = 10;

export interface SearchOptions {
  /** Most hits returned, held to 1..MAX_SEARCH_LIMIT; DEFAULT_SEARCH_LIMIT when omitted. */
  limit?: number;
  /** Id of this node (64 hex): the holder of its own records (owner ''). */
  selfId: string;
  /**
   * One hit per holder of each matching CID (the `limit` best CIDs, at most MAX_SEARCH_LIMIT hits
   * in all) instead of one per CID: a supernode names every leaf that holds a match.
   */
  everyHolder?: boolean;
}

/** Owner of the node's own records. */
export const SELF_OWNER = '';

/**
 * bm25 weights of the FTS columns (name, keywords, content_type). The name is what the uploader
 * titled the object, the strongest signal that it is *about* a word: 3× a keyword, so a hit in the
 * name outranks one in the keywords, yet an object whose keywords match several query words can
 * still beat one with a single, common word in its name. Keywords are a looser bag of tags (1×).
 * The content type matches whole classes of objects (`video`, `pdf`) and should only break ties
 * (0.5×).
 */
export const BM25_WEIGHTS = { name: 3.0, keywords: 1.0, contentType: 0.5 } as const;

const RANK = `bm25(search_fts, ${BM25_WEIGHTS.name}, ${BM25_WEIGHTS.keywords}, ${BM25_WEIGHTS.contentType})`;

/**
 * SQLite page cache of an index that opens its own file, in KiB (PRAGMA cache_size = -N): SQLite's
 * default, made explicit because it is the part of this index's memory that grows with the store
 * up to it (search.db is ~340 bytes per record: 3.4 MB for 10 000, measured). A search reads the
 * FTS pages of its terms, few beyond the hot ones; the rest come from the OS page cache. Memory
 * maps are off (PRAGMA mmap_size = 0): mapped pages would count in the RSS, unbounded by this.
 * A ':memory:' index (a supernode's index of its leaves) lives wholly in memory whatever this says.
 */
export const DEFAULT_SEARCH_INDEX_CACHE_KIB = 2_048;

/** Key of the schema version in search_meta. */
const SCHEMA_VERSION_KEY = 'schema_version';

/**
 * Schema migrations: MIGRATIONS[i] takes the index from schema version i to i + 1 (kept in
 * `search_meta`, not `PRAGMA user_version`, which belongs to whoever owns a shared database). Only
 * append; never edit one that has shipped.
 *
 * `search_entries` holds the records; `search_fts` only their inverted index: contentless (the text
 * is in search_entries already, no need to store it twice) with `contentless_delete` so a row can
 * be dropped by rowid. Triggers keep the two in step whatever statement changes the entries.
 * unicode61 with remove_diacritics 2 makes `creme` find `Crème`; prefix indexes of 2 and 3
 * characters make short `da*` queries index lookups instead of scans of the whole term list.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE search_entries (
    id INTEGER PRIMARY KEY,          -- rowid of search_fts
    owner TEXT NOT NULL,             -- '' for this node's own records, else a leaf's node id
    cid TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    keywords TEXT NOT NULL,          -- JSON array of strings
    updated INTEGER NOT NULL,        -- clock ms of the last upsert
    UNIQUE (owner, cid)
  );

  CREATE VIRTUAL TABLE search_fts USING fts5(
    name, keywords, content_type,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
  );

  CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN
    INSERT INTO search_fts (rowid, name, keywords, content_type)
    VALUES (new.id, new.name, (SELECT group_concat(value, ' ') FROM json_each(new.keywords)), new.content_type);
  END;
  CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN
    DELETE FROM search_fts WHERE rowid = old.id;
  END;
  CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN
    DELETE FROM search_fts WHERE rowid = old.id;
    INSERT INTO search_fts (rowid, name, keywords, content_type)
    VALUES (new.id, new.name, (SELECT group_concat(value, ' ') FROM json_each(new.keywords)), new.content_type);
  END;
  `,
];

/** The schema version this code reads and writes. */
export const SEARCH_INDEX_SCHEMA_VERSION = MIGRATIONS.length;

interface EntrySqlRow {
  owner: string;
  cid: string;
  name: string;
  content_type: string;
  size: number;
  keywords: string;
}

interface HitSqlRow extends EntrySqlRow {
  rank: number;
}

/**
 * The local full-text index of object metadata (name, keywords, content type): a node's own
 * records, and on a supernode the records its leaves published. SQLite FTS5 on `node:sqlite`,
 * ranked by bm25 ({@link BM25_WEIGHTS}). Rows are keyed by (owner, cid): several leaves may hold
 * the same object, and dropping a leaf drops exactly its rows.
 *
 * The API is synchronous, as node:sqlite is: each call is a short indexed statement; a search
 * ranks every match of the query, which a limit does not shorten (bm25 needs all of them).
 */
export class SearchIndex {
  readonly #db: DatabaseSync;
  readonly #ownsDb: boolean;
  readonly #clock: Clock;
  readonly #sql: SqliteStatements;
  readonly #lingerMs: number;
  /** Upserts waiting for the linger: owner, entry, and the time that stamps `updated`. */
  #waiting: { owner: string; entry: IndexEntry; at: number }[] = [];
  #flushTimer: TimerHandle | undefined;
  #writeFailures = 0;

  constructor(init: SearchIndexInit) {
    this.#clock = init.clock ?? systemClock;
    // In a shared database the owner's transactions decide what is written: a waiting upsert must
    // not be written inside one it later rolls back, so there each is written at once.
    this.#lingerMs = 'db' in init ? 0 : (init.upsertLingerMs ?? DEFAULT_UPSERT_LINGER_MS);
    if ('db' in init) {
      this.#db = init.db;
      this.#sql = new SqliteStatements(this.#db);
      this.#ownsDb = false;
      this.#migrate();
      return;
    }
    this.#db = new DatabaseSync(init.path);
    this.#sql = new SqliteStatements(this.#db);
    this.#ownsDb = true;
    try {
      this.#db.exec('PRAGMA journal_mode = WAL');
      this.#db.exec('PRAGMA synchronous = NORMAL');
      this.#db.exec('PRAGMA busy_timeout = 5000');
      this.#db.exec(`PRAGMA cache_size = -${DEFAULT_SEARCH_INDEX_CACHE_KIB}`); // the bound, see there
      this.#db.exec('PRAGMA mmap_size = 0');
      this.#migrate();
    } catch (err) {
      this.#db.close();
      throw err;
    }
  }

  /** Linger flushes that failed since start (their entries were dropped; see #flushLater). */
  get writeFailures(): number {
    return this.#writeFailures;
  }

  /**
   * What the index may hold in memory: its connection's page cache bound (KiB) and memory-map size
   * (bytes), and the statements it prepared (a fixed set, whatever the number of entries).
   */
  memoryUse(): { pageCacheKib: number; mmapBytes: number; statements: number } {
    const pragma = (name: string): number => Number(Object.values(this.#db.prepare(`PRAGMA ${name}`).get() ?? {})[0] ?? 0);
    const cacheSize = pragma('cache_size');
    return {
      // Negative: KiB; positive: pages.
      pageCacheKib: cacheSize < 0 ? -cacheSize : (cacheSize * pragma('page_size')) / 1024,
      mmapBytes: pragma('mmap_size'),
      statements: this.#sql.size,
    };
  }

  /** Lets SQLite free the connection's page cache (PRAGMA shrink_memory; the node's memory release, issue #12). */
  releaseMemory(): void {
    if (this.#db.isOpen) this.#db.exec('PRAGMA shrink_memory');
  }

  /** Closes the database if the index opened it (after writing the upserts waiting); a shared one is left to its owner. */
  close(): void {
    if (this.#db.isOpen) this.flush();
    this.#cancelFlush();
    this.#waiting = [];
    this.#sql.clear();
    if (this.#ownsDb && this.#db.isOpen) this.#db.close();
  }

  // --- writing ---

  /**
   * Adds or replaces the entry (owner, entry.cid): written within the linger
   * ({@link DEFAULT_UPSERT_LINGER_MS}) with the others of that time, and before anything reads.
   */
  upsert(owner: string, entry: IndexEntry): void {
    assertEntry(entry);
    if (this.#lingerMs <= 0) {
      this.#upsertNow(owner, entry, this.#clock.now());
      return;
    }
    this.#waiting.push({ owner, entry, at: this.#clock.now() });
    // The clock's timers are unref'd (systemClock): a waiting upsert never keeps a process alive.
    this.#flushTimer ??= this.#clock.setTimeout(() => this.#flushLater(), this.#lingerMs);
  }

  /** Writes the upserts waiting for the linger now, in one transaction. */
  flush(): void {
    this.#cancelFlush();
    if (this.#waiting.length === 0) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    this.#sql.transaction(() => {
      for (const w of waiting) this.#upsertNow(w.owner, w.entry, w.at);
    });
  }

  /** Drops the entry (owner, cid); true if there was one. */
  remove(owner: string, cid: string): boolean {
    this.flush();
    return this.#removeNow(owner, cid);
  }

  /**
   * Makes `entries` the whole index of `owner` (a leaf's full publish), atomically: a search never
   * sees the leaf half replaced. A CID listed twice keeps its last entry.
   */
  replaceOwner(owner: string, entries: readonly IndexEntry[]): void {
    this.applyPublish(owner, { full: true, upserts: entries, removed: [] });
  }

  /**
   * One Publish message of leaf `owner` in one transaction, all or nothing (a bad entry changes
   * nothing): with `full` its rows are replaced by `upserts`, else `upserts` are added or replace
   * theirs; then the `removed` CIDs are dropped. One commit however many entries the message
   * carries, where a statement each would be a transaction each.
   */
  applyPublish(owner: string, change: Pick<PublishRequest, 'full' | 'upserts' | 'removed'>): void {
    for (const entry of change.upserts) assertEntry(entry);
    this.flush();
    const now = this.#clock.now();
    this.#sql.transaction(() => {
      if (change.full) this.#sql.run('DELETE FROM search_entries WHERE owner = ?', owner);
      for (const entry of change.upserts) this.#upsertNow(owner, entry, now);
      for (const cid of change.removed) this.#removeNow(owner, cid);
    });
  }

  /** Drops every entry of `owner` (a leaf that detached or died); returns how many. */
  removeOwner(owner: string): number {
    this.flush();
    return Number(this.#sql.run('DELETE FROM search_entries WHERE owner = ?', owner).changes);
  }

  // --- reading ---

  /** Owners other than this node ('' excluded), sorted. */
  owners(): string[] {
    this.flush();
    return this.#sql.all<{ owner: string }>(
      `SELECT DISTINCT owner FROM search_entries WHERE owner <> '' ORDER BY owner`,
    ).map((r) => r.owner);
  }

  /** Entries of `owner`, in CID order. */
  entries(owner: string): IndexEntry[] {
    this.flush();
    return this.#sql.all<EntrySqlRow>(
      'SELECT owner, cid, name, content_type, size, keywords FROM search_entries WHERE owner = ? ORDER BY cid',
      owner,
    ).map(toEntry);
  }

  /** Entries of `owner`, or of everyone when omitted (a CID held by two owners counts twice). */
  count(owner?: string): number {
    this.flush();
    const row =
      owner === undefined
        ? this.#sql.get<{ n: number }>('SELECT count(*) AS n FROM search_entries')
        : this.#sql.get<{ n: number }>('SELECT count(*) AS n FROM search_entries WHERE owner = ?', owner);
    return row?.n ?? 0;
  }

  /**
   * Matches of `query`, best first (score = −bm25, ties by CID). One hit per CID: when several
   * owners hold it, the best-scoring row is kept and its owner is the holder (ties: the smallest
   * owner, so '' — this node — first). Text is parsed with {@link parseQuery}.
   */
  search(query: ParsedQuery | string, options: SearchOptions): SearchHit[] {
    const parsed = typeof query === 'string' ? parseQuery(query) : query;
    const limit = clampLimit(options.limit);
    this.flush();
    let rows: HitSqlRow[];
    try {
      rows = this.#sql.all<HitSqlRow>(
        `WITH matches AS (
           SELECT rowid AS id, ${RANK} AS rank FROM search_fts WHERE search_fts MATCH ?
         ),
         ranked AS (
           SELECT e.owner, e.cid, e.name, e.content_type, e.size, e.keywords, m.rank,
             row_number() OVER (PARTITION BY e.cid ORDER BY m.rank, e.owner) AS nth
           FROM matches m JOIN search_entries e ON e.id = m.id
         )
         SELECT owner, cid, name, content_type, size, keywords, rank FROM ranked
         WHERE ${options.everyHolder ? 'cid IN (SELECT cid FROM ranked WHERE nth = 1 ORDER BY rank, cid LIMIT ?)' : 'nth = 1'}
         ORDER BY rank, cid, nth LIMIT ?`,
        ...(options.everyHolder ? [parsed.match, limit, MAX_SEARCH_LIMIT] : [parsed.match, limit]),
      );
    } catch (err) {
      throw asQueryError(err, parsed);
    }
    return rows.map((row) => ({
      ...toEntry(row),
      // bm25 is negative, lower is better; -0 would print oddly.
      score: row.rank === 0 ? 0 : -row.rank,
      holder: row.owner === SELF_OWNER ? options.selfId : row.owner,
    }));
  }

  // --- plumbing ---

  /**
   * The linger's end. A failure (a full disk) is not thrown into a timer: the entries stay unwritten
   * (counted in {@link SearchIndex.writeFailures}), as a crash would leave them, and RecordIndexSync's start rebuilds.
   */
  #flushLater(): void {
    this.#flushTimer = undefined;
    try {
      if (this.#db.isOpen) this.flush();
    } catch {
      this.#writeFailures++;
    }
  }

  #cancelFlush(): void {
    if (this.#flushTimer !== undefined) this.#clock.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
  }

  #upsertNow(owner: string, entry: IndexEntry, at: number): void {
    this.#sql.run(
      `INSERT INTO search_entries (owner, cid, name, content_type, size, keywords, updated)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (owner, cid) DO UPDATE SET name = excluded.name, content_type = excluded.content_type,
         size = excluded.size, keywords = excluded.keywords, updated = excluded.updated`,
      owner,
      entry.cid,
      entry.name,
      entry.contentType,
      entry.size,
      JSON.stringify(entry.keywords),
      at,
    );
  }

  #removeNow(owner: string, cid: string): boolean {
    return this.#sql.run('DELETE FROM search_entries WHERE owner = ? AND cid = ?', owner, cid).changes > 0;
  }

  #migrate(): void {
    this.#db.exec('CREATE TABLE IF NOT EXISTS search_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID');
    const current = this.#sql.get<{ value: number }>('SELECT value FROM search_meta WHERE key = ?', SCHEMA_VERSION_KEY)?.value ?? 0;
    if (current > SEARCH_INDEX_SCHEMA_VERSION) {
      throw new PeerweaveError(
        'FAILED_PRECONDITION',
        `search index has schema version ${current}, newer than this node's ${SEARCH_INDEX_SCHEMA_VERSION}: upgrade the node`,
      );
    }
    for (let v = current; v < SEARCH_INDEX_SCHEMA_VERSION; v++) {
      this.#sql.transaction(() => {
        this.#db.exec(MIGRATIONS[v] ?? '');
        this.#sql.run(
          'INSERT INTO search_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
          SCHEMA_VERSION_KEY,
          v + 1,
        );
      });
    }
  }

}

/** SQLite's primary result code for a generic error, which is what FTS5 raises for a bad MATCH. */
const SQLITE_ERROR = 1;

/**
 * A MATCH that SQLite refuses is the query's fault, never a 500. parseQuery only builds safe
 * expressions, so this is for a hand-made ParsedQuery; I/O, busy or corruption errors (other result
 * codes) and a closed database pass through unchanged.
 */
function asQueryError(err: unknown, query: ParsedQuery): unknown {
  const errcode = (err as { errcode?: unknown } | null)?.errcode;
  if (typeof errcode === 'number' && (errcode & 0xff) === SQLITE_ERROR) {
    return new InvalidQueryError(`cannot search for ${JSON.stringify(query.text)}`, { cause: err });
  }
  return err;
}

function assertEntry(entry: IndexEntry): void {
  if (typeof entry.cid !== 'string' || entry.cid === '') throw new InvalidArgumentError('an index entry needs a cid');
  if (typeof entry.name !== 'string' || typeof entry.contentType !== 'string') {
    throw new InvalidArgumentError(`index entry ${entry.cid}: name and contentType must be strings`);
  }
  if (!(Number.isSafeInteger(entry.size) && entry.size >= 0)) {
    throw new InvalidArgumentError(`index entry ${entry.cid}: size must be a non-negative integer, got ${entry.size}`);
  }
  if (!Array.isArray(entry.keywords) || !entry.keywords.every((k) => typeof k === 'string')) {
    throw new InvalidArgumentError(`index entry ${entry.cid}: keywords must be strings`);
  }
}

function toEntry(row: EntrySqlRow): IndexEntry {
  return {
    cid: row.cid,
    name: row.name,
    size: row.size,
    contentType: row.content_type,
    keywords: JSON.parse(row.keywords) as string[],
  };
}
