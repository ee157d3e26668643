// Original file: proto/peerweave/search/v1/search.proto

import type { Long } from '@grpc/proto-loader';

export interface IndexEntry {
  'cid'?: (string);
  'name'?: (string);
  'size'?: (number | string | Long);
  'contentType'?: (string);
  'keywords'?: (string)[];
}

export interface IndexEntry__Output {
  'cid': (string);
  'name': (string);
  'size': (number);
  'contentType': (string);
  'keywords': (string)[];
}
