import { DatabaseSync } from 'node:sqlite';
import { SqliteStatements } from './sqlite-statements.ts';
import { InvalidArgumentError, PeerweaveError, type ObjectRecord, type Tombstone } from '@peerweave/core';

/** File of the database in the node's data directory. */
export const CONTENT_DB_FILE = 'peerweave.db';

/**
 * Why a node holds a block, weakest first: a `cache` copy (read through, evicted LRU), a `hint`
 * (held for an unreachable replica, handed back when it returns), a `replica` (this node is among
 * the block's r closest). Only append: the rank is the index.
 */
export const BLOCK_KINDS = ['cache', 'hint', 'replica'] as const;
export type BlockKind = (typeof BLOCK_KINDS)[number];

export interface BlockRow {
  cid: string;
  bytes: number;
  /** Root CIDs of the objects the block belongs to, sorted. */
  roots: string[];
  kind: BlockKind;
  /** Node id (64 hex) the hint stands in for; empty unless kind is 'hint'. */
  hintFor: string;
  addedMs: number;
  lastAccessMs: number;
}

export interface AddBlockRow {
  cid: string;
  bytes: number;
  roots: readonly string[];
  kind: BlockKind;
  /** Required when kind is 'hint', ignored otherwise. */
  hintFor?: string;
  nowMs: number;
}

export interface ContentDbInit {
  /** Path of the database file, or ':memory:' (tests). One ContentDb per file: it keeps counters in memory. */
  path: string;
  /** See {@link DEFAULT_TOUCH_COALESCE_MS}; 0 makes every touch() write. */
  touchCoalesceMs?: number;
  /** See {@link DEFAULT_CONTENT_DB_CACHE_KIB}. */
  cacheKib?: number;
}

/**
 * touch() writes a block's access time at most once per this many milliseconds: a block read
 * over and over (a popular leaf served to many peers) costs one UPDATE a second, not one per read.
 * The LRU order is then exact to this much, which is plenty for evicting a cache.
 */
export const DEFAULT_TOUCH_COALESCE_MS = 1_000;

/**
 * SQLite page cache of the connection, in KiB (PRAGMA cache_size = -N); SQLite's default is 2 MiB.
 * It is a bound, not a reservation, and it is the one part of a node's memory that grows with the
 * store by design: it fills as pages are touched and stays full. An object of one small block
 * costs about 850 bytes of this file (its signed record, its block row, its roots and their
 * indexes: 8.5 MB for 10 000 such objects, measured), so 4 MiB holds the pages of some 5 000 of
 * them. Pages beyond it are read again from the OS page cache, a pread of a few microseconds on
 * a put that costs milliseconds. Memory maps are off (PRAGMA mmap_size = 0): mapped pages would
 * count in the process's RSS, and unbounded by this.
 */
export const DEFAULT_CONTENT_DB_CACHE_KIB = 4_096;

/** Rows read per query while iterating all blocks. */
const BLOCK_PAGE_SIZE = 500;
/**
 * Most blocks whose last written access time touch() remembers. It only remembers those written
 * within the coalescing window (older entries suppress nothing and are dropped as it moves on), so
 * this bound matters only when more distinct blocks than this are read within one window; then
 * the oldest are forgotten (their next touch writes). About 150 bytes each: at most ~2.5 MiB.
 */
export const TOUCH_MEMORY_ENTRIES = 16_384;

/**
 * Schema migrations: MIGRATIONS[i] takes the database from user_version i to i + 1. Only append;
 * never edit one that has shipped.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE records (
    cid TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    blocks INTEGER NOT NULL,
    keywords TEXT NOT NULL,          -- JSON array of strings
    created_ms INTEGER NOT NULL,
    uploader TEXT NOT NULL,
    uploader_key BLOB NOT NULL,
    signature BLOB NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE blocks (
    cid TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('cache', 'hint', 'replica')),
    hint_for TEXT NOT NULL DEFAULT '',
    added_ms INTEGER NOT NULL,
    last_access_ms INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX blocks_by_kind_access ON blocks (kind, last_access_ms, cid);

  CREATE TABLE block_roots (
    root TEXT NOT NULL,
    cid TEXT NOT NULL REFERENCES blocks (cid) ON DELETE CASCADE,
    PRIMARY KEY (root, cid)
  ) WITHOUT ROWID;
  CREATE INDEX block_roots_by_cid ON block_roots (cid, root);

  CREATE TABLE tombstones (
    cid TEXT PRIMARY KEY,
    deleted_ms INTEGER NOT NULL,
    by TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX tombstones_by_deleted ON tombstones (deleted_ms);
  `,
  // 2: provider records — nodes (other than the replicas) that announced they serve a CID.
  `
  CREATE TABLE providers (
    cid TEXT NOT NULL,
    id TEXT NOT NULL,
    address TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    PRIMARY KEY (cid, id)
  ) WITHOUT ROWID;
  CREATE INDEX providers_by_expiry ON providers (expires_ms);
  `,
];

/** The schema version this code reads and writes. */
export const CONTENT_DB_SCHEMA_VERSION = MIGRATIONS.length;

interface RecordSqlRow {
  cid: string;
  name: string;
  content_type: string;
  size: number;
  blocks: number;
  keywords: string;
  created_ms: number;
  uploader: string;
  uploader_key: Uint8Array;
  signature: Uint8Array;
}

interface BlockSqlRow {
  cid: string;
  bytes: number;
  kind: BlockKind;
  hint_for: string;
  added_ms: number;
  last_access_ms: number;
  roots: string;
}

interface BlockState {
  kind: BlockKind;
  hint_for: string;
  bytes: number;
}

interface TombstoneSqlRow {
  cid: string;
  deleted_ms: number;
  by: string;
}

const BLOCK_COLUMNS = `b.cid, b.bytes, b.kind, b.hint_for, b.added_ms, b.last_access_ms,
  (SELECT json_group_array(root) FROM (SELECT root FROM block_roots r WHERE r.cid = b.cid ORDER BY root)) AS roots`;

// The SQL of the hot paths, built once (the statement cache is keyed by the text).
const SQL = {
  recordInsert: `INSERT INTO records (cid, name, content_type, size, blocks, keywords, created_ms, uploader, uploader_key, signature)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cid) DO NOTHING`,
  recordUpdate: `UPDATE records SET name = ?2, content_type = ?3, size = ?4, blocks = ?5, keywords = ?6, created_ms = ?7,
    uploader = ?8, uploader_key = ?9, signature = ?10 WHERE cid = ?1`,
  recordGet: 'SELECT * FROM records WHERE cid = ?',
  blockState: 'SELECT kind, hint_for, bytes FROM blocks WHERE cid = ?',
  blockInsert: 'INSERT INTO blocks (cid, bytes, kind, hint_for, added_ms, last_access_ms) VALUES (?, ?, ?, ?, ?, ?)',
  blockUpdate: `UPDATE blocks SET bytes = ?, kind = ?, hint_for = ?, last_access_ms = max(last_access_ms, ?) WHERE cid = ?`,
  rootInsert: 'INSERT OR IGNORE INTO block_roots (root, cid) VALUES (?, ?)',
  blockGet: `SELECT ${BLOCK_COLUMNS} FROM blocks b WHERE b.cid = ?`,
  blockRemove: 'DELETE FROM blocks WHERE cid = ? RETURNING kind, bytes',
  blockPage: `SELECT ${BLOCK_COLUMNS} FROM blocks b WHERE b.cid > ? ORDER BY b.cid LIMIT ?`,
  blockTouch: 'UPDATE blocks SET last_access_ms = ? WHERE cid = ?',
  cachedSum: `SELECT coalesce(sum(bytes), 0) AS n FROM blocks WHERE kind = 'cache'`,
  leastRecentlyUsed: `SELECT ${BLOCK_COLUMNS} FROM blocks b WHERE b.kind = 'cache' ORDER BY b.last_access_ms, b.cid LIMIT ?`,
  tombstoneGet: 'SELECT * FROM tombstones WHERE cid = ?',
} as const;

/**
 * What a node knows about content besides the blocks themselves: signed metadata records, which
 * blocks it holds and why (replica, hint, cache) with the objects they belong to, and tombstones
 * of deleted objects. One SQLite file (`node:sqlite`) in WAL mode with synchronous=NORMAL: readers
 * never wait for the writer, and a power cut loses at most the last few transactions, never
 * consistency (blocks are re-announced by anti-entropy anyway).
 *
 * The API is synchronous, as node:sqlite is: each call is a short indexed statement.
 */
export class ContentDb {
  readonly #db: DatabaseSync;
  readonly #sql: SqliteStatements;
  readonly #touchCoalesceMs: number;
  /** Access time last written by touch(), per block, while it is recent. */
  readonly #touched = new Map<string, number>();
  /** Bytes of the 'cache' blocks: kept by every method that adds, removes or re-kinds a block. */
  #cachedBytes = 0;
  /** Bumped by every change to blocks, records or tombstones (see {@link changes}). */
  #changes = 0;

  constructor(init: ContentDbInit) {
    this.#touchCoalesceMs = init.touchCoalesceMs ?? DEFAULT_TOUCH_COALESCE_MS;
    const cacheKib = init.cacheKib ?? DEFAULT_CONTENT_DB_CACHE_KIB;
    for (const [name, value] of [
      ['touchCoalesceMs', this.#touchCoalesceMs],
      ['cacheKib', cacheKib],
    ] as const) {
      if (!(Number.isSafeInteger(value) && value >= 0)) {
        throw new InvalidArgumentError(`${name} must be a non-negative integer, got ${value}`);
      }
    }
    this.#db = new DatabaseSync(init.path);
    this.#sql = new SqliteStatements(this.#db);
    try {
      this.#db.exec('PRAGMA journal_mode = WAL');
      this.#db.exec('PRAGMA synchronous = NORMAL');
      this.#db.exec('PRAGMA foreign_keys = ON');
      this.#db.exec('PRAGMA busy_timeout = 5000');
      this.#db.exec(`PRAGMA cache_size = -${cacheKib}`); // the bound: see DEFAULT_CONTENT_DB_CACHE_KIB
      this.#db.exec('PRAGMA mmap_size = 0');
      this.#migrate();
      this.#cachedBytes = this.#sumCachedBytes();
    } catch (err) {
      this.#db.close();
      throw err;
    }
  }

  /**
   * A counter that moves whenever a block is added, re-kinded or removed, or a record or tombstone
   * is written or deleted: periodic passes (repair) compare it to skip a period in which nothing
   * they look at changed. Only increases; not persisted.
   */
  get changes(): number {
    return this.#changes;
  }

  /**
   * What this database may hold in the process's memory, and what it holds now: SQLite's page
   * cache bound (KiB) and memory-map size (bytes) of the connection, the access times touch()
   * remembers and the prepared statements. None of them grows with the number of blocks or
   * records beyond its bound.
   */
  memoryUse(): { pageCacheKib: number; mmapBytes: number; touchEntries: number; statements: number } {
    const pragma = (name: string): number => Number(Object.values(this.#db.prepare(`PRAGMA ${name}`).get() ?? {})[0] ?? 0);
    const cacheSize = pragma('cache_size');
    return {
      // Negative: KiB; positive: pages.
      pageCacheKib: cacheSize < 0 ? -cacheSize : (cacheSize * pragma('page_size')) / 1024,
      mmapBytes: pragma('mmap_size'),
      touchEntries: this.#touched.size,
      statements: this.#sql.size,
    };
  }

  close(): void {
    this.#sql.clear();
    this.#touched.clear();
    if (this.#db.isOpen) this.#db.close();
  }

  // --- records ---

  /** Stores a record, replacing the one of the same CID; true if there was none. */
  putRecord(record: ObjectRecord): boolean {
    this.#changes++;
    const values = [
      record.cid,
      record.name,
      record.contentType,
      record.size,
      record.blocks,
      JSON.stringify(record.keywords),
      record.createdMs,
      record.uploader,
      record.uploaderKey,
      record.signature,
    ] as const;
    // A new record (the usual case) is one statement; a replaced one, two. Each is atomic, and
    // nothing runs between them (node:sqlite is synchronous).
    if (this.#sql.run(SQL.recordInsert, ...values).changes > 0) return true;
    this.#sql.run(SQL.recordUpdate, ...values);
    return false;
  }

  getRecord(cid: string): ObjectRecord | undefined {
    const row = this.#sql.get<RecordSqlRow>(SQL.recordGet, cid);
    return row === undefined ? undefined : toRecord(row);
  }

  deleteRecord(cid: string): boolean {
    this.#changes++;
    return this.#sql.run('DELETE FROM records WHERE cid = ?', cid).changes > 0;
  }

  /** How many records this node holds. */
  recordCount(): number {
    return this.#sql.get<{ n: number }>('SELECT count(*) AS n FROM records')?.n ?? 0;
  }

  /** Records in CID order, those after `after` (for paging). */
  listRecords(options: { limit: number; after?: string }): ObjectRecord[] {
    assertLimit(options.limit);
    return this.#sql.all<RecordSqlRow>(
      'SELECT * FROM records WHERE cid > ? ORDER BY cid LIMIT ?',
      options.after ?? '',
      options.limit,
    ).map(toRecord);
  }

  // --- blocks held ---

  /**
   * Records that this node holds a block. Again for a block already known: its roots are merged
   * (set union), its kind only goes up (cache < hint < replica; use setKind to go down), and it
   * counts as an access.
   */
  addBlock(row: AddBlockRow): void {
    assertBlockRow(row);
    this.#write(() => this.#addBlock(row));
  }

  /**
   * addBlock for many rows in one transaction (one commit instead of one per block): the same
   * result as calling addBlock for each in order. Every row is checked first; one that is invalid
   * fails the call with INVALID_ARGUMENT and nothing is added.
   */
  addBlocks(rows: readonly AddBlockRow[]): void {
    for (const row of rows) assertBlockRow(row);
    if (rows.length === 0) return;
    this.#write(() => {
      for (const row of rows) this.#addBlock(row);
    });
  }

  /**
   * Sets the kind of a known block, up or down (a hint handed back becomes 'cache'). hintFor is
   * kept only for 'hint'; without one, a block that already was a hint keeps its own. No-op for
   * an unknown block.
   */
  setKind(cid: string, kind: BlockKind, hintFor?: string): void {
    this.#changes++;
    if (!BLOCK_KINDS.includes(kind)) throw new InvalidArgumentError(`unknown block kind ${String(kind)}`);
    this.#write(() => {
      const existing = this.#sql.get<BlockState>(SQL.blockState, cid);
      if (existing === undefined) return;
      const newHintFor = kind === 'hint' ? hintFor || existing.hint_for : '';
      if (kind === 'hint' && !newHintFor) throw new InvalidArgumentError('a hint needs hintFor');
      this.#sql.run('UPDATE blocks SET kind = ?, hint_for = ? WHERE cid = ?', kind, newHintFor, cid);
      this.#cachedBytes += cacheShare(kind, existing.bytes) - cacheShare(existing.kind, existing.bytes);
    });
  }

  getBlock(cid: string): BlockRow | undefined {
    // One statement: on a file, each autocommit statement is a read transaction of its own, so
    // fetching the roots separately costs more than the JSON subquery and its parse.
    const row = this.#sql.get<BlockSqlRow>(SQL.blockGet, cid);
    return row === undefined ? undefined : toBlockRow(row);
  }

  /** Forgets a block (and its roots); true if it was known. */
  removeBlock(cid: string): boolean {
    this.#changes++;
    const removed = this.#sql.get<{ kind: BlockKind; bytes: number }>(SQL.blockRemove, cid);
    if (removed === undefined) return false;
    this.#cachedBytes -= cacheShare(removed.kind, removed.bytes);
    this.#touched.delete(cid);
    return true;
  }

  /**
   * Every block row in CID order, read a page at a time: safe to add or remove blocks while
   * iterating (a row changed behind the cursor is not seen again).
   */
  *blocks(): Generator<BlockRow, void, undefined> {
    let after = '';
    for (;;) {
      const page = this.#sql.all<BlockSqlRow>(SQL.blockPage, after, BLOCK_PAGE_SIZE);
      for (const row of page) yield toBlockRow(row);
      const last = page.at(-1);
      if (last === undefined || page.length < BLOCK_PAGE_SIZE) return;
      after = last.cid;
    }
  }

  blockCount(): number {
    return this.#sql.get<{ n: number }>('SELECT count(*) AS n FROM blocks')?.n ?? 0;
  }

  /** CIDs of the blocks that belong to the object `root`, sorted. */
  blocksOfRoot(root: string): string[] {
    return this.#sql.all<{ cid: string }>('SELECT cid FROM block_roots WHERE root = ? ORDER BY cid', root).map(
      (r) => r.cid,
    );
  }

  /**
   * Drops `root` from every block's roots (the object was deleted) and returns the blocks it
   * leaves belonging to no object: the caller deletes them (a block shared with another object
   * stays). The rows themselves are kept until the caller removes them.
   */
  removeRoot(root: string): string[] {
    this.#changes++;
    return this.#sql.transaction(() => {
      // One query for the blocks that no other object claims, instead of one per block.
      const orphans = this.#sql.all<{ cid: string }>(
        `SELECT r.cid FROM block_roots r WHERE r.root = ?1
           AND NOT EXISTS (SELECT 1 FROM block_roots o WHERE o.cid = r.cid AND o.root <> ?1)
         ORDER BY r.cid`,
        root,
      );
      this.#sql.run('DELETE FROM block_roots WHERE root = ?', root);
      return orphans.map((r) => r.cid);
    });
  }

  /**
   * Marks a block as just read, for the cache LRU. Coalesced: within `touchCoalesceMs` of the time
   * this last wrote for the block, nothing is written (the stored time is at most that much old).
   */
  touch(cid: string, nowMs: number): void {
    const last = this.#touched.get(cid);
    if (last !== undefined && nowMs >= last && nowMs - last < this.#touchCoalesceMs) return;
    if (this.#sql.run(SQL.blockTouch, nowMs, cid).changes === 0 || this.#touchCoalesceMs === 0) return;
    // Map order is insertion order: re-inserting keeps the entries oldest first, so the ones past
    // the window (and, beyond the bound, the oldest) are at the front.
    this.#touched.delete(cid);
    this.#touched.set(cid, nowMs);
    for (const [key, at] of this.#touched) {
      if (this.#touched.size <= TOUCH_MEMORY_ENTRIES && nowMs - at < this.#touchCoalesceMs) break;
      this.#touched.delete(key);
    }
  }

  /** Total size of the blocks held as 'cache' (a counter: no query). */
  cachedBytes(): number {
    return this.#cachedBytes;
  }

  /** The 'cache' blocks read longest ago, oldest first: the ones to evict. */
  leastRecentlyUsedCache(limit: number): BlockRow[] {
    assertLimit(limit);
    return this.#sql.all<BlockSqlRow>(SQL.leastRecentlyUsed, limit).map(toBlockRow);
  }

  // --- tombstones ---

  /**
   * Stores a tombstone; true if the CID had none. Two tombstones of one CID merge to the later
   * deletion (ties: the smaller `by`), so replicas converge whatever order they arrive in.
   */
  putTombstone(t: Tombstone): boolean {
    this.#changes++;
    return this.#sql.transaction(() => {
      const existing = this.#sql.get<TombstoneSqlRow>('SELECT * FROM tombstones WHERE cid = ?', t.cid);
      if (existing === undefined) {
        this.#sql.run('INSERT INTO tombstones (cid, deleted_ms, by) VALUES (?, ?, ?)', t.cid, t.deletedMs, t.by);
        return true;
      }
      if (t.deletedMs > existing.deleted_ms || (t.deletedMs === existing.deleted_ms && t.by < existing.by)) {
        this.#sql.run('UPDATE tombstones SET deleted_ms = ?, by = ? WHERE cid = ?', t.deletedMs, t.by, t.cid);
      }
      return false;
    });
  }

  getTombstone(cid: string): Tombstone | undefined {
    const row = this.#sql.get<TombstoneSqlRow>(SQL.tombstoneGet, cid);
    return row === undefined ? undefined : toTombstone(row);
  }

  /** Every tombstone, in CID order. */
  tombstones(): Tombstone[] {
    return this.#sql.all<TombstoneSqlRow>('SELECT * FROM tombstones ORDER BY cid').map(toTombstone);
  }

  /** Removes the tombstones of deletions before `beforeMs`; returns how many. */
  expireTombstones(beforeMs: number): number {
    const expired = Number(this.#sql.run('DELETE FROM tombstones WHERE deleted_ms < ?', beforeMs).changes);
    if (expired > 0) this.#changes++;
    return expired;
  }

  // --- provider records ---

  /**
   * Records that node `id` (at `address`) serves `cid` until `expiresMs`; a newer announcement of
   * the same pair replaces the address and expiry. Beyond `maxPerCid` live providers of one CID
   * the one expiring first is dropped, so a CID cannot grow an unbounded list.
   */
  addProvider(p: { cid: string; id: string; address: string; expiresMs: number }, maxPerCid: number): void {
    assertLimit(maxPerCid);
    this.#sql.transaction(() => {
      this.#sql.run(
        `INSERT INTO providers (cid, id, address, expires_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (cid, id) DO UPDATE SET address = excluded.address, expires_ms = max(expires_ms, excluded.expires_ms)`,
        p.cid,
        p.id,
        p.address,
        p.expiresMs,
      );
      this.#sql.run(
        `DELETE FROM providers WHERE cid = ?1 AND id NOT IN
           (SELECT id FROM providers WHERE cid = ?1 ORDER BY expires_ms DESC, id LIMIT ?2)`,
        p.cid,
        maxPerCid,
      );
    });
  }

  /** Live providers of `cid` (expiring after `nowMs`), latest expiry first. */
  providers(cid: string, nowMs: number, limit: number): { id: string; address: string; expiresMs: number }[] {
    assertLimit(limit);
    return this.#sql.all<{ id: string; address: string; expires_ms: number }>(
      'SELECT id, address, expires_ms FROM providers WHERE cid = ? AND expires_ms > ? ORDER BY expires_ms DESC, id LIMIT ?',
      cid,
      nowMs,
      limit,
    ).map((r) => ({ id: r.id, address: r.address, expiresMs: r.expires_ms }));
  }

  /** Removes provider records that expired at or before `nowMs`; returns how many. */
  expireProviders(nowMs: number): number {
    return Number(this.#sql.run('DELETE FROM providers WHERE expires_ms <= ?', nowMs).changes);
  }

  // --- plumbing ---

  /** One addBlock row, inside a transaction; the row is already checked. */
  #addBlock(row: AddBlockRow): void {
    this.#changes++;
    const existing = this.#sql.get<BlockState>(SQL.blockState, row.cid);
    if (existing === undefined) {
      const hintFor = row.kind === 'hint' ? (row.hintFor ?? '') : '';
      this.#sql.run(SQL.blockInsert, row.cid, row.bytes, row.kind, hintFor, row.nowMs, row.nowMs);
      this.#cachedBytes += cacheShare(row.kind, row.bytes);
    } else {
      const kind = rank(row.kind) > rank(existing.kind) ? row.kind : existing.kind;
      const hintFor = kind !== 'hint' ? '' : row.kind === 'hint' ? (row.hintFor ?? '') : existing.hint_for;
      this.#sql.run(SQL.blockUpdate, row.bytes, kind, hintFor, row.nowMs, row.cid);
      this.#cachedBytes += cacheShare(kind, row.bytes) - cacheShare(existing.kind, existing.bytes);
    }
    // INSERT OR IGNORE: a root named twice, or already there, is kept once.
    for (const root of row.roots) this.#sql.run(SQL.rootInsert, root, row.cid);
  }

  /**
   * Runs `work` in a transaction; if it fails (and so rolls back), the counters it moved are put
   * back too.
   */
  #write<T>(work: () => T): T {
    const cachedBytes = this.#cachedBytes;
    try {
      return this.#sql.transaction(work);
    } catch (err) {
      this.#cachedBytes = cachedBytes;
      throw err;
    }
  }

  #sumCachedBytes(): number {
    return this.#sql.get<{ n: number }>(SQL.cachedSum)?.n ?? 0;
  }

  #migrate(): void {
    const version = this.#db.prepare('PRAGMA user_version').get()?.user_version;
    const current = typeof version === 'number' ? version : 0;
    if (current > CONTENT_DB_SCHEMA_VERSION) {
      throw new PeerweaveError(
        'FAILED_PRECONDITION',
        `content database has schema version ${current}, newer than this node's ${CONTENT_DB_SCHEMA_VERSION}: upgrade the node`,
      );
    }
    for (let v = current; v < CONTENT_DB_SCHEMA_VERSION; v++) {
      this.#sql.transaction(() => {
        this.#db.exec(MIGRATIONS[v] ?? '');
        this.#db.exec(`PRAGMA user_version = ${v + 1}`);
      });
    }
  }

}

function rank(kind: BlockKind): number {
  return BLOCK_KINDS.indexOf(kind);
}

/** What a block adds to cachedBytes(). */
function cacheShare(kind: BlockKind, bytes: number): number {
  return kind === 'cache' ? bytes : 0;
}

function assertBlockRow(row: AddBlockRow): void {
  if (!BLOCK_KINDS.includes(row.kind)) throw new InvalidArgumentError(`unknown block kind ${String(row.kind)}`);
  if (!(Number.isSafeInteger(row.bytes) && row.bytes >= 0)) {
    throw new InvalidArgumentError(`block size must be a non-negative integer, got ${row.bytes}`);
  }
  if (row.kind === 'hint' && !row.hintFor) throw new InvalidArgumentError('a hint needs hintFor');
}

function assertLimit(limit: number): void {
  if (!(Number.isSafeInteger(limit) && limit >= 0)) {
    throw new InvalidArgumentError(`limit must be a non-negative integer, got ${limit}`);
  }
}

function toRecord(row: RecordSqlRow): ObjectRecord {
  return {
    cid: row.cid,
    name: row.name,
    contentType: row.content_type,
    size: row.size,
    blocks: row.blocks,
    keywords: JSON.parse(row.keywords) as string[],
    createdMs: row.created_ms,
    uploader: row.uploader,
    uploaderKey: new Uint8Array(row.uploader_key),
    signature: new Uint8Array(row.signature),
  };
}

function toBlockRow(row: BlockSqlRow): BlockRow {
  return {
    cid: row.cid,
    bytes: row.bytes,
    roots: JSON.parse(row.roots) as string[],
    kind: row.kind,
    hintFor: row.hint_for,
    addedMs: row.added_ms,
    lastAccessMs: row.last_access_ms,
  };
}

function toTombstone(row: TombstoneSqlRow): Tombstone {
  return { cid: row.cid, deletedMs: row.deleted_ms, by: row.by };
}
