// Original file: proto/peerweave/content/v1/content.proto

import type { Long } from '@grpc/proto-loader';

export interface Tombstone {
  'cid'?: (string);
  'deletedMs'?: (number | string | Long);
  'by'?: (Buffer | Uint8Array | string);
}

export interface Tombstone__Output {
  'cid': (string);
  'deletedMs': (number);
  'by': (Buffer);
}
