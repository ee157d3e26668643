// Original file: proto/peerweave/search/v1/search.proto

import type { SearchHit as _peerweave_search_v1_SearchHit, SearchHit__Output as _peerweave_search_v1_SearchHit__Output } from '../../../peerweave/search/v1/SearchHit.ts';

export interface HitsRequest {
  'queryId'?: (Buffer | Uint8Array | string);
  'responder'?: (Buffer | Uint8Array | string);
  'hits'?: (_peerweave_search_v1_SearchHit)[];
}

export interface HitsRequest__Output {
  'queryId': (Buffer);
  'responder': (Buffer);
  'hits': (_peerweave_search_v1_SearchHit__Output)[];
}
