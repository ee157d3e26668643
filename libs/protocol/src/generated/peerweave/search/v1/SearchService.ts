// Original file: proto/peerweave/search/v1/search.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AttachRequest as _peerweave_search_v1_AttachRequest, AttachRequest__Output as _peerweave_search_v1_AttachRequest__Output } from '../../../peerweave/search/v1/AttachRequest.ts';
import type { AttachResponse as _peerweave_search_v1_AttachResponse, AttachResponse__Output as _peerweave_search_v1_AttachResponse__Output } from '../../../peerweave/search/v1/AttachResponse.ts';
import type { HitsRequest as _peerweave_search_v1_HitsRequest, HitsRequest__Output as _peerweave_search_v1_HitsRequest__Output } from '../../../peerweave/search/v1/HitsRequest.ts';
import type { HitsResponse as _peerweave_search_v1_HitsResponse, HitsResponse__Output as _peerweave_search_v1_HitsResponse__Output } from '../../../peerweave/search/v1/HitsResponse.ts';
import type { PublishRequest as _peerweave_search_v1_PublishRequest, PublishRequest__Output as _peerweave_search_v1_PublishRequest__Output } from '../../../peerweave/search/v1/PublishRequest.ts';
import type { PublishResponse as _peerweave_search_v1_PublishResponse, PublishResponse__Output as _peerweave_search_v1_PublishResponse__Output } from '../../../peerweave/search/v1/PublishResponse.ts';
import type { QueryRequest as _peerweave_search_v1_QueryRequest, QueryRequest__Output as _peerweave_search_v1_QueryRequest__Output } from '../../../peerweave/search/v1/QueryRequest.ts';
import type { QueryResponse as _peerweave_search_v1_QueryResponse, QueryResponse__Output as _peerweave_search_v1_QueryResponse__Output } from '../../../peerweave/search/v1/QueryResponse.ts';
import type { SearchLoadRequest as _peerweave_search_v1_SearchLoadRequest, SearchLoadRequest__Output as _peerweave_search_v1_SearchLoadRequest__Output } from '../../../peerweave/search/v1/SearchLoadRequest.ts';
import type { SearchLoadResponse as _peerweave_search_v1_SearchLoadResponse, SearchLoadResponse__Output as _peerweave_search_v1_SearchLoadResponse__Output } from '../../../peerweave/search/v1/SearchLoadResponse.ts';

export interface SearchServiceClient extends grpc.Client {
  Attach(argument: _peerweave_search_v1_AttachRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_AttachResponse__Output>): grpc.ClientUnaryCall;
  Attach(argument: _peerweave_search_v1_AttachRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_search_v1_AttachResponse__Output>): grpc.ClientUnaryCall;
  Attach(argument: _peerweave_search_v1_AttachRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_AttachResponse__Output>): grpc.ClientUnaryCall;
  Attach(argument: _peerweave_search_v1_AttachRequest, callback: grpc.requestCallback<_peerweave_search_v1_AttachResponse__Output>): grpc.ClientUnaryCall;
  attach(argument: _peerweave_search_v1_AttachRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_AttachResponse__Output>): grpc.ClientUnaryCall;
  attach(argument: _peerweave_search_v1_AttachRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_search_v1_AttachResponse__Output>): grpc.ClientUnaryCall;
  attach(argument: _peerweave_search_v1_AttachRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_AttachResponse__Output>): grpc.ClientUnaryCall;
  attach(argument: _peerweave_search_v1_AttachRequest, callback: grpc.requestCallback<_peerweave_search_v1_AttachResponse__Output>): grpc.ClientUnaryCall;
  
  Hits(argument: _peerweave_search_v1_HitsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_HitsResponse__Output>): grpc.ClientUnaryCall;
  Hits(argument: _peerweave_search_v1_HitsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_search_v1_HitsResponse__Output>): grpc.ClientUnaryCall;
  Hits(argument: _peerweave_search_v1_HitsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_HitsResponse__Output>): grpc.ClientUnaryCall;
  Hits(argument: _peerweave_search_v1_HitsRequest, callback: grpc.requestCallback<_peerweave_search_v1_HitsResponse__Output>): grpc.ClientUnaryCall;
  hits(argument: _peerweave_search_v1_HitsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_HitsResponse__Output>): grpc.ClientUnaryCall;
  hits(argument: _peerweave_search_v1_HitsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_search_v1_HitsResponse__Output>): grpc.ClientUnaryCall;
  hits(argument: _peerweave_search_v1_HitsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_HitsResponse__Output>): grpc.ClientUnaryCall;
  hits(argument: _peerweave_search_v1_HitsRequest, callback: grpc.requestCallback<_peerweave_search_v1_HitsResponse__Output>): grpc.ClientUnaryCall;
  
  Publish(argument: _peerweave_search_v1_PublishRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  Publish(argument: _peerweave_search_v1_PublishRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_search_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  Publish(argument: _peerweave_search_v1_PublishRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  Publish(argument: _peerweave_search_v1_PublishRequest, callback: grpc.requestCallback<_peerweave_search_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  publish(argument: _peerweave_search_v1_PublishRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  publish(argument: _peerweave_search_v1_PublishRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_search_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  publish(argument: _peerweave_search_v1_PublishRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  publish(argument: _peerweave_search_v1_PublishRequest, callback: grpc.requestCallback<_peerweave_search_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  
  Query(argument: _peerweave_search_v1_QueryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  Query(argument: _peerweave_search_v1_QueryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_search_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  Query(argument: _peerweave_search_v1_QueryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  Query(argument: _peerweave_search_v1_QueryRequest, callback: grpc.requestCallback<_peerweave_search_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  query(argument: _peerweave_search_v1_QueryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  query(argument: _peerweave_search_v1_QueryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_search_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  query(argument: _peerweave_search_v1_QueryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  query(argument: _peerweave_search_v1_QueryRequest, callback: grpc.requestCallback<_peerweave_search_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  
  SearchLoad(argument: _peerweave_search_v1_SearchLoadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_SearchLoadResponse__Output>): grpc.ClientUnaryCall;
  SearchLoad(argument: _peerweave_search_v1_SearchLoadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_search_v1_SearchLoadResponse__Output>): grpc.ClientUnaryCall;
  SearchLoad(argument: _peerweave_search_v1_SearchLoadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_SearchLoadResponse__Output>): grpc.ClientUnaryCall;
  SearchLoad(argument: _peerweave_search_v1_SearchLoadRequest, callback: grpc.requestCallback<_peerweave_search_v1_SearchLoadResponse__Output>): grpc.ClientUnaryCall;
  searchLoad(argument: _peerweave_search_v1_SearchLoadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_SearchLoadResponse__Output>): grpc.ClientUnaryCall;
  searchLoad(argument: _peerweave_search_v1_SearchLoadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_search_v1_SearchLoadResponse__Output>): grpc.ClientUnaryCall;
  searchLoad(argument: _peerweave_search_v1_SearchLoadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_search_v1_SearchLoadResponse__Output>): grpc.ClientUnaryCall;
  searchLoad(argument: _peerweave_search_v1_SearchLoadRequest, callback: grpc.requestCallback<_peerweave_search_v1_SearchLoadResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface SearchServiceHandlers extends grpc.UntypedServiceImplementation {
  Attach: grpc.handleUnaryCall<_peerweave_search_v1_AttachRequest__Output, _peerweave_search_v1_AttachResponse>;
  
  Hits: grpc.handleUnaryCall<_peerweave_search_v1_HitsRequest__Output, _peerweave_search_v1_HitsResponse>;
  
  Publish: grpc.handleUnaryCall<_peerweave_search_v1_PublishRequest__Output, _peerweave_search_v1_PublishResponse>;
  
  Query: grpc.handleUnaryCall<_peerweave_search_v1_QueryRequest__Output, _peerweave_search_v1_QueryResponse>;
  
  SearchLoad: grpc.handleUnaryCall<_peerweave_search_v1_SearchLoadRequest__Output, _peerweave_search_v1_SearchLoadResponse>;
  
}

export interface SearchServiceDefinition extends grpc.ServiceDefinition {
  Attach: MethodDefinition<_peerweave_search_v1_AttachRequest, _peerweave_search_v1_AttachResponse, _peerweave_search_v1_AttachRequest__Output, _peerweave_search_v1_AttachResponse__Output>
  Hits: MethodDefinition<_peerweave_search_v1_HitsRequest, _peerweave_search_v1_HitsResponse, _peerweave_search_v1_HitsRequest__Output, _peerweave_search_v1_HitsResponse__Output>
  Publish: MethodDefinition<_peerweave_search_v1_PublishRequest, _peerweave_search_v1_PublishResponse, _peerweave_search_v1_PublishRequest__Output, _peerweave_search_v1_PublishResponse__Output>
  Query: MethodDefinition<_peerweave_search_v1_QueryRequest, _peerweave_search_v1_QueryResponse, _peerweave_search_v1_QueryRequest__Output, _peerweave_search_v1_QueryResponse__Output>
  SearchLoad: MethodDefinition<_peerweave_search_v1_SearchLoadRequest, _peerweave_search_v1_SearchLoadResponse, _peerweave_search_v1_SearchLoadRequest__Output, _peerweave_search_v1_SearchLoadResponse__Output>
}
