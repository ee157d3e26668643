// Original file: proto/peerweave/routing/v1/routing.proto

import type { MemberState as _peerweave_routing_v1_MemberState, MemberState__Output as _peerweave_routing_v1_MemberState__Output } from '../../../peerweave/routing/v1/MemberState.ts';
import type { PeerContact as _peerweave_routing_v1_PeerContact, PeerContact__Output as _peerweave_routing_v1_PeerContact__Output } from '../../../peerweave/routing/v1/PeerContact.ts';

export interface MemberUpdate {
  'state'?: (_peerweave_routing_v1_MemberState);
  'contact'?: (_peerweave_routing_v1_PeerContact | null);
  'from'?: (Buffer | Uint8Array | string);
}

export interface MemberUpdate__Output {
  'state': (_peerweave_routing_v1_MemberState__Output);
  'contact': (_peerweave_routing_v1_PeerContact__Output | null);
  'from': (Buffer);
}
