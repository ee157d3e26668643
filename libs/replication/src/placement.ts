import type { PeerContact } from '@peerweave/protocol';
import { sortByDistance } from '@peerweave/routing';

/**
 * Replica placement (PAST, Dynamo's preference list): the replicas of a key are the r nodes
 * closest to it by XOR, this node included when it is among them. The rest of the ordered list
 * are the stand-ins that take hinted hand-off copies, nearest first.
 */
export function preferenceList(key: Uint8Array, self: PeerContact, contacts: Iterable<PeerContact>): PeerContact[] {
  const byId = new Map<string, PeerContact>();
  byId.set(self.id, self);
  for (const c of contacts) if (!byId.has(c.id)) byId.set(c.id, c);
  return sortByDistance(byId.values(), key, (c) => hexBytes(c.id));
}

const idBytes = new Map<string, Uint8Array>();
/** Node ids are compared many times per repair pass: decode each once. */
function hexBytes(id: string): Uint8Array {
  let bytes = idBytes.get(id);
  if (bytes === undefined) {
    bytes = Uint8Array.from(Buffer.from(id, 'hex'));
    if (idBytes.size > 100_000) idBytes.clear();
    idBytes.set(id, bytes);
  }
  return bytes;
}

/** Writes need w acknowledgements out of r; both validated once, here. */
export function assertQuorum(r: number, w: number): void {
  if (!Number.isInteger(r) || r < 1) throw new RangeError(`replication factor must be an integer ≥ 1, got ${r}`);
  if (!Number.isInteger(w) || w < 1 || w > r) throw new RangeError(`write quorum must be an integer 1..${r} (the replication factor), got ${w}`);
}
