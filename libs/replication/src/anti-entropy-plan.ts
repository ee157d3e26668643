import type { Tombstone } from '@peerweave/core';
import type { KeyedEntry } from './digests.ts';

/**
 * What two neighbours compare in an anti-entropy round, as pure functions: which entries each
 * shares with the other, which keys of the ranges that differ it sends, and which entries the
 * neighbour lacks. Entries are block CIDs and tombstones (labelled `t:<cid>`).
 */

/** An entry of the replica index: a replica copy with the replicas of its key, or a tombstone (shared with everyone). */
export interface IndexedEntry extends KeyedEntry {
  /** Ids of the replicas of the block's key; undefined for a tombstone. */
  readonly replicas?: ReadonlySet<string>;
}

/** The label a tombstone of `cid` is compared under. */
export function tombstoneLabel(cid: string): string {
  return `t:${cid}`;
}

/** The CID of a tombstone label, undefined for a block label. */
export function tombstoneCid(label: string): string | undefined {
  return label.startsWith('t:') ? label.slice(2) : undefined;
}

/** The entries `peer` should hold too: blocks it is a replica of, and every tombstone. */
export function sharedWith<E extends IndexedEntry>(index: readonly E[], peer: string): E[] {
  return index.filter((e) => e.replicas === undefined || e.replicas.has(peer));
}

/**
 * The entries of `index` grouped by whom they are shared with, in one pass: per peer the blocks it
 * is a replica of with this node (`self` left out), and the tombstones, which are shared with
 * everyone. `sharedWith(index, p)` holds the same entries as `[...byPeer.get(p) ?? [], ...everyone]`.
 */
export function sharesByPeer<E extends IndexedEntry>(index: Iterable<E>, self: string): { byPeer: Map<string, E[]>; everyone: E[] } {
  const byPeer = new Map<string, E[]>();
  const everyone: E[] = [];
  for (const e of index) {
    if (e.replicas === undefined) {
      everyone.push(e);
      continue;
    }
    for (const id of e.replicas) {
      if (id === self) continue;
      const list = byPeer.get(id);
      if (list) list.push(e);
      else byPeer.set(id, [e]);
    }
  }
  return { byPeer, everyone };
}

/** The labels of `entries` in the ranges `prefixes`: block keys and tombstone CIDs apart (a SyncKeys answer). */
export function labelsInRanges(entries: Iterable<KeyedEntry>, prefixes: Iterable<number>): { keys: string[]; tombstoneCids: string[] } {
  const wanted = new Set(prefixes);
  const keys: string[] = [];
  const tombstoneCids: string[] = [];
  for (const e of entries) {
    if (!wanted.has(e.key[0]!)) continue;
    const cid = tombstoneCid(e.label);
    if (cid === undefined) keys.push(e.label);
    else tombstoneCids.push(cid);
  }
  return { keys, tombstoneCids };
}

/** Our entries in the `differing` ranges that the neighbour's lists (its keys and tombstones there) do not have. */
export function lackingEntries<E extends KeyedEntry>(
  ours: readonly E[],
  differing: readonly number[],
  theirKeys: readonly string[],
  theirTombstones: readonly Pick<Tombstone, 'cid'>[],
): E[] {
  const theirs = new Set([...theirKeys, ...theirTombstones.map((t) => tombstoneLabel(t.cid))]);
  const wanted = new Set(differing);
  return ours.filter((e) => wanted.has(e.key[0]!) && !theirs.has(e.label));
}
