/**
 * "A node speaks only for itself" (DESIGN.md, security model): the requests whose field names the
 * node that sends them, and the check that this field is the connection's verified id.
 *
 * Enforced where a request reaches its handler, on every path (the gRPC unary binding, the
 * PingStream and Calls streams, the in-memory network), so that no handler can forget it and the
 * same rule holds in-process and over mTLS. It applies only when the context has a `callerId`
 * (mutual TLS, or a memory node registered with an id); over plaintext there is nothing to check.
 *
 * Not listed, on purpose: piggybacked SWIM updates (gossip about third parties, bounded by
 * incarnations), a query's `origin` (a forwarded query names the asker, not the sender), `hits`
 * (a supernode answers for its leaves), records and tombstones (checked by their author's
 * signature wherever they travel). Read methods (getRecord, findNode's key, …) carry no claim.
 */
import { PeerweaveError } from '@peerweave/core';
import type { PeerMethod, PeerRequest } from './peer-messages.ts';
import type { PeerCallContext } from './service-types.ts';

type SpeakerOf = { readonly [M in PeerMethod]?: (request: PeerRequest<M>) => string };

/** For each method that speaks for its sender: the id it claims. Only append. */
export const SPEAKER_OF: SpeakerOf = {
  // SWIM: the sender's own contact and incarnation are applied as "alive" (leave: "left").
  ping: (r) => r.sender.id,
  pingReq: (r) => r.sender.id,
  findNode: (r) => r.sender.id,
  leave: (r) => r.sender.id,
  // A provider record names the provider; the caller announces only itself.
  addProvider: (r) => r.id,
  // Anti-entropy ranges are computed against the caller's id.
  syncDigest: (r) => r.from,
  syncKeys: (r) => r.from,
  // Search: the leaf attaches and publishes its own index; `from` is the copy's sender.
  attach: (r) => r.leaf.id,
  publish: (r) => r.leaf,
  query: (r) => r.from,
  searchLoad: (r) => r.from,
};

/**
 * Throws PERMISSION_DENIED when `claimedId` is not the caller's verified id; nothing when the
 * context carries none (plaintext). For handlers with a claim of their own to check.
 */
export function assertSpeaksFor(context: Pick<PeerCallContext, 'callerId'>, claimedId: string, what: string): void {
  const callerId = context.callerId;
  if (callerId === undefined || claimedId === callerId) return;
  throw new PeerweaveError('PERMISSION_DENIED', `${what} claims to come from ${short(claimedId)}, the connection is ${short(callerId)}`, {
    details: { claimed: claimedId, caller: callerId },
  });
}

/** Applies {@link SPEAKER_OF} to a decoded (valid) request of `method`. */
export function checkSpeaker(method: string, request: unknown, context: Pick<PeerCallContext, 'callerId'>): void {
  if (context.callerId === undefined) return;
  const claimOf = (SPEAKER_OF as Record<string, ((r: unknown) => string) | undefined>)[method];
  if (claimOf === undefined) return;
  let claimed: unknown;
  try {
    claimed = claimOf(request);
  } catch {
    claimed = undefined;
  }
  assertSpeaksFor(context, typeof claimed === 'string' ? claimed : '', method);
}

/** The address answered with another node's id than the caller expected (PeerCallOptions.expectId). */
export function wrongNode(expected: string, actual: string, address: string): PeerweaveError {
  return new PeerweaveError('PERMISSION_DENIED', `${address} is ${short(actual)}, not the expected ${short(expected)}`, {
    details: { expected, actual, address },
  });
}

/** An answer whose sender claims another id than the connection proved. */
export function wrongSender(method: string, claimed: unknown, actual: string): PeerweaveError {
  const text = typeof claimed === 'string' ? claimed : String(claimed);
  return new PeerweaveError('PERMISSION_DENIED', `${method} answer claims to come from ${short(text)}, the connection is ${short(actual)}`, {
    details: { claimed: text, actual },
  });
}

function short(id: string): string {
  return id.length > 12 ? `${id.slice(0, 12)}…` : JSON.stringify(id);
}
