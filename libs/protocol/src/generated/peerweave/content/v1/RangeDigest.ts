// Original file: proto/peerweave/content/v1/content.proto

import type { Long } from '@grpc/proto-loader';

export interface RangeDigest {
  'prefix'?: (number);
  'count'?: (number | string | Long);
  'hash'?: (Buffer | Uint8Array | string);
}

export interface RangeDigest__Output {
  'prefix': (number);
  'count': (number);
  'hash': (Buffer);
}
