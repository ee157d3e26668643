import type { ProviderRecord } from '@peerweave/core';

/**
 * Provider records as pure rules: merging the answers of several nodes, when a record lapses,
 * and which announcements are due for a refresh.
 */

/** The records of several answers, one per provider (the latest expiry wins), in first-seen order. */
export function mergeProviderRecords(answers: Iterable<readonly ProviderRecord[]>): ProviderRecord[] {
  const found = new Map<string, ProviderRecord>();
  for (const records of answers) {
    for (const r of records) if ((found.get(r.id)?.expiresMs ?? -1) < r.expiresMs) found.set(r.id, r);
  }
  return [...found.values()];
}

/** When a record announced at `nowMs` for `ttlMs` lapses: the announcer's wish, capped at `maxTtlMs`. */
export function providerExpiry(nowMs: number, ttlMs: number, maxTtlMs: number): number {
  return nowMs + Math.min(ttlMs, maxTtlMs);
}

/** How often the refresh timer looks at what this node provides: a quarter of the lifetime, at least a second. */
export function refreshIntervalMs(ttlMs: number): number {
  return Math.max(1_000, Math.floor(ttlMs / 4));
}

/** One object this node announced itself a provider of. */
export interface Provided {
  readonly leaves: readonly string[];
  readonly announcedMs: number;
}

/**
 * What a refresh does: `forget` the objects this node no longer serves (`serves` false: none of
 * their leaves are held any more, or the object was deleted), and announce again (`due`) those
 * last announced half a lifetime ago or more, so a record never lapses while it is still true.
 */
export function refreshPlan(
  provided: Iterable<readonly [string, Provided]>,
  nowMs: number,
  ttlMs: number,
  serves: (root: string, leaves: readonly string[]) => boolean,
): { due: string[]; forget: string[] } {
  const due: string[] = [];
  const forget: string[] = [];
  for (const [root, p] of provided) {
    if (!serves(root, p.leaves)) forget.push(root);
    else if (nowMs - p.announcedMs >= ttlMs / 2) due.push(root);
  }
  return { due, forget };
}
