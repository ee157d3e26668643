import { InvalidArgumentError, type ObjectRecord, type Tombstone } from '@peerweave/core';

// The content database's row types, their SQL shapes and the checks every table shares.

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
  /** What repair last found complete for this copy (see ContentDb.markVerified); absent if never. */
  verified?: VerifiedMark;
}

/** A replica set, as a hash of its members, found complete in a repair pass. */
export interface VerifiedMark {
  /** Hash of the replica set (a non-negative safe integer). */
  set: number;
  /** The repair pass that found it complete. */
  pass: number;
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

export interface RecordSqlRow {
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

export interface BlockSqlRow {
  cid: string;
  bytes: number;
  kind: BlockKind;
  hint_for: string;
  added_ms: number;
  last_access_ms: number;
  roots: string;
  verified_set: number | null;
  verified_pass: number | null;
}

export interface BlockState {
  kind: BlockKind;
  hint_for: string;
  bytes: number;
}

export interface TombstoneSqlRow {
  cid: string;
  deleted_ms: number;
  by: string;
}

export function rank(kind: BlockKind): number {
  return BLOCK_KINDS.indexOf(kind);
}

/** What a block adds to cachedBytes(). */
export function cacheShare(kind: BlockKind, bytes: number): number {
  return kind === 'cache' ? bytes : 0;
}

export function assertBlockRow(row: AddBlockRow): void {
  if (!BLOCK_KINDS.includes(row.kind)) throw new InvalidArgumentError(`unknown block kind ${String(row.kind)}`);
  if (!(Number.isSafeInteger(row.bytes) && row.bytes >= 0)) {
    throw new InvalidArgumentError(`block size must be a non-negative integer, got ${row.bytes}`);
  }
  if (row.kind === 'hint' && !row.hintFor) throw new InvalidArgumentError('a hint needs hintFor');
}

export function assertVerifiedMark(mark: VerifiedMark): void {
  for (const [name, value] of [
    ['set', mark.set],
    ['pass', mark.pass],
  ] as const) {
    if (!(Number.isSafeInteger(value) && value >= 0)) {
      throw new InvalidArgumentError(`verified ${name} must be a non-negative integer, got ${value}`);
    }
  }
}

export function assertLimit(limit: number): void {
  if (!(Number.isSafeInteger(limit) && limit >= 0)) {
    throw new InvalidArgumentError(`limit must be a non-negative integer, got ${limit}`);
  }
}

export function toRecord(row: RecordSqlRow): ObjectRecord {
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

export function toBlockRow(row: BlockSqlRow): BlockRow {
  const out: BlockRow = {
    cid: row.cid,
    bytes: row.bytes,
    roots: JSON.parse(row.roots) as string[],
    kind: row.kind,
    hintFor: row.hint_for,
    addedMs: row.added_ms,
    lastAccessMs: row.last_access_ms,
  };
  // Set only when present (no spread on getBlock's hot path; a row never verified has no key).
  if (row.verified_set !== null && row.verified_pass !== null) out.verified = { set: row.verified_set, pass: row.verified_pass };
  return out;
}

export function toTombstone(row: TombstoneSqlRow): Tombstone {
  return { cid: row.cid, deletedMs: row.deleted_ms, by: row.by };
}
