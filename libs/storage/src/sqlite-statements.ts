import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';

/**
 * Prepared statements of one `node:sqlite` database, prepared once per SQL text and reused, and
 * transactions that nest into the caller's: what ContentDb and the search index both need.
 */
export class SqliteStatements {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /**
   * Runs `work` in a transaction (BEGIN IMMEDIATE), or inside the one already open. BEGIN, COMMIT
   * and ROLLBACK are prepared statements too: exec() would parse them on every call.
   */
  transaction<T>(work: () => T): T {
    if (this.#db.isTransaction) return work();
    this.#statement('BEGIN IMMEDIATE').run();
    try {
      const result = work();
      this.#statement('COMMIT').run();
      return result;
    } catch (err) {
      // SQLite may have rolled back already (some errors end the transaction): do not hide `err`.
      if (this.#db.isTransaction) this.#statement('ROLLBACK').run();
      throw err;
    }
  }

  get<T>(sql: string, ...params: SQLInputValue[]): T | undefined {
    return this.#statement(sql).get(...params) as T | undefined;
  }

  all<T>(sql: string, ...params: SQLInputValue[]): T[] {
    return this.#statement(sql).all(...params) as T[];
  }

  run(sql: string, ...params: SQLInputValue[]): { changes: number | bigint } {
    return this.#statement(sql).run(...params);
  }

  /** True inside a transaction (whose changes may still roll back). */
  get inTransaction(): boolean {
    return this.#db.isTransaction;
  }

  /** How many statements are prepared: one per distinct SQL text, a fixed set in our callers. */
  get size(): number {
    return this.#statements.size;
  }

  /** Forgets the prepared statements (before the database closes). */
  clear(): void {
    this.#statements.clear();
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
