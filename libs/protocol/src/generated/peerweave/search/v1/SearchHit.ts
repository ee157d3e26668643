// Original file: proto/peerweave/search/v1/search.proto

import type { Long } from '@grpc/proto-loader';

export interface SearchHit {
  'cid'?: (string);
  'name'?: (string);
  'size'?: (number | string | Long);
  'contentType'?: (string);
  'keywords'?: (string)[];
  'score'?: (number | string);
  'holder'?: (Buffer | Uint8Array | string);
}

export interface SearchHit__Output {
  'cid': (string);
  'name': (string);
  'size': (number);
  'contentType': (string);
  'keywords': (string)[];
  'score': (number);
  'holder': (Buffer);
}
