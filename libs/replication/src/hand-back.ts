import type { PeerContact } from '@peerweave/protocol';

/** What the repair pass does with a hint (a copy held for an unreachable replica). */
export type HintAction =
  /** The replica it stands in for is in the replica set again: push it there, then keep the copy as `keepAs`. */
  | { action: 'hand-back'; target: PeerContact; keepAs: 'replica' | 'cache' }
  /** That node left the replica set and this node is in it: the hint becomes this node's replica. */
  | { action: 'promote' }
  /** Neither: keep holding the hint. */
  | { action: 'keep' };

/**
 * Hinted hand-off (Dynamo): a hint goes back to the node it stands in for once that node is one
 * of the key's `replicas` as this node sees them; afterwards this node keeps a replica copy if it
 * is a replica itself, else only a cache copy.
 */
export function hintAction(hintFor: string, replicas: readonly PeerContact[], selfId: string): HintAction {
  const selfIsReplica = replicas.some((p) => p.id === selfId);
  const target = replicas.find((p) => p.id === hintFor);
  if (target) return { action: 'hand-back', target, keepAs: selfIsReplica ? 'replica' : 'cache' };
  return selfIsReplica ? { action: 'promote' } : { action: 'keep' };
}
