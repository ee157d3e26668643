import { createHash } from 'node:crypto';
import type { RangeDigest } from '@peerweave/core';

/** Anti-entropy ranges: the first byte of a key, so 256 ranges of the key space. */
export const RANGE_COUNT = 256;

export interface KeyedEntry {
  /** Placement key (32 bytes); its first byte picks the range. */
  readonly key: Uint8Array;
  /** What is compared: a block CID, or `t:<cid>` for a tombstone. */
  readonly label: string;
}

/**
 * Digests of a set of entries per range: count and SHA-256 of the sorted labels joined by '\n'
 * (Cassandra's Merkle comparison, one level deep). Equal digests mean equal sets, so a
 * synchronised pair exchanges 256 small digests and nothing else.
 */
export function rangeDigests(entries: Iterable<KeyedEntry>): RangeDigest[] {
  const ranges = groupByRange(entries);
  const digests: RangeDigest[] = [];
  for (let prefix = 0; prefix < RANGE_COUNT; prefix++) {
    const labels = ranges.get(prefix);
    if (labels === undefined || labels.length === 0) {
      digests.push({ prefix, count: 0, hash: new Uint8Array(0) });
      continue;
    }
    labels.sort();
    const hash = createHash('sha256').update(labels.join('\n')).digest();
    digests.push({ prefix, count: labels.length, hash: new Uint8Array(hash) });
  }
  return digests;
}

export function groupByRange(entries: Iterable<KeyedEntry>): Map<number, string[]> {
  const ranges = new Map<number, string[]>();
  for (const e of entries) {
    const prefix = e.key[0]!;
    const list = ranges.get(prefix);
    if (list) list.push(e.label);
    else ranges.set(prefix, [e.label]);
  }
  return ranges;
}

/** Prefixes whose digests differ (a missing digest counts as empty). */
export function differingRanges(ours: readonly RangeDigest[], theirs: readonly RangeDigest[]): number[] {
  const mine = new Map(ours.map((d) => [d.prefix, d]));
  const other = new Map(theirs.map((d) => [d.prefix, d]));
  const prefixes = new Set([...mine.keys(), ...other.keys()]);
  const differing: number[] = [];
  for (const p of [...prefixes].sort((a, b) => a - b)) {
    const a = mine.get(p);
    const b = other.get(p);
    const countA = a?.count ?? 0;
    const countB = b?.count ?? 0;
    if (countA !== countB) differing.push(p);
    else if (countA > 0 && !Buffer.from(a!.hash).equals(Buffer.from(b!.hash))) differing.push(p);
  }
  return differing;
}
