import type { DatabaseSync } from 'node:sqlite';
import { PeerweaveError } from '@peerweave/core';
import type { SqliteStatements } from './sqlite-statements.ts';

// The content database's schema and how a file is opened: pragmas, then migrations.

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
  // 3: what repair last found complete of each replica block (the replica set's hash and the pass),
  // kept on disk rather than in memory so that a node's memory does not grow with its store (issue
  // #12), and small counters a node keeps across restarts (the repair pass number). Adding a
  // column with no default rewrites nothing.
  `
  ALTER TABLE blocks ADD COLUMN verified_set INTEGER;
  ALTER TABLE blocks ADD COLUMN verified_pass INTEGER;
  CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

/** The schema version this code reads and writes. */
export const CONTENT_DB_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Sets the connection up and brings the schema to CONTENT_DB_SCHEMA_VERSION. WAL with
 * synchronous=NORMAL: readers never wait for the writer, and a power cut loses at most the last
 * few transactions, never consistency. `cacheKib` bounds the page cache (see
 * DEFAULT_CONTENT_DB_CACHE_KIB); memory maps are off, so nothing else grows with the file.
 */
export function initialiseContentDatabase(db: DatabaseSync, sql: SqliteStatements, cacheKib: number): void {
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec(`PRAGMA cache_size = -${cacheKib}`);
  db.exec('PRAGMA mmap_size = 0');
  const version = db.prepare('PRAGMA user_version').get()?.user_version;
  const current = typeof version === 'number' ? version : 0;
  if (current > CONTENT_DB_SCHEMA_VERSION) {
    throw new PeerweaveError(
      'FAILED_PRECONDITION',
      `content database has schema version ${current}, newer than this node's ${CONTENT_DB_SCHEMA_VERSION}: upgrade the node`,
    );
  }
  for (let v = current; v < CONTENT_DB_SCHEMA_VERSION; v++) {
    sql.transaction(() => {
      db.exec(MIGRATIONS[v] ?? '');
      db.exec(`PRAGMA user_version = ${v + 1}`);
    });
  }
}
