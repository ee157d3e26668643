// Original file: proto/peerweave/routing/v1/routing.proto

import type { Long } from '@grpc/proto-loader';

export interface PeerContact {
  'id'?: (Buffer | Uint8Array | string);
  'address'?: (string);
  'role'?: (string);
  'incarnation'?: (number | string | Long);
}

export interface PeerContact__Output {
  'id': (Buffer);
  'address': (string);
  'role': (string);
  'incarnation': (number);
}
