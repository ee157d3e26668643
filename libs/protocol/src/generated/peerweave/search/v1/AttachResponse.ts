// Original file: proto/peerweave/search/v1/search.proto

import type { Long } from '@grpc/proto-loader';

export interface AttachResponse {
  'accepted'?: (boolean);
  'leaves'?: (number | string | Long);
}

export interface AttachResponse__Output {
  'accepted': (boolean);
  'leaves': (number);
}
