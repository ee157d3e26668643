// Original file: proto/peerweave/search/v1/search.proto

import type { IndexEntry as _peerweave_search_v1_IndexEntry, IndexEntry__Output as _peerweave_search_v1_IndexEntry__Output } from '../../../peerweave/search/v1/IndexEntry.ts';

export interface PublishRequest {
  'leaf'?: (Buffer | Uint8Array | string);
  'full'?: (boolean);
  'upserts'?: (_peerweave_search_v1_IndexEntry)[];
  'removed'?: (string)[];
}

export interface PublishRequest__Output {
  'leaf': (Buffer);
  'full': (boolean);
  'upserts': (_peerweave_search_v1_IndexEntry__Output)[];
  'removed': (string)[];
}
