// Original file: proto/peerweave/routing/v1/routing.proto

import type { PeerContact as _peerweave_routing_v1_PeerContact, PeerContact__Output as _peerweave_routing_v1_PeerContact__Output } from '../../../peerweave/routing/v1/PeerContact.ts';
import type { MemberUpdate as _peerweave_routing_v1_MemberUpdate, MemberUpdate__Output as _peerweave_routing_v1_MemberUpdate__Output } from '../../../peerweave/routing/v1/MemberUpdate.ts';

export interface LeaveResponse {
  'sender'?: (_peerweave_routing_v1_PeerContact | null);
  'updates'?: (_peerweave_routing_v1_MemberUpdate)[];
}

export interface LeaveResponse__Output {
  'sender': (_peerweave_routing_v1_PeerContact__Output | null);
  'updates': (_peerweave_routing_v1_MemberUpdate__Output)[];
}
