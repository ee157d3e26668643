// Original file: proto/peerweave/content/v1/content.proto

import type { Long } from '@grpc/proto-loader';

export interface ProviderRecord {
  'id'?: (Buffer | Uint8Array | string);
  'address'?: (string);
  'expiresMs'?: (number | string | Long);
}

export interface ProviderRecord__Output {
  'id': (Buffer);
  'address': (string);
  'expiresMs': (number);
}
