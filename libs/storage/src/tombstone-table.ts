import type { Tombstone } from '@peerweave/core';
import { toTombstone, type TombstoneSqlRow } from './content-db-rows.ts';
import type { SqliteStatements } from './sqlite-statements.ts';

const TOMBSTONE_GET = 'SELECT * FROM tombstones WHERE cid = ?';

/** The `tombstones` table: deletions that repair must not undo (ContentDb's tombstones part). */
export class TombstoneTable {
  readonly #sql: SqliteStatements;
  readonly #changed: () => void;

  constructor(sql: SqliteStatements, changed: () => void) {
    this.#sql = sql;
    this.#changed = changed;
  }

  /** Two tombstones of one CID merge to the later deletion (ties: the smaller `by`). */
  putTombstone(t: Tombstone): boolean {
    this.#changed();
    return this.#sql.transaction(() => {
      const existing = this.#sql.get<TombstoneSqlRow>(TOMBSTONE_GET, t.cid);
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
    const row = this.#sql.get<TombstoneSqlRow>(TOMBSTONE_GET, cid);
    return row === undefined ? undefined : toTombstone(row);
  }

  tombstones(): Tombstone[] {
    return this.#sql.all<TombstoneSqlRow>('SELECT * FROM tombstones ORDER BY cid').map(toTombstone);
  }

  expireTombstones(beforeMs: number): number {
    const expired = Number(this.#sql.run('DELETE FROM tombstones WHERE deleted_ms < ?', beforeMs).changes);
    if (expired > 0) this.#changed();
    return expired;
  }
}
