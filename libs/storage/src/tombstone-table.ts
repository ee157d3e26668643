import type { Tombstone } from '@peerweave/core';
import { toTombstone, type TombstoneSqlRow } from './content-db-rows.ts';
import type { SqliteStatements } from './sqlite-statements.ts';

const TOMBSTONE_GET = 'SELECT * FROM tombstones WHERE cid = ?';
const TOMBSTONE_COUNT = 'SELECT count(*) AS n FROM tombstones';

/** The `tombstones` table: deletions that repair must not undo (ContentDb's tombstones part). */
export class TombstoneTable {
  readonly #sql: SqliteStatements;
  readonly #changed: () => void;
  /**
   * The table's row count, or more, never fewer: while it is 0, getTombstone answers without a
   * query. A tombstone lives only for its TTL after a delete, so most nodes hold none most of the
   * time, and every put asks for one 1–2 times per replica and every read 2–3 times (~2 % of a
   * read's CPU, profiled). An insert counts once its statement ran (a caller's transaction that
   * rolls it back leaves the count high: a query, not a wrong answer); expiry counts the rows
   * again, outside a transaction only.
   */
  #rows: number;

  constructor(sql: SqliteStatements, changed: () => void) {
    this.#sql = sql;
    this.#changed = changed;
    this.#rows = this.#count();
  }

  /** Two tombstones of one CID merge to the later deletion (ties: the smaller `by`). */
  putTombstone(t: Tombstone): boolean {
    this.#changed();
    return this.#sql.transaction(() => {
      const existing = this.#sql.get<TombstoneSqlRow>(TOMBSTONE_GET, t.cid);
      if (existing === undefined) {
        this.#sql.run('INSERT INTO tombstones (cid, deleted_ms, by) VALUES (?, ?, ?)', t.cid, t.deletedMs, t.by);
        this.#rows++;
        return true;
      }
      if (t.deletedMs > existing.deleted_ms || (t.deletedMs === existing.deleted_ms && t.by < existing.by)) {
        this.#sql.run('UPDATE tombstones SET deleted_ms = ?, by = ? WHERE cid = ?', t.deletedMs, t.by, t.cid);
      }
      return false;
    });
  }

  getTombstone(cid: string): Tombstone | undefined {
    if (this.#rows === 0) return undefined;
    const row = this.#sql.get<TombstoneSqlRow>(TOMBSTONE_GET, cid);
    return row === undefined ? undefined : toTombstone(row);
  }

  #count(): number {
    return this.#sql.get<{ n: number }>(TOMBSTONE_COUNT)?.n ?? 0;
  }

  tombstones(): Tombstone[] {
    return this.#sql.all<TombstoneSqlRow>('SELECT * FROM tombstones ORDER BY cid').map(toTombstone);
  }

  expireTombstones(beforeMs: number): number {
    const expired = Number(this.#sql.run('DELETE FROM tombstones WHERE deleted_ms < ?', beforeMs).changes);
    if (expired > 0) this.#changed();
    if (expired > 0 && !this.#sql.inTransaction) this.#rows = this.#count();
    return expired;
  }
}
