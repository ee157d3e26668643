// Original file: proto/peerweave/routing/v1/routing.proto

import type { PeerContact as _peerweave_routing_v1_PeerContact, PeerContact__Output as _peerweave_routing_v1_PeerContact__Output } from '../../../peerweave/routing/v1/PeerContact.ts';
import type { MemberUpdate as _peerweave_routing_v1_MemberUpdate, MemberUpdate__Output as _peerweave_routing_v1_MemberUpdate__Output } from '../../../peerweave/routing/v1/MemberUpdate.ts';

export interface PingReqRequest {
  'sender'?: (_peerweave_routing_v1_PeerContact | null);
  'updates'?: (_peerweave_routing_v1_MemberUpdate)[];
  'target'?: (_peerweave_routing_v1_PeerContact | null);
  'timeoutMs'?: (number);
}

export interface PingReqRequest__Output {
  'sender': (_peerweave_routing_v1_PeerContact__Output | null);
  'updates': (_peerweave_routing_v1_MemberUpdate__Output)[];
  'target': (_peerweave_routing_v1_PeerContact__Output | null);
  'timeoutMs': (number);
}
