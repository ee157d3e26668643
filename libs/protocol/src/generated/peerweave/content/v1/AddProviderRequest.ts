// Original file: proto/peerweave/content/v1/content.proto

import type { Long } from '@grpc/proto-loader';

export interface AddProviderRequest {
  'cids'?: (string)[];
  'id'?: (Buffer | Uint8Array | string);
  'address'?: (string);
  'ttlMs'?: (number | string | Long);
}

export interface AddProviderRequest__Output {
  'cids': (string)[];
  'id': (Buffer);
  'address': (string);
  'ttlMs': (number);
}
