// Original file: proto/peerweave/content/v1/content.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddProviderRequest as _peerweave_content_v1_AddProviderRequest, AddProviderRequest__Output as _peerweave_content_v1_AddProviderRequest__Output } from '../../../peerweave/content/v1/AddProviderRequest.ts';
import type { AddProviderResponse as _peerweave_content_v1_AddProviderResponse, AddProviderResponse__Output as _peerweave_content_v1_AddProviderResponse__Output } from '../../../peerweave/content/v1/AddProviderResponse.ts';
import type { BlockFrame as _peerweave_content_v1_BlockFrame, BlockFrame__Output as _peerweave_content_v1_BlockFrame__Output } from '../../../peerweave/content/v1/BlockFrame.ts';
import type { BlockWant as _peerweave_content_v1_BlockWant, BlockWant__Output as _peerweave_content_v1_BlockWant__Output } from '../../../peerweave/content/v1/BlockWant.ts';
import type { CallFrame as _peerweave_content_v1_CallFrame, CallFrame__Output as _peerweave_content_v1_CallFrame__Output } from '../../../peerweave/content/v1/CallFrame.ts';
import type { GetBlockRequest as _peerweave_content_v1_GetBlockRequest, GetBlockRequest__Output as _peerweave_content_v1_GetBlockRequest__Output } from '../../../peerweave/content/v1/GetBlockRequest.ts';
import type { GetBlockResponse as _peerweave_content_v1_GetBlockResponse, GetBlockResponse__Output as _peerweave_content_v1_GetBlockResponse__Output } from '../../../peerweave/content/v1/GetBlockResponse.ts';
import type { GetProvidersRequest as _peerweave_content_v1_GetProvidersRequest, GetProvidersRequest__Output as _peerweave_content_v1_GetProvidersRequest__Output } from '../../../peerweave/content/v1/GetProvidersRequest.ts';
import type { GetProvidersResponse as _peerweave_content_v1_GetProvidersResponse, GetProvidersResponse__Output as _peerweave_content_v1_GetProvidersResponse__Output } from '../../../peerweave/content/v1/GetProvidersResponse.ts';
import type { GetRecordRequest as _peerweave_content_v1_GetRecordRequest, GetRecordRequest__Output as _peerweave_content_v1_GetRecordRequest__Output } from '../../../peerweave/content/v1/GetRecordRequest.ts';
import type { GetRecordResponse as _peerweave_content_v1_GetRecordResponse, GetRecordResponse__Output as _peerweave_content_v1_GetRecordResponse__Output } from '../../../peerweave/content/v1/GetRecordResponse.ts';
import type { HasBlocksRequest as _peerweave_content_v1_HasBlocksRequest, HasBlocksRequest__Output as _peerweave_content_v1_HasBlocksRequest__Output } from '../../../peerweave/content/v1/HasBlocksRequest.ts';
import type { HasBlocksResponse as _peerweave_content_v1_HasBlocksResponse, HasBlocksResponse__Output as _peerweave_content_v1_HasBlocksResponse__Output } from '../../../peerweave/content/v1/HasBlocksResponse.ts';
import type { PinBlocksRequest as _peerweave_content_v1_PinBlocksRequest, PinBlocksRequest__Output as _peerweave_content_v1_PinBlocksRequest__Output } from '../../../peerweave/content/v1/PinBlocksRequest.ts';
import type { PinBlocksResponse as _peerweave_content_v1_PinBlocksResponse, PinBlocksResponse__Output as _peerweave_content_v1_PinBlocksResponse__Output } from '../../../peerweave/content/v1/PinBlocksResponse.ts';
import type { PutBlockRequest as _peerweave_content_v1_PutBlockRequest, PutBlockRequest__Output as _peerweave_content_v1_PutBlockRequest__Output } from '../../../peerweave/content/v1/PutBlockRequest.ts';
import type { PutBlockResponse as _peerweave_content_v1_PutBlockResponse, PutBlockResponse__Output as _peerweave_content_v1_PutBlockResponse__Output } from '../../../peerweave/content/v1/PutBlockResponse.ts';
import type { PutBlocksAck as _peerweave_content_v1_PutBlocksAck, PutBlocksAck__Output as _peerweave_content_v1_PutBlocksAck__Output } from '../../../peerweave/content/v1/PutBlocksAck.ts';
import type { PutRecordRequest as _peerweave_content_v1_PutRecordRequest, PutRecordRequest__Output as _peerweave_content_v1_PutRecordRequest__Output } from '../../../peerweave/content/v1/PutRecordRequest.ts';
import type { PutRecordResponse as _peerweave_content_v1_PutRecordResponse, PutRecordResponse__Output as _peerweave_content_v1_PutRecordResponse__Output } from '../../../peerweave/content/v1/PutRecordResponse.ts';
import type { PutTombstoneRequest as _peerweave_content_v1_PutTombstoneRequest, PutTombstoneRequest__Output as _peerweave_content_v1_PutTombstoneRequest__Output } from '../../../peerweave/content/v1/PutTombstoneRequest.ts';
import type { PutTombstoneResponse as _peerweave_content_v1_PutTombstoneResponse, PutTombstoneResponse__Output as _peerweave_content_v1_PutTombstoneResponse__Output } from '../../../peerweave/content/v1/PutTombstoneResponse.ts';
import type { ReplyFrame as _peerweave_content_v1_ReplyFrame, ReplyFrame__Output as _peerweave_content_v1_ReplyFrame__Output } from '../../../peerweave/content/v1/ReplyFrame.ts';
import type { SyncDigestRequest as _peerweave_content_v1_SyncDigestRequest, SyncDigestRequest__Output as _peerweave_content_v1_SyncDigestRequest__Output } from '../../../peerweave/content/v1/SyncDigestRequest.ts';
import type { SyncDigestResponse as _peerweave_content_v1_SyncDigestResponse, SyncDigestResponse__Output as _peerweave_content_v1_SyncDigestResponse__Output } from '../../../peerweave/content/v1/SyncDigestResponse.ts';
import type { SyncKeysRequest as _peerweave_content_v1_SyncKeysRequest, SyncKeysRequest__Output as _peerweave_content_v1_SyncKeysRequest__Output } from '../../../peerweave/content/v1/SyncKeysRequest.ts';
import type { SyncKeysResponse as _peerweave_content_v1_SyncKeysResponse, SyncKeysResponse__Output as _peerweave_content_v1_SyncKeysResponse__Output } from '../../../peerweave/content/v1/SyncKeysResponse.ts';

export interface ContentServiceClient extends grpc.Client {
  AddProvider(argument: _peerweave_content_v1_AddProviderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_AddProviderResponse__Output>): grpc.ClientUnaryCall;
  AddProvider(argument: _peerweave_content_v1_AddProviderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_AddProviderResponse__Output>): grpc.ClientUnaryCall;
  AddProvider(argument: _peerweave_content_v1_AddProviderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_AddProviderResponse__Output>): grpc.ClientUnaryCall;
  AddProvider(argument: _peerweave_content_v1_AddProviderRequest, callback: grpc.requestCallback<_peerweave_content_v1_AddProviderResponse__Output>): grpc.ClientUnaryCall;
  addProvider(argument: _peerweave_content_v1_AddProviderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_AddProviderResponse__Output>): grpc.ClientUnaryCall;
  addProvider(argument: _peerweave_content_v1_AddProviderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_AddProviderResponse__Output>): grpc.ClientUnaryCall;
  addProvider(argument: _peerweave_content_v1_AddProviderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_AddProviderResponse__Output>): grpc.ClientUnaryCall;
  addProvider(argument: _peerweave_content_v1_AddProviderRequest, callback: grpc.requestCallback<_peerweave_content_v1_AddProviderResponse__Output>): grpc.ClientUnaryCall;
  
  Calls(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_content_v1_CallFrame, _peerweave_content_v1_ReplyFrame__Output>;
  Calls(options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_content_v1_CallFrame, _peerweave_content_v1_ReplyFrame__Output>;
  calls(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_content_v1_CallFrame, _peerweave_content_v1_ReplyFrame__Output>;
  calls(options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_content_v1_CallFrame, _peerweave_content_v1_ReplyFrame__Output>;
  
  GetBlock(argument: _peerweave_content_v1_GetBlockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  GetBlock(argument: _peerweave_content_v1_GetBlockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  GetBlock(argument: _peerweave_content_v1_GetBlockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  GetBlock(argument: _peerweave_content_v1_GetBlockRequest, callback: grpc.requestCallback<_peerweave_content_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  getBlock(argument: _peerweave_content_v1_GetBlockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  getBlock(argument: _peerweave_content_v1_GetBlockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  getBlock(argument: _peerweave_content_v1_GetBlockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  getBlock(argument: _peerweave_content_v1_GetBlockRequest, callback: grpc.requestCallback<_peerweave_content_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  
  GetBlocks(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_content_v1_BlockWant, _peerweave_content_v1_BlockFrame__Output>;
  GetBlocks(options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_content_v1_BlockWant, _peerweave_content_v1_BlockFrame__Output>;
  getBlocks(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_content_v1_BlockWant, _peerweave_content_v1_BlockFrame__Output>;
  getBlocks(options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_content_v1_BlockWant, _peerweave_content_v1_BlockFrame__Output>;
  
  GetProviders(argument: _peerweave_content_v1_GetProvidersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_GetProvidersResponse__Output>): grpc.ClientUnaryCall;
  GetProviders(argument: _peerweave_content_v1_GetProvidersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_GetProvidersResponse__Output>): grpc.ClientUnaryCall;
  GetProviders(argument: _peerweave_content_v1_GetProvidersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_GetProvidersResponse__Output>): grpc.ClientUnaryCall;
  GetProviders(argument: _peerweave_content_v1_GetProvidersRequest, callback: grpc.requestCallback<_peerweave_content_v1_GetProvidersResponse__Output>): grpc.ClientUnaryCall;
  getProviders(argument: _peerweave_content_v1_GetProvidersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_GetProvidersResponse__Output>): grpc.ClientUnaryCall;
  getProviders(argument: _peerweave_content_v1_GetProvidersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_GetProvidersResponse__Output>): grpc.ClientUnaryCall;
  getProviders(argument: _peerweave_content_v1_GetProvidersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_GetProvidersResponse__Output>): grpc.ClientUnaryCall;
  getProviders(argument: _peerweave_content_v1_GetProvidersRequest, callback: grpc.requestCallback<_peerweave_content_v1_GetProvidersResponse__Output>): grpc.ClientUnaryCall;
  
  GetRecord(argument: _peerweave_content_v1_GetRecordRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_GetRecordResponse__Output>): grpc.ClientUnaryCall;
  GetRecord(argument: _peerweave_content_v1_GetRecordRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_GetRecordResponse__Output>): grpc.ClientUnaryCall;
  GetRecord(argument: _peerweave_content_v1_GetRecordRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_GetRecordResponse__Output>): grpc.ClientUnaryCall;
  GetRecord(argument: _peerweave_content_v1_GetRecordRequest, callback: grpc.requestCallback<_peerweave_content_v1_GetRecordResponse__Output>): grpc.ClientUnaryCall;
  getRecord(argument: _peerweave_content_v1_GetRecordRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_GetRecordResponse__Output>): grpc.ClientUnaryCall;
  getRecord(argument: _peerweave_content_v1_GetRecordRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_GetRecordResponse__Output>): grpc.ClientUnaryCall;
  getRecord(argument: _peerweave_content_v1_GetRecordRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_GetRecordResponse__Output>): grpc.ClientUnaryCall;
  getRecord(argument: _peerweave_content_v1_GetRecordRequest, callback: grpc.requestCallback<_peerweave_content_v1_GetRecordResponse__Output>): grpc.ClientUnaryCall;
  
  HasBlocks(argument: _peerweave_content_v1_HasBlocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_HasBlocksResponse__Output>): grpc.ClientUnaryCall;
  HasBlocks(argument: _peerweave_content_v1_HasBlocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_HasBlocksResponse__Output>): grpc.ClientUnaryCall;
  HasBlocks(argument: _peerweave_content_v1_HasBlocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_HasBlocksResponse__Output>): grpc.ClientUnaryCall;
  HasBlocks(argument: _peerweave_content_v1_HasBlocksRequest, callback: grpc.requestCallback<_peerweave_content_v1_HasBlocksResponse__Output>): grpc.ClientUnaryCall;
  hasBlocks(argument: _peerweave_content_v1_HasBlocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_HasBlocksResponse__Output>): grpc.ClientUnaryCall;
  hasBlocks(argument: _peerweave_content_v1_HasBlocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_HasBlocksResponse__Output>): grpc.ClientUnaryCall;
  hasBlocks(argument: _peerweave_content_v1_HasBlocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_HasBlocksResponse__Output>): grpc.ClientUnaryCall;
  hasBlocks(argument: _peerweave_content_v1_HasBlocksRequest, callback: grpc.requestCallback<_peerweave_content_v1_HasBlocksResponse__Output>): grpc.ClientUnaryCall;
  
  PinBlocks(argument: _peerweave_content_v1_PinBlocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PinBlocksResponse__Output>): grpc.ClientUnaryCall;
  PinBlocks(argument: _peerweave_content_v1_PinBlocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_PinBlocksResponse__Output>): grpc.ClientUnaryCall;
  PinBlocks(argument: _peerweave_content_v1_PinBlocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PinBlocksResponse__Output>): grpc.ClientUnaryCall;
  PinBlocks(argument: _peerweave_content_v1_PinBlocksRequest, callback: grpc.requestCallback<_peerweave_content_v1_PinBlocksResponse__Output>): grpc.ClientUnaryCall;
  pinBlocks(argument: _peerweave_content_v1_PinBlocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PinBlocksResponse__Output>): grpc.ClientUnaryCall;
  pinBlocks(argument: _peerweave_content_v1_PinBlocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_PinBlocksResponse__Output>): grpc.ClientUnaryCall;
  pinBlocks(argument: _peerweave_content_v1_PinBlocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PinBlocksResponse__Output>): grpc.ClientUnaryCall;
  pinBlocks(argument: _peerweave_content_v1_PinBlocksRequest, callback: grpc.requestCallback<_peerweave_content_v1_PinBlocksResponse__Output>): grpc.ClientUnaryCall;
  
  PutBlock(argument: _peerweave_content_v1_PutBlockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PutBlockResponse__Output>): grpc.ClientUnaryCall;
  PutBlock(argument: _peerweave_content_v1_PutBlockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_PutBlockResponse__Output>): grpc.ClientUnaryCall;
  PutBlock(argument: _peerweave_content_v1_PutBlockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PutBlockResponse__Output>): grpc.ClientUnaryCall;
  PutBlock(argument: _peerweave_content_v1_PutBlockRequest, callback: grpc.requestCallback<_peerweave_content_v1_PutBlockResponse__Output>): grpc.ClientUnaryCall;
  putBlock(argument: _peerweave_content_v1_PutBlockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PutBlockResponse__Output>): grpc.ClientUnaryCall;
  putBlock(argument: _peerweave_content_v1_PutBlockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_PutBlockResponse__Output>): grpc.ClientUnaryCall;
  putBlock(argument: _peerweave_content_v1_PutBlockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PutBlockResponse__Output>): grpc.ClientUnaryCall;
  putBlock(argument: _peerweave_content_v1_PutBlockRequest, callback: grpc.requestCallback<_peerweave_content_v1_PutBlockResponse__Output>): grpc.ClientUnaryCall;
  
  PutBlocks(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_content_v1_BlockFrame, _peerweave_content_v1_PutBlocksAck__Output>;
  PutBlocks(options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_content_v1_BlockFrame, _peerweave_content_v1_PutBlocksAck__Output>;
  putBlocks(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_content_v1_BlockFrame, _peerweave_content_v1_PutBlocksAck__Output>;
  putBlocks(options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_content_v1_BlockFrame, _peerweave_content_v1_PutBlocksAck__Output>;
  
  PutRecord(argument: _peerweave_content_v1_PutRecordRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  PutRecord(argument: _peerweave_content_v1_PutRecordRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  PutRecord(argument: _peerweave_content_v1_PutRecordRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  PutRecord(argument: _peerweave_content_v1_PutRecordRequest, callback: grpc.requestCallback<_peerweave_content_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  putRecord(argument: _peerweave_content_v1_PutRecordRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  putRecord(argument: _peerweave_content_v1_PutRecordRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  putRecord(argument: _peerweave_content_v1_PutRecordRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  putRecord(argument: _peerweave_content_v1_PutRecordRequest, callback: grpc.requestCallback<_peerweave_content_v1_PutRecordResponse__Output>): grpc.ClientUnaryCall;
  
  PutTombstone(argument: _peerweave_content_v1_PutTombstoneRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PutTombstoneResponse__Output>): grpc.ClientUnaryCall;
  PutTombstone(argument: _peerweave_content_v1_PutTombstoneRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_PutTombstoneResponse__Output>): grpc.ClientUnaryCall;
  PutTombstone(argument: _peerweave_content_v1_PutTombstoneRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PutTombstoneResponse__Output>): grpc.ClientUnaryCall;
  PutTombstone(argument: _peerweave_content_v1_PutTombstoneRequest, callback: grpc.requestCallback<_peerweave_content_v1_PutTombstoneResponse__Output>): grpc.ClientUnaryCall;
  putTombstone(argument: _peerweave_content_v1_PutTombstoneRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PutTombstoneResponse__Output>): grpc.ClientUnaryCall;
  putTombstone(argument: _peerweave_content_v1_PutTombstoneRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_PutTombstoneResponse__Output>): grpc.ClientUnaryCall;
  putTombstone(argument: _peerweave_content_v1_PutTombstoneRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_PutTombstoneResponse__Output>): grpc.ClientUnaryCall;
  putTombstone(argument: _peerweave_content_v1_PutTombstoneRequest, callback: grpc.requestCallback<_peerweave_content_v1_PutTombstoneResponse__Output>): grpc.ClientUnaryCall;
  
  SyncDigest(argument: _peerweave_content_v1_SyncDigestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_SyncDigestResponse__Output>): grpc.ClientUnaryCall;
  SyncDigest(argument: _peerweave_content_v1_SyncDigestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_SyncDigestResponse__Output>): grpc.ClientUnaryCall;
  SyncDigest(argument: _peerweave_content_v1_SyncDigestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_SyncDigestResponse__Output>): grpc.ClientUnaryCall;
  SyncDigest(argument: _peerweave_content_v1_SyncDigestRequest, callback: grpc.requestCallback<_peerweave_content_v1_SyncDigestResponse__Output>): grpc.ClientUnaryCall;
  syncDigest(argument: _peerweave_content_v1_SyncDigestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_SyncDigestResponse__Output>): grpc.ClientUnaryCall;
  syncDigest(argument: _peerweave_content_v1_SyncDigestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_SyncDigestResponse__Output>): grpc.ClientUnaryCall;
  syncDigest(argument: _peerweave_content_v1_SyncDigestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_SyncDigestResponse__Output>): grpc.ClientUnaryCall;
  syncDigest(argument: _peerweave_content_v1_SyncDigestRequest, callback: grpc.requestCallback<_peerweave_content_v1_SyncDigestResponse__Output>): grpc.ClientUnaryCall;
  
  SyncKeys(argument: _peerweave_content_v1_SyncKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_SyncKeysResponse__Output>): grpc.ClientUnaryCall;
  SyncKeys(argument: _peerweave_content_v1_SyncKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_SyncKeysResponse__Output>): grpc.ClientUnaryCall;
  SyncKeys(argument: _peerweave_content_v1_SyncKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_SyncKeysResponse__Output>): grpc.ClientUnaryCall;
  SyncKeys(argument: _peerweave_content_v1_SyncKeysRequest, callback: grpc.requestCallback<_peerweave_content_v1_SyncKeysResponse__Output>): grpc.ClientUnaryCall;
  syncKeys(argument: _peerweave_content_v1_SyncKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_SyncKeysResponse__Output>): grpc.ClientUnaryCall;
  syncKeys(argument: _peerweave_content_v1_SyncKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_content_v1_SyncKeysResponse__Output>): grpc.ClientUnaryCall;
  syncKeys(argument: _peerweave_content_v1_SyncKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_content_v1_SyncKeysResponse__Output>): grpc.ClientUnaryCall;
  syncKeys(argument: _peerweave_content_v1_SyncKeysRequest, callback: grpc.requestCallback<_peerweave_content_v1_SyncKeysResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ContentServiceHandlers extends grpc.UntypedServiceImplementation {
  AddProvider: grpc.handleUnaryCall<_peerweave_content_v1_AddProviderRequest__Output, _peerweave_content_v1_AddProviderResponse>;
  
  Calls: grpc.handleBidiStreamingCall<_peerweave_content_v1_CallFrame__Output, _peerweave_content_v1_ReplyFrame>;
  
  GetBlock: grpc.handleUnaryCall<_peerweave_content_v1_GetBlockRequest__Output, _peerweave_content_v1_GetBlockResponse>;
  
  GetBlocks: grpc.handleBidiStreamingCall<_peerweave_content_v1_BlockWant__Output, _peerweave_content_v1_BlockFrame>;
  
  GetProviders: grpc.handleUnaryCall<_peerweave_content_v1_GetProvidersRequest__Output, _peerweave_content_v1_GetProvidersResponse>;
  
  GetRecord: grpc.handleUnaryCall<_peerweave_content_v1_GetRecordRequest__Output, _peerweave_content_v1_GetRecordResponse>;
  
  HasBlocks: grpc.handleUnaryCall<_peerweave_content_v1_HasBlocksRequest__Output, _peerweave_content_v1_HasBlocksResponse>;
  
  PinBlocks: grpc.handleUnaryCall<_peerweave_content_v1_PinBlocksRequest__Output, _peerweave_content_v1_PinBlocksResponse>;
  
  PutBlock: grpc.handleUnaryCall<_peerweave_content_v1_PutBlockRequest__Output, _peerweave_content_v1_PutBlockResponse>;
  
  PutBlocks: grpc.handleBidiStreamingCall<_peerweave_content_v1_BlockFrame__Output, _peerweave_content_v1_PutBlocksAck>;
  
  PutRecord: grpc.handleUnaryCall<_peerweave_content_v1_PutRecordRequest__Output, _peerweave_content_v1_PutRecordResponse>;
  
  PutTombstone: grpc.handleUnaryCall<_peerweave_content_v1_PutTombstoneRequest__Output, _peerweave_content_v1_PutTombstoneResponse>;
  
  SyncDigest: grpc.handleUnaryCall<_peerweave_content_v1_SyncDigestRequest__Output, _peerweave_content_v1_SyncDigestResponse>;
  
  SyncKeys: grpc.handleUnaryCall<_peerweave_content_v1_SyncKeysRequest__Output, _peerweave_content_v1_SyncKeysResponse>;
  
}

export interface ContentServiceDefinition extends grpc.ServiceDefinition {
  AddProvider: MethodDefinition<_peerweave_content_v1_AddProviderRequest, _peerweave_content_v1_AddProviderResponse, _peerweave_content_v1_AddProviderRequest__Output, _peerweave_content_v1_AddProviderResponse__Output>
  Calls: MethodDefinition<_peerweave_content_v1_CallFrame, _peerweave_content_v1_ReplyFrame, _peerweave_content_v1_CallFrame__Output, _peerweave_content_v1_ReplyFrame__Output>
  GetBlock: MethodDefinition<_peerweave_content_v1_GetBlockRequest, _peerweave_content_v1_GetBlockResponse, _peerweave_content_v1_GetBlockRequest__Output, _peerweave_content_v1_GetBlockResponse__Output>
  GetBlocks: MethodDefinition<_peerweave_content_v1_BlockWant, _peerweave_content_v1_BlockFrame, _peerweave_content_v1_BlockWant__Output, _peerweave_content_v1_BlockFrame__Output>
  GetProviders: MethodDefinition<_peerweave_content_v1_GetProvidersRequest, _peerweave_content_v1_GetProvidersResponse, _peerweave_content_v1_GetProvidersRequest__Output, _peerweave_content_v1_GetProvidersResponse__Output>
  GetRecord: MethodDefinition<_peerweave_content_v1_GetRecordRequest, _peerweave_content_v1_GetRecordResponse, _peerweave_content_v1_GetRecordRequest__Output, _peerweave_content_v1_GetRecordResponse__Output>
  HasBlocks: MethodDefinition<_peerweave_content_v1_HasBlocksRequest, _peerweave_content_v1_HasBlocksResponse, _peerweave_content_v1_HasBlocksRequest__Output, _peerweave_content_v1_HasBlocksResponse__Output>
  PinBlocks: MethodDefinition<_peerweave_content_v1_PinBlocksRequest, _peerweave_content_v1_PinBlocksResponse, _peerweave_content_v1_PinBlocksRequest__Output, _peerweave_content_v1_PinBlocksResponse__Output>
  PutBlock: MethodDefinition<_peerweave_content_v1_PutBlockRequest, _peerweave_content_v1_PutBlockResponse, _peerweave_content_v1_PutBlockRequest__Output, _peerweave_content_v1_PutBlockResponse__Output>
  PutBlocks: MethodDefinition<_peerweave_content_v1_BlockFrame, _peerweave_content_v1_PutBlocksAck, _peerweave_content_v1_BlockFrame__Output, _peerweave_content_v1_PutBlocksAck__Output>
  PutRecord: MethodDefinition<_peerweave_content_v1_PutRecordRequest, _peerweave_content_v1_PutRecordResponse, _peerweave_content_v1_PutRecordRequest__Output, _peerweave_content_v1_PutRecordResponse__Output>
  PutTombstone: MethodDefinition<_peerweave_content_v1_PutTombstoneRequest, _peerweave_content_v1_PutTombstoneResponse, _peerweave_content_v1_PutTombstoneRequest__Output, _peerweave_content_v1_PutTombstoneResponse__Output>
  SyncDigest: MethodDefinition<_peerweave_content_v1_SyncDigestRequest, _peerweave_content_v1_SyncDigestResponse, _peerweave_content_v1_SyncDigestRequest__Output, _peerweave_content_v1_SyncDigestResponse__Output>
  SyncKeys: MethodDefinition<_peerweave_content_v1_SyncKeysRequest, _peerweave_content_v1_SyncKeysResponse, _peerweave_content_v1_SyncKeysRequest__Output, _peerweave_content_v1_SyncKeysResponse__Output>
}
