// Original file: proto/peerweave/search/v1/search.proto

import type { SearchMode as _peerweave_search_v1_SearchMode, SearchMode__Output as _peerweave_search_v1_SearchMode__Output } from '../../../peerweave/search/v1/SearchMode.ts';
import type { SearchOrigin as _peerweave_search_v1_SearchOrigin, SearchOrigin__Output as _peerweave_search_v1_SearchOrigin__Output } from '../../../peerweave/search/v1/SearchOrigin.ts';

export interface QueryRequest {
  'queryId'?: (Buffer | Uint8Array | string);
  'text'?: (string);
  'ttl'?: (number);
  'hops'?: (number);
  'limit'?: (number);
  'mode'?: (_peerweave_search_v1_SearchMode);
  'origin'?: (_peerweave_search_v1_SearchOrigin | null);
  'from'?: (Buffer | Uint8Array | string);
}

export interface QueryRequest__Output {
  'queryId': (Buffer);
  'text': (string);
  'ttl': (number);
  'hops': (number);
  'limit': (number);
  'mode': (_peerweave_search_v1_SearchMode__Output);
  'origin': (_peerweave_search_v1_SearchOrigin__Output | null);
  'from': (Buffer);
}
