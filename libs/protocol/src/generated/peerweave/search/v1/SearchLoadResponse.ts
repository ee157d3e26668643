// Original file: proto/peerweave/search/v1/search.proto

import type { SearchOrigin as _peerweave_search_v1_SearchOrigin, SearchOrigin__Output as _peerweave_search_v1_SearchOrigin__Output } from '../../../peerweave/search/v1/SearchOrigin.ts';
import type { Long } from '@grpc/proto-loader';

export interface SearchLoadResponse {
  'supernode'?: (boolean);
  'leaves'?: (number | string | Long);
  'entries'?: (number | string | Long);
  'supernodes'?: (_peerweave_search_v1_SearchOrigin)[];
}

export interface SearchLoadResponse__Output {
  'supernode': (boolean);
  'leaves': (number);
  'entries': (number);
  'supernodes': (_peerweave_search_v1_SearchOrigin__Output)[];
}
