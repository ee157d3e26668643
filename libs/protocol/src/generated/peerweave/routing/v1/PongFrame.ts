// Original file: proto/peerweave/routing/v1/routing.proto

import type { PingResponse as _peerweave_routing_v1_PingResponse, PingResponse__Output as _peerweave_routing_v1_PingResponse__Output } from '../../../peerweave/routing/v1/PingResponse.ts';

export interface PongFrame {
  'seq'?: (number);
  'pong'?: (_peerweave_routing_v1_PingResponse | null);
  'status'?: (number);
  'message'?: (string);
}

export interface PongFrame__Output {
  'seq': (number);
  'pong': (_peerweave_routing_v1_PingResponse__Output | null);
  'status': (number);
  'message': (string);
}
