import { hash } from 'node:crypto';
import type { PeerContact } from '@peerweave/protocol';
import type { BlockRow, VerifiedMark } from '@peerweave/storage';
import { hintAction } from './hand-back.ts';

/** A replica set found complete is asked again after this many repair passes even if unchanged. */
export const REVERIFY_EVERY_PASSES = 6;

export interface RepairInput {
  readonly selfId: string;
  /** The r replicas of a block as this node sees them, nearest first. */
  replicasOf(cid: string): readonly PeerContact[];
  /** The number of this pass. */
  readonly pass: number;
}

/** What one repair pass does, decided from the rows held before any network call. */
export interface RepairPlan {
  /** Rows of replica and hint copies looked at. */
  checked: number;
  /** (replica, cid): ask that replica whether it holds that block. */
  toAsk: (readonly [PeerContact, string])[];
  /** The replica set key of every block asked about; verified once every replica holds it. */
  replicaSets: Map<string, string>;
  /** Hints to push back to their node, then keep as `keepAs`. */
  handBack: { cid: string; target: PeerContact; keepAs: 'replica' | 'cache' }[];
  /** Hints that became this node's replicas. */
  promote: string[];
  /** Replica copies this node is no longer responsible for: cache once the new replicas hold them. */
  demote: string[];
}

/** A replica set as compared between passes. */
export function replicaSetKey(replicas: readonly PeerContact[]): string {
  return replicas.map((p) => p.id).join(',');
}

/**
 * What a block row keeps of its replica set: the first 48 bits of the key's SHA-256 (two sets
 * confused once in 2^48), a number SQLite and JavaScript both hold exactly.
 */
export function replicaSetHash(key: string): number {
  return hash('sha256', key, 'buffer').readUIntBE(0, 6);
}

/** replicaSetHash, once per distinct set of a pass (a node's blocks fall into few sets). */
function setHasher(): (key: string) => number {
  const known = new Map<string, number>();
  return (key) => {
    let h = known.get(key);
    if (h === undefined) known.set(key, (h = replicaSetHash(key)));
    return h;
  };
}

/**
 * Plans a repair pass over the rows held. Cache copies and staged blocks (claimed by no object)
 * are not this node's to repair. A replica copy is checked, by asking every other replica, unless
 * its set was verified complete, unchanged, fewer than {@link REVERIFY_EVERY_PASSES} passes ago
 * with this node in it (two nodes can briefly disagree on a set while a death spreads).
 */
export function planRepair(rows: Iterable<Pick<BlockRow, 'cid' | 'kind' | 'roots' | 'hintFor' | 'verified'>>, input: RepairInput): RepairPlan {
  const plan: RepairPlan = { checked: 0, toAsk: [], replicaSets: new Map(), handBack: [], promote: [], demote: [] };
  const setHash = setHasher();
  for (const row of rows) {
    if (row.kind === 'cache') continue;
    if (row.roots.length === 0) continue;
    plan.checked++;
    const replicas = input.replicasOf(row.cid);
    if (row.kind === 'hint') {
      const hint = hintAction(row.hintFor, replicas, input.selfId);
      if (hint.action === 'hand-back') plan.handBack.push({ cid: row.cid, target: hint.target, keepAs: hint.keepAs });
      else if (hint.action === 'promote') plan.promote.push(row.cid);
      continue;
    }
    const selfIsReplica = replicas.some((p) => p.id === input.selfId);
    const setKey = replicaSetKey(replicas);
    const verified = row.verified;
    // A pass number ahead of this one cannot be this process's: not trusted (Repair starts its
    // count past every stored pass, so this is only a guard).
    const recent = verified !== undefined && verified.pass <= input.pass && input.pass - verified.pass < REVERIFY_EVERY_PASSES;
    if (recent && selfIsReplica && verified.set === setHash(setKey)) continue;
    plan.replicaSets.set(row.cid, setKey);
    for (const p of replicas) if (p.id !== input.selfId) plan.toAsk.push([p, row.cid]);
    if (!selfIsReplica) plan.demote.push(row.cid);
  }
  return plan;
}

/**
 * After the asks and pushes: the sets now verified complete (every block but those some replica
 * still lacks or could not be asked about) and the copies safe to demote to cache.
 */
export function settleRepair(
  plan: Pick<RepairPlan, 'replicaSets' | 'demote'>,
  incomplete: ReadonlySet<string>,
  pass: number,
): { verified: [string, VerifiedMark][]; demote: string[] } {
  const verified: [string, VerifiedMark][] = [];
  const setHash = setHasher();
  for (const [cid, set] of plan.replicaSets) if (!incomplete.has(cid)) verified.push([cid, { set: setHash(set), pass }]);
  return { verified, demote: plan.demote.filter((cid) => !incomplete.has(cid)) };
}
