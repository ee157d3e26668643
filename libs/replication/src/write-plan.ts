import type { PeerContact } from '@peerweave/protocol';

/** What became of one copy of one block during an upload. */
export interface CopyOutcome {
  readonly cid: string;
  readonly peer: PeerContact;
  /** '' for a replica; the replica it stands in for, for a hinted hand-off copy. */
  readonly hintFor: string;
  /** stored (and, after PinBlocks, pinned), refused (its object is deleted there), or failed. */
  readonly result: 'stored' | 'refused' | 'failed';
}

/** The copies stored without roots, per node: who must be asked to pin which blocks. */
export function pinPlan(copies: readonly CopyOutcome[]): Map<string, { peer: PeerContact; blocks: { cid: string; hintFor: string }[] }> {
  const plan = new Map<string, { peer: PeerContact; blocks: { cid: string; hintFor: string }[] }>();
  for (const c of copies) {
    if (c.result !== 'stored') continue;
    let entry = plan.get(c.peer.id);
    if (!entry) plan.set(c.peer.id, (entry = { peer: c.peer, blocks: [] }));
    entry.blocks.push({ cid: c.cid, hintFor: c.hintFor });
  }
  return plan;
}

/** Whether an upload reached its write quorum: the first block below `w`, and the fewest copies of any block. */
export interface QuorumVerdict {
  /** The first block (in `cids` order) with fewer than w copies, if any. */
  readonly cid: string | undefined;
  /** Its copies. */
  readonly acks: number;
  /** The fewest copies of any block (the object's replica count). */
  readonly fewest: number;
  /** Some node refused a copy because the object is deleted there. */
  readonly refused: boolean;
}

/**
 * Counts, per block, the copies that count towards w: stored (pinned) on distinct nodes, a
 * replica's own or a hinted hand-off copy standing in for one (Dynamo's sloppy quorum: a write
 * reaches w unless fewer than w nodes of the preference list take it; the hint goes back to its
 * replica later, and repair restores r).
 */
export function quorumShortfall(copies: readonly CopyOutcome[], cids: readonly string[], w: number): QuorumVerdict {
  const holders = new Map<string, Set<string>>();
  let refused = false;
  for (const c of copies) {
    if (c.result === 'refused') refused = true;
    if (c.result !== 'stored') continue;
    let set = holders.get(c.cid);
    if (!set) holders.set(c.cid, (set = new Set()));
    set.add(c.peer.id);
  }
  let first: string | undefined;
  let firstAcks = 0;
  let fewest = Number.POSITIVE_INFINITY;
  for (const cid of cids) {
    const n = holders.get(cid)?.size ?? 0;
    fewest = Math.min(fewest, n);
    if (first === undefined && n < w) {
      first = cid;
      firstAcks = n;
    }
  }
  return { cid: first, acks: firstAcks, fewest: Number.isFinite(fewest) ? fewest : 0, refused };
}
