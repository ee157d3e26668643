// Original file: proto/peerweave/routing/v1/routing.proto

import type { PingRequest as _peerweave_routing_v1_PingRequest, PingRequest__Output as _peerweave_routing_v1_PingRequest__Output } from '../../../peerweave/routing/v1/PingRequest.ts';

export interface PingFrame {
  'seq'?: (number);
  'ping'?: (_peerweave_routing_v1_PingRequest | null);
  'timeoutMs'?: (number);
}

export interface PingFrame__Output {
  'seq': (number);
  'ping': (_peerweave_routing_v1_PingRequest__Output | null);
  'timeoutMs': (number);
}
