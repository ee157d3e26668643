import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AttachRequest as _peerweave_search_v1_AttachRequest, AttachRequest__Output as _peerweave_search_v1_AttachRequest__Output } from './peerweave/search/v1/AttachRequest.ts';
import type { AttachResponse as _peerweave_search_v1_AttachResponse, AttachResponse__Output as _peerweave_search_v1_AttachResponse__Output } from './peerweave/search/v1/AttachResponse.ts';
import type { HitsRequest as _peerweave_search_v1_HitsRequest, HitsRequest__Output as _peerweave_search_v1_HitsRequest__Output } from './peerweave/search/v1/HitsRequest.ts';
import type { HitsResponse as _peerweave_search_v1_HitsResponse, HitsResponse__Output as _peerweave_search_v1_HitsResponse__Output } from './peerweave/search/v1/HitsResponse.ts';
import type { IndexEntry as _peerweave_search_v1_IndexEntry, IndexEntry__Output as _peerweave_search_v1_IndexEntry__Output } from './peerweave/search/v1/IndexEntry.ts';
import type { PublishRequest as _peerweave_search_v1_PublishRequest, PublishRequest__Output as _peerweave_search_v1_PublishRequest__Output } from './peerweave/search/v1/PublishRequest.ts';
import type { PublishResponse as _peerweave_search_v1_PublishResponse, PublishResponse__Output as _peerweave_search_v1_PublishResponse__Output } from './peerweave/search/v1/PublishResponse.ts';
import type { QueryRequest as _peerweave_search_v1_QueryRequest, QueryRequest__Output as _peerweave_search_v1_QueryRequest__Output } from './peerweave/search/v1/QueryRequest.ts';
import type { QueryResponse as _peerweave_search_v1_QueryResponse, QueryResponse__Output as _peerweave_search_v1_QueryResponse__Output } from './peerweave/search/v1/QueryResponse.ts';
import type { SearchHit as _peerweave_search_v1_SearchHit, SearchHit__Output as _peerweave_search_v1_SearchHit__Output } from './peerweave/search/v1/SearchHit.ts';
import type { SearchLoadRequest as _peerweave_search_v1_SearchLoadRequest, SearchLoadRequest__Output as _peerweave_search_v1_SearchLoadRequest__Output } from './peerweave/search/v1/SearchLoadRequest.ts';
import type { SearchLoadResponse as _peerweave_search_v1_SearchLoadResponse, SearchLoadResponse__Output as _peerweave_search_v1_SearchLoadResponse__Output } from './peerweave/search/v1/SearchLoadResponse.ts';
import type { SearchOrigin as _peerweave_search_v1_SearchOrigin, SearchOrigin__Output as _peerweave_search_v1_SearchOrigin__Output } from './peerweave/search/v1/SearchOrigin.ts';
import type { SearchServiceClient as _peerweave_search_v1_SearchServiceClient, SearchServiceDefinition as _peerweave_search_v1_SearchServiceDefinition } from './peerweave/search/v1/SearchService.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  peerweave: {
    search: {
      v1: {
        AttachRequest: MessageTypeDefinition<_peerweave_search_v1_AttachRequest, _peerweave_search_v1_AttachRequest__Output>
        AttachResponse: MessageTypeDefinition<_peerweave_search_v1_AttachResponse, _peerweave_search_v1_AttachResponse__Output>
        HitsRequest: MessageTypeDefinition<_peerweave_search_v1_HitsRequest, _peerweave_search_v1_HitsRequest__Output>
        HitsResponse: MessageTypeDefinition<_peerweave_search_v1_HitsResponse, _peerweave_search_v1_HitsResponse__Output>
        IndexEntry: MessageTypeDefinition<_peerweave_search_v1_IndexEntry, _peerweave_search_v1_IndexEntry__Output>
        PublishRequest: MessageTypeDefinition<_peerweave_search_v1_PublishRequest, _peerweave_search_v1_PublishRequest__Output>
        PublishResponse: MessageTypeDefinition<_peerweave_search_v1_PublishResponse, _peerweave_search_v1_PublishResponse__Output>
        QueryRequest: MessageTypeDefinition<_peerweave_search_v1_QueryRequest, _peerweave_search_v1_QueryRequest__Output>
        QueryResponse: MessageTypeDefinition<_peerweave_search_v1_QueryResponse, _peerweave_search_v1_QueryResponse__Output>
        SearchHit: MessageTypeDefinition<_peerweave_search_v1_SearchHit, _peerweave_search_v1_SearchHit__Output>
        SearchLoadRequest: MessageTypeDefinition<_peerweave_search_v1_SearchLoadRequest, _peerweave_search_v1_SearchLoadRequest__Output>
        SearchLoadResponse: MessageTypeDefinition<_peerweave_search_v1_SearchLoadResponse, _peerweave_search_v1_SearchLoadResponse__Output>
        SearchMode: EnumTypeDefinition
        SearchOrigin: MessageTypeDefinition<_peerweave_search_v1_SearchOrigin, _peerweave_search_v1_SearchOrigin__Output>
        SearchService: SubtypeConstructor<typeof grpc.Client, _peerweave_search_v1_SearchServiceClient> & { service: _peerweave_search_v1_SearchServiceDefinition }
      }
    }
  }
}

