import type { ObjectRecord } from '@peerweave/core';
import { assertLimit, toRecord, type RecordSqlRow } from './content-db-rows.ts';
import type { SqliteStatements } from './sqlite-statements.ts';

const SQL = {
  recordInsert: `INSERT INTO records (cid, name, content_type, size, blocks, keywords, created_ms, uploader, uploader_key, signature)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cid) DO NOTHING`,
  recordUpdate: `UPDATE records SET name = ?2, content_type = ?3, size = ?4, blocks = ?5, keywords = ?6, created_ms = ?7,
    uploader = ?8, uploader_key = ?9, signature = ?10 WHERE cid = ?1`,
  recordGet: 'SELECT * FROM records WHERE cid = ?',
} as const;

/** The `records` table: signed metadata records, one per root CID (ContentDb's records part). */
export class RecordTable {
  readonly #sql: SqliteStatements;
  readonly #changed: () => void;

  constructor(sql: SqliteStatements, changed: () => void) {
    this.#sql = sql;
    this.#changed = changed;
  }

  putRecord(record: ObjectRecord): boolean {
    this.#changed();
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
    this.#changed();
    return this.#sql.run('DELETE FROM records WHERE cid = ?', cid).changes > 0;
  }

  recordCount(): number {
    return this.#sql.get<{ n: number }>('SELECT count(*) AS n FROM records')?.n ?? 0;
  }

  listRecords(options: { limit: number; after?: string }): ObjectRecord[] {
    assertLimit(options.limit);
    return this.#sql.all<RecordSqlRow>(
      'SELECT * FROM records WHERE cid > ? ORDER BY cid LIMIT ?',
      options.after ?? '',
      options.limit,
    ).map(toRecord);
  }
}
