import { DatabaseSync } from 'node:sqlite';
import { InvalidArgumentError, type ObjectRecord, type Tombstone } from '@peerweave/core';
import { BlockTable, DEFAULT_TOUCH_COALESCE_MS } from './block-table.ts';
import type { AddBlockRow, BlockKind, BlockRow, VerifiedMark } from './content-db-rows.ts';
import { initialiseContentDatabase } from './content-db-schema.ts';
import { ProviderTable, type ProviderRow } from './provider-table.ts';
import { RecordTable } from './record-table.ts';
import { SqliteStatements } from './sqlite-statements.ts';
import { TombstoneTable } from './tombstone-table.ts';

export { BLOCK_KINDS, type AddBlockRow, type BlockKind, type BlockRow, type VerifiedMark } from './content-db-rows.ts';
export { CONTENT_DB_SCHEMA_VERSION } from './content-db-schema.ts';
export { DEFAULT_TOUCH_COALESCE_MS, TOUCH_MEMORY_ENTRIES } from './block-table.ts';

/** File of the database in the node's data directory. */
export const CONTENT_DB_FILE = 'peerweave.db';

export interface ContentDbInit {
  /** Path of the database file, or ':memory:' (tests). One ContentDb per file: it keeps counters in memory. */
  path: string;
  /** See {@link DEFAULT_TOUCH_COALESCE_MS}; 0 makes every touch() write. */
  touchCoalesceMs?: number;
  /** See {@link DEFAULT_CONTENT_DB_CACHE_KIB}. */
  cacheKib?: number;
}

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

/**
 * What a node knows about content besides the blocks themselves: signed metadata records, which
 * blocks it holds and why (replica, hint, cache) with the objects they belong to, and tombstones
 * of deleted objects. One SQLite file (`node:sqlite`) in WAL mode with synchronous=NORMAL: readers
 * never wait for the writer, and a power cut loses at most the last few transactions, never
 * consistency (blocks are re-announced by anti-entropy anyway).
 *
 * The API is synchronous, as node:sqlite is: each call is a short indexed statement. One table
 * class per concern (record-table.ts, block-table.ts, tombstone-table.ts, provider-table.ts) over
 * one connection, set up and migrated by content-db-schema.ts; this class composes them.
 */
export class ContentDb {
  readonly #db: DatabaseSync;
  readonly #sql: SqliteStatements;
  readonly #records: RecordTable;
  readonly #blocks: BlockTable;
  readonly #tombstones: TombstoneTable;
  readonly #providers: ProviderTable;
  /** Bumped by every change to blocks (but cache ones), records or tombstones (see {@link changes}). */
  #changes = 0;

  constructor(init: ContentDbInit) {
    const touchCoalesceMs = init.touchCoalesceMs ?? DEFAULT_TOUCH_COALESCE_MS;
    const cacheKib = init.cacheKib ?? DEFAULT_CONTENT_DB_CACHE_KIB;
    for (const [name, value] of [
      ['touchCoalesceMs', touchCoalesceMs],
      ['cacheKib', cacheKib],
    ] as const) {
      if (!(Number.isSafeInteger(value) && value >= 0)) {
        throw new InvalidArgumentError(`${name} must be a non-negative integer, got ${value}`);
      }
    }
    this.#db = new DatabaseSync(init.path);
    this.#sql = new SqliteStatements(this.#db);
    const changed = (): void => {
      this.#changes++;
    };
    try {
      initialiseContentDatabase(this.#db, this.#sql, cacheKib);
      this.#records = new RecordTable(this.#sql, changed);
      this.#blocks = new BlockTable(this.#sql, changed, touchCoalesceMs);
      this.#tombstones = new TombstoneTable(this.#sql, changed);
      this.#providers = new ProviderTable(this.#sql);
    } catch (err) {
      this.#db.close();
      throw err;
    }
  }

  /**
   * A counter that moves whenever a block is added, re-kinded or removed, or a record or tombstone
   * is written or deleted: periodic passes (repair, anti-entropy's index, garbage collection)
   * compare it to skip a period in which nothing they look at changed. A cache block added or
   * evicted (read for a user; a block already held under another kind stays so) does not move it:
   * all three skip cache rows. Only increases; not persisted.
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
      touchEntries: this.#blocks.touchEntries,
      statements: this.#sql.size,
    };
  }

  /**
   * Runs `work` in one transaction (one commit for every write it makes; calls inside it join it):
   * a replica stores a small object's block row and record with one commit. If `work` throws,
   * everything it wrote is rolled back, counters included, and the error is rethrown.
   */
  transaction<T>(work: () => T): T {
    return this.#blocks.transaction(work);
  }

  /**
   * Lets SQLite free this connection's page cache (PRAGMA shrink_memory): the node's memory release
   * calls it once it is quiet after work, so the cache's memory is free again (up to
   * {@link DEFAULT_CONTENT_DB_CACHE_KIB} once full). The next reads fill it again from the OS
   * page cache. Cheap: it frees what is cached, writes nothing.
   */
  releaseMemory(): void {
    if (this.#db.isOpen) this.#db.exec('PRAGMA shrink_memory');
  }

  close(): void {
    this.#sql.clear();
    this.#blocks.clear();
    if (this.#db.isOpen) this.#db.close();
  }

  // --- records (record-table.ts) ---

  /** Stores a record, replacing the one of the same CID; true if there was none. */
  putRecord(record: ObjectRecord): boolean {
    return this.#records.putRecord(record);
  }

  getRecord(cid: string): ObjectRecord | undefined {
    return this.#records.getRecord(cid);
  }

  deleteRecord(cid: string): boolean {
    return this.#records.deleteRecord(cid);
  }

  /** How many records this node holds. */
  recordCount(): number {
    return this.#records.recordCount();
  }

  /** Records in CID order, those after `after` (for paging). */
  listRecords(options: { limit: number; after?: string }): ObjectRecord[] {
    return this.#records.listRecords(options);
  }

  // --- blocks held (block-table.ts) ---

  /**
   * Records that this node holds a block. Again for a block already known: its roots are merged
   * (set union), its kind only goes up (cache < hint < replica; use setKind to go down), and it
   * counts as an access.
   */
  addBlock(row: AddBlockRow): void {
    this.#blocks.addBlock(row);
  }

  /**
   * addBlock for many rows in one transaction (one commit instead of one per block): the same
   * result as calling addBlock for each in order. Every row is checked first; one that is invalid
   * fails the call with INVALID_ARGUMENT and nothing is added.
   */
  addBlocks(rows: readonly AddBlockRow[]): void {
    this.#blocks.addBlocks(rows);
  }

  /**
   * Sets the kind of a known block, up or down (a hint handed back becomes 'cache'). hintFor is
   * kept only for 'hint'; without one, a block that already was a hint keeps its own. No-op for
   * an unknown block.
   */
  setKind(cid: string, kind: BlockKind, hintFor?: string): void {
    this.#blocks.setKind(cid, kind, hintFor);
  }

  getBlock(cid: string): BlockRow | undefined {
    return this.#blocks.getBlock(cid);
  }

  /** Forgets a block (and its roots); true if it was known. */
  removeBlock(cid: string): boolean {
    return this.#blocks.removeBlock(cid);
  }

  /**
   * Every block row in CID order, read a page at a time: safe to add or remove blocks while
   * iterating (a row changed behind the cursor is not seen again).
   */
  blocks(): Generator<BlockRow, void, undefined> {
    return this.#blocks.blocks();
  }

  blockCount(): number {
    return this.#blocks.blockCount();
  }

  /**
   * Records, in one transaction, the replica set (hash) and pass that repair found each block
   * complete against; it comes back as BlockRow.verified. On disk rather than in the node's memory
   * so that memory does not grow with the store (issue #12). Not a change for {@link changes}.
   * Unknown CIDs are skipped; a mark that is not two non-negative integers fails the call with
   * INVALID_ARGUMENT and nothing is written.
   */
  markVerified(marks: readonly (readonly [cid: string, mark: VerifiedMark])[]): void {
    this.#blocks.markVerified(marks);
  }

  /** CIDs of the blocks that belong to the object `root`, sorted. */
  blocksOfRoot(root: string): string[] {
    return this.#blocks.blocksOfRoot(root);
  }

  /**
   * Drops `root` from every block's roots (the object was deleted) and returns the blocks it
   * leaves belonging to no object: the caller deletes them (a block shared with another object
   * stays). The rows themselves are kept until the caller removes them.
   */
  removeRoot(root: string): string[] {
    return this.#blocks.removeRoot(root);
  }

  /**
   * Marks a block as just read, for the cache LRU. Coalesced: within `touchCoalesceMs` of the time
   * this last wrote for the block, nothing is written (the stored time is at most that much old).
   */
  touch(cid: string, nowMs: number): void {
    this.#blocks.touch(cid, nowMs);
  }

  /** Total size of the blocks held as 'cache' (a counter: no query). */
  cachedBytes(): number {
    return this.#blocks.cachedBytes();
  }

  /** The 'cache' blocks read longest ago, oldest first: the ones to evict. */
  leastRecentlyUsedCache(limit: number): BlockRow[] {
    return this.#blocks.leastRecentlyUsedCache(limit);
  }

  // --- counters kept across restarts ---

  /** A counter's value, 0 if it was never set. */
  counter(name: string): number {
    return this.#sql.get<{ value: number }>('SELECT value FROM counters WHERE name = ?', name)?.value ?? 0;
  }

  /** Sets a counter (a safe integer); inside a transaction, with it. */
  setCounter(name: string, value: number): void {
    if (!Number.isSafeInteger(value)) throw new InvalidArgumentError(`counter ${name} must be a safe integer, got ${value}`);
    this.#sql.run('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', name, value);
  }

  // --- tombstones (tombstone-table.ts) ---

  /**
   * Stores a tombstone; true if the CID had none. Two tombstones of one CID merge to the later
   * deletion (ties: the smaller `by`), so replicas converge whatever order they arrive in.
   */
  putTombstone(t: Tombstone): boolean {
    return this.#tombstones.putTombstone(t);
  }

  getTombstone(cid: string): Tombstone | undefined {
    return this.#tombstones.getTombstone(cid);
  }

  /** Every tombstone, in CID order. */
  tombstones(): Tombstone[] {
    return this.#tombstones.tombstones();
  }

  /** Removes the tombstones of deletions before `beforeMs`; returns how many. */
  expireTombstones(beforeMs: number): number {
    return this.#tombstones.expireTombstones(beforeMs);
  }

  // --- provider records (provider-table.ts) ---

  /**
   * Records that node `id` (at `address`) serves `cid` until `expiresMs`; a newer announcement of
   * the same pair replaces the address and expiry. Beyond `maxPerCid` live providers of one CID
   * the one expiring first is dropped, so a CID cannot grow an unbounded list.
   */
  addProvider(p: { cid: string; id: string; address: string; expiresMs: number }, maxPerCid: number): void {
    this.#providers.addProvider(p, maxPerCid);
  }

  /** Live providers of `cid` (expiring after `nowMs`), latest expiry first. */
  providers(cid: string, nowMs: number, limit: number): ProviderRow[] {
    return this.#providers.providers(cid, nowMs, limit);
  }

  /** Removes provider records that expired at or before `nowMs`; returns how many. */
  expireProviders(nowMs: number): number {
    return this.#providers.expireProviders(nowMs);
  }
}
