import { InvalidArgumentError } from '@peerweave/core';
import {
  assertBlockRow,
  assertLimit,
  assertVerifiedMark,
  BLOCK_KINDS,
  cacheShare,
  rank,
  toBlockRow,
  type AddBlockRow,
  type BlockKind,
  type BlockRow,
  type BlockSqlRow,
  type BlockState,
  type VerifiedMark,
} from './content-db-rows.ts';
import type { SqliteStatements } from './sqlite-statements.ts';

/**
 * touch() writes a block's access time at most once per this many milliseconds: a block read
 * over and over (a popular leaf served to many peers) costs one UPDATE a second, not one per read.
 * The LRU order is then exact to this much, which is plenty for evicting a cache.
 */
export const DEFAULT_TOUCH_COALESCE_MS = 1_000;

/**
 * Most blocks whose last written access time touch() remembers. It only remembers those written
 * within the coalescing window (older entries suppress nothing and are dropped as it moves on), so
 * this bound matters only when more distinct blocks than this are read within one window; then
 * the oldest are forgotten (their next touch writes). About 150 bytes each: at most ~2.5 MiB.
 */
export const TOUCH_MEMORY_ENTRIES = 16_384;

/** Rows read per query while iterating all blocks. */
const BLOCK_PAGE_SIZE = 500;

const BLOCK_COLUMNS = `b.cid, b.bytes, b.kind, b.hint_for, b.added_ms, b.last_access_ms, b.verified_set, b.verified_pass,
  (SELECT json_group_array(root) FROM (SELECT root FROM block_roots r WHERE r.cid = b.cid ORDER BY root)) AS roots`;

// The SQL of the hot paths, built once (the statement cache is keyed by the text).
const SQL = {
  blockState: 'SELECT kind, hint_for, bytes FROM blocks WHERE cid = ?',
  blockInsert: 'INSERT INTO blocks (cid, bytes, kind, hint_for, added_ms, last_access_ms) VALUES (?, ?, ?, ?, ?, ?)',
  blockUpdate: `UPDATE blocks SET bytes = ?, kind = ?, hint_for = ?, last_access_ms = max(last_access_ms, ?) WHERE cid = ?`,
  rootInsert: 'INSERT OR IGNORE INTO block_roots (root, cid) VALUES (?, ?)',
  blockGet: `SELECT ${BLOCK_COLUMNS} FROM blocks b WHERE b.cid = ?`,
  blockRemove: 'DELETE FROM blocks WHERE cid = ? RETURNING kind, bytes',
  blockPage: `SELECT ${BLOCK_COLUMNS} FROM blocks b WHERE b.cid > ? ORDER BY b.cid LIMIT ?`,
  blockTouch: 'UPDATE blocks SET last_access_ms = ? WHERE cid = ?',
  blockVerified: 'UPDATE blocks SET verified_set = ?, verified_pass = ? WHERE cid = ?',
  cachedSum: `SELECT coalesce(sum(bytes), 0) AS n FROM blocks WHERE kind = 'cache'`,
  leastRecentlyUsed: `SELECT ${BLOCK_COLUMNS} FROM blocks b WHERE b.kind = 'cache' ORDER BY b.last_access_ms, b.cid LIMIT ?`,
} as const;

/**
 * The `blocks` and `block_roots` tables: which blocks this node holds, why (BLOCK_KINDS), for
 * which objects, and when each was last read (the cache LRU). Keeps the cache's byte count as a
 * counter (ContentDb's blocks part; see ContentDb for each method's contract).
 */
export class BlockTable {
  readonly #sql: SqliteStatements;
  readonly #changed: () => void;
  readonly #touchCoalesceMs: number;
  /** Access time last written by touch(), per block, while it is recent. */
  readonly #touched = new Map<string, number>();
  /** Bytes of the 'cache' blocks: kept by every method that adds, removes or re-kinds a block. */
  #cachedBytes: number;

  constructor(sql: SqliteStatements, changed: () => void, touchCoalesceMs: number) {
    this.#sql = sql;
    this.#changed = changed;
    this.#touchCoalesceMs = touchCoalesceMs;
    this.#cachedBytes = this.#sql.get<{ n: number }>(SQL.cachedSum)?.n ?? 0;
  }

  /** Access times touch() remembers now (at most TOUCH_MEMORY_ENTRIES). */
  get touchEntries(): number {
    return this.#touched.size;
  }

  addBlock(row: AddBlockRow): void {
    assertBlockRow(row);
    this.transaction(() => this.#addBlock(row));
  }

  addBlocks(rows: readonly AddBlockRow[]): void {
    for (const row of rows) assertBlockRow(row);
    if (rows.length === 0) return;
    this.transaction(() => {
      for (const row of rows) this.#addBlock(row);
    });
  }

  setKind(cid: string, kind: BlockKind, hintFor?: string): void {
    this.#changed();
    if (!BLOCK_KINDS.includes(kind)) throw new InvalidArgumentError(`unknown block kind ${String(kind)}`);
    this.transaction(() => {
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

  removeBlock(cid: string): boolean {
    const removed = this.#sql.get<{ kind: BlockKind; bytes: number }>(SQL.blockRemove, cid);
    if (removed === undefined) return false;
    // An evicted cache block, like an added one, changes nothing the periodic passes look at.
    if (removed.kind !== 'cache') this.#changed();
    this.#cachedBytes -= cacheShare(removed.kind, removed.bytes);
    this.#touched.delete(cid);
    return true;
  }

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

  markVerified(marks: readonly (readonly [cid: string, mark: VerifiedMark])[]): void {
    for (const [, mark] of marks) assertVerifiedMark(mark);
    if (marks.length === 0) return;
    // Not a change of what the periodic passes look at: #changed stays.
    this.transaction(() => {
      for (const [cid, mark] of marks) this.#sql.run(SQL.blockVerified, mark.set, mark.pass, cid);
    });
  }

  blockCount(): number {
    return this.#sql.get<{ n: number }>('SELECT count(*) AS n FROM blocks')?.n ?? 0;
  }

  blocksOfRoot(root: string): string[] {
    return this.#sql.all<{ cid: string }>('SELECT cid FROM block_roots WHERE root = ? ORDER BY cid', root).map(
      (r) => r.cid,
    );
  }

  removeRoot(root: string): string[] {
    this.#changed();
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

  cachedBytes(): number {
    return this.#cachedBytes;
  }

  leastRecentlyUsedCache(limit: number): BlockRow[] {
    assertLimit(limit);
    return this.#sql.all<BlockSqlRow>(SQL.leastRecentlyUsed, limit).map(toBlockRow);
  }

  /** Forgets the remembered access times (on close). */
  clear(): void {
    this.#touched.clear();
  }

  /** One addBlock row, inside a transaction; the row is already checked. */
  #addBlock(row: AddBlockRow): void {
    const existing = this.#sql.get<BlockState>(SQL.blockState, row.cid);
    // A block that is and stays cache is nothing repair, anti-entropy or garbage collection act on
    // (each skips cache rows): a read through a non-holder does not make them walk the store again.
    if (row.kind !== 'cache' || (existing !== undefined && existing.kind !== 'cache')) this.#changed();
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
   * Runs `work` in a transaction (or inside the one already open); if it fails (and so rolls
   * back), the cache byte counter it moved is put back too.
   */
  transaction<T>(work: () => T): T {
    const cachedBytes = this.#cachedBytes;
    try {
      return this.#sql.transaction(work);
    } catch (err) {
      this.#cachedBytes = cachedBytes;
      throw err;
    }
  }
}
