// Original file: proto/peerweave/search/v1/search.proto

import type { SearchOrigin as _peerweave_search_v1_SearchOrigin, SearchOrigin__Output as _peerweave_search_v1_SearchOrigin__Output } from '../../../peerweave/search/v1/SearchOrigin.ts';

export interface SearchLoadRequest {
  'from'?: (Buffer | Uint8Array | string);
  'supernode'?: (_peerweave_search_v1_SearchOrigin | null);
}

export interface SearchLoadRequest__Output {
  'from': (Buffer);
  'supernode': (_peerweave_search_v1_SearchOrigin__Output | null);
}
