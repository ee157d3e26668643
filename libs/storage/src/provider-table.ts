import { assertLimit } from './content-db-rows.ts';
import type { SqliteStatements } from './sqlite-statements.ts';

/** A provider record as the `providers` table keeps it. */
export interface ProviderRow {
  id: string;
  address: string;
  expiresMs: number;
}

/**
 * The `providers` table: nodes other than the replicas that announced they serve a CID, each
 * until an expiry (ContentDb's providers part).
 */
export class ProviderTable {
  readonly #sql: SqliteStatements;

  constructor(sql: SqliteStatements) {
    this.#sql = sql;
  }

  addProvider(p: { cid: string } & ProviderRow, maxPerCid: number): void {
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

  providers(cid: string, nowMs: number, limit: number): ProviderRow[] {
    assertLimit(limit);
    return this.#sql.all<{ id: string; address: string; expires_ms: number }>(
      'SELECT id, address, expires_ms FROM providers WHERE cid = ? AND expires_ms > ? ORDER BY expires_ms DESC, id LIMIT ?',
      cid,
      nowMs,
      limit,
    ).map((r) => ({ id: r.id, address: r.address, expiresMs: r.expires_ms }));
  }

  expireProviders(nowMs: number): number {
    return Number(this.#sql.run('DELETE FROM providers WHERE expires_ms <= ?', nowMs).changes);
  }
}
