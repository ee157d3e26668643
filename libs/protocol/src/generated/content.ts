import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AddProviderRequest as _peerweave_content_v1_AddProviderRequest, AddProviderRequest__Output as _peerweave_content_v1_AddProviderRequest__Output } from './peerweave/content/v1/AddProviderRequest.ts';
import type { AddProviderResponse as _peerweave_content_v1_AddProviderResponse, AddProviderResponse__Output as _peerweave_content_v1_AddProviderResponse__Output } from './peerweave/content/v1/AddProviderResponse.ts';
import type { BlockFrame as _peerweave_content_v1_BlockFrame, BlockFrame__Output as _peerweave_content_v1_BlockFrame__Output } from './peerweave/content/v1/BlockFrame.ts';
import type { BlockWant as _peerweave_content_v1_BlockWant, BlockWant__Output as _peerweave_content_v1_BlockWant__Output } from './peerweave/content/v1/BlockWant.ts';
import type { CallFrame as _peerweave_content_v1_CallFrame, CallFrame__Output as _peerweave_content_v1_CallFrame__Output } from './peerweave/content/v1/CallFrame.ts';
import type { ContentServiceClient as _peerweave_content_v1_ContentServiceClient, ContentServiceDefinition as _peerweave_content_v1_ContentServiceDefinition } from './peerweave/content/v1/ContentService.ts';
import type { GetBlockRequest as _peerweave_content_v1_GetBlockRequest, GetBlockRequest__Output as _peerweave_content_v1_GetBlockRequest__Output } from './peerweave/content/v1/GetBlockRequest.ts';
import type { GetBlockResponse as _peerweave_content_v1_GetBlockResponse, GetBlockResponse__Output as _peerweave_content_v1_GetBlockResponse__Output } from './peerweave/content/v1/GetBlockResponse.ts';
import type { GetProvidersRequest as _peerweave_content_v1_GetProvidersRequest, GetProvidersRequest__Output as _peerweave_content_v1_GetProvidersRequest__Output } from './peerweave/content/v1/GetProvidersRequest.ts';
import type { GetProvidersResponse as _peerweave_content_v1_GetProvidersResponse, GetProvidersResponse__Output as _peerweave_content_v1_GetProvidersResponse__Output } from './peerweave/content/v1/GetProvidersResponse.ts';
import type { GetRecordRequest as _peerweave_content_v1_GetRecordRequest, GetRecordRequest__Output as _peerweave_content_v1_GetRecordRequest__Output } from './peerweave/content/v1/GetRecordRequest.ts';
import type { GetRecordResponse as _peerweave_content_v1_GetRecordResponse, GetRecordResponse__Output as _peerweave_content_v1_GetRecordResponse__Output } from './peerweave/content/v1/GetRecordResponse.ts';
import type { HasBlocksRequest as _peerweave_content_v1_HasBlocksRequest, HasBlocksRequest__Output as _peerweave_content_v1_HasBlocksRequest__Output } from './peerweave/content/v1/HasBlocksRequest.ts';
import type { HasBlocksResponse as _peerweave_content_v1_HasBlocksResponse, HasBlocksResponse__Output as _peerweave_content_v1_HasBlocksResponse__Output } from './peerweave/content/v1/HasBlocksResponse.ts';
import type { ObjectRecord as _peerweave_content_v1_ObjectRecord, ObjectRecord__Output as _peerweave_content_v1_ObjectRecord__Output } from './peerweave/content/v1/ObjectRecord.ts';
import type { PinBlocksRequest as _peerweave_content_v1_PinBlocksRequest, PinBlocksRequest__Output as _peerweave_content_v1_PinBlocksRequest__Output } from './peerweave/content/v1/PinBlocksRequest.ts';
import type { PinBlocksResponse as _peerweave_content_v1_PinBlocksResponse, PinBlocksResponse__Output as _peerweave_content_v1_PinBlocksResponse__Output } from './peerweave/content/v1/PinBlocksResponse.ts';
import type { PinnedBlock as _peerweave_content_v1_PinnedBlock, PinnedBlock__Output as _peerweave_content_v1_PinnedBlock__Output } from './peerweave/content/v1/PinnedBlock.ts';
import type { ProviderRecord as _peerweave_content_v1_ProviderRecord, ProviderRecord__Output as _peerweave_content_v1_ProviderRecord__Output } from './peerweave/content/v1/ProviderRecord.ts';
import type { PutBlockRequest as _peerweave_content_v1_PutBlockRequest, PutBlockRequest__Output as _peerweave_content_v1_PutBlockRequest__Output } from './peerweave/content/v1/PutBlockRequest.ts';
import type { PutBlockResponse as _peerweave_content_v1_PutBlockResponse, PutBlockResponse__Output as _peerweave_content_v1_PutBlockResponse__Output } from './peerweave/content/v1/PutBlockResponse.ts';
import type { PutBlocksAck as _peerweave_content_v1_PutBlocksAck, PutBlocksAck__Output as _peerweave_content_v1_PutBlocksAck__Output } from './peerweave/content/v1/PutBlocksAck.ts';
import type { PutRecordRequest as _peerweave_content_v1_PutRecordRequest, PutRecordRequest__Output as _peerweave_content_v1_PutRecordRequest__Output } from './peerweave/content/v1/PutRecordRequest.ts';
import type { PutRecordResponse as _peerweave_content_v1_PutRecordResponse, PutRecordResponse__Output as _peerweave_content_v1_PutRecordResponse__Output } from './peerweave/content/v1/PutRecordResponse.ts';
import type { PutTombstoneRequest as _peerweave_content_v1_PutTombstoneRequest, PutTombstoneRequest__Output as _peerweave_content_v1_PutTombstoneRequest__Output } from './peerweave/content/v1/PutTombstoneRequest.ts';
import type { PutTombstoneResponse as _peerweave_content_v1_PutTombstoneResponse, PutTombstoneResponse__Output as _peerweave_content_v1_PutTombstoneResponse__Output } from './peerweave/content/v1/PutTombstoneResponse.ts';
import type { RangeDigest as _peerweave_content_v1_RangeDigest, RangeDigest__Output as _peerweave_content_v1_RangeDigest__Output } from './peerweave/content/v1/RangeDigest.ts';
import type { ReplyFrame as _peerweave_content_v1_ReplyFrame, ReplyFrame__Output as _peerweave_content_v1_ReplyFrame__Output } from './peerweave/content/v1/ReplyFrame.ts';
import type { SyncDigestRequest as _peerweave_content_v1_SyncDigestRequest, SyncDigestRequest__Output as _peerweave_content_v1_SyncDigestRequest__Output } from './peerweave/content/v1/SyncDigestRequest.ts';
import type { SyncDigestResponse as _peerweave_content_v1_SyncDigestResponse, SyncDigestResponse__Output as _peerweave_content_v1_SyncDigestResponse__Output } from './peerweave/content/v1/SyncDigestResponse.ts';
import type { SyncKeysRequest as _peerweave_content_v1_SyncKeysRequest, SyncKeysRequest__Output as _peerweave_content_v1_SyncKeysRequest__Output } from './peerweave/content/v1/SyncKeysRequest.ts';
import type { SyncKeysResponse as _peerweave_content_v1_SyncKeysResponse, SyncKeysResponse__Output as _peerweave_content_v1_SyncKeysResponse__Output } from './peerweave/content/v1/SyncKeysResponse.ts';
import type { Tombstone as _peerweave_content_v1_Tombstone, Tombstone__Output as _peerweave_content_v1_Tombstone__Output } from './peerweave/content/v1/Tombstone.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  peerweave: {
    content: {
      v1: {
        AddProviderRequest: MessageTypeDefinition<_peerweave_content_v1_AddProviderRequest, _peerweave_content_v1_AddProviderRequest__Output>
        AddProviderResponse: MessageTypeDefinition<_peerweave_content_v1_AddProviderResponse, _peerweave_content_v1_AddProviderResponse__Output>
        BlockFrame: MessageTypeDefinition<_peerweave_content_v1_BlockFrame, _peerweave_content_v1_BlockFrame__Output>
        BlockWant: MessageTypeDefinition<_peerweave_content_v1_BlockWant, _peerweave_content_v1_BlockWant__Output>
        CallFrame: MessageTypeDefinition<_peerweave_content_v1_CallFrame, _peerweave_content_v1_CallFrame__Output>
        ContentService: SubtypeConstructor<typeof grpc.Client, _peerweave_content_v1_ContentServiceClient> & { service: _peerweave_content_v1_ContentServiceDefinition }
        GetBlockRequest: MessageTypeDefinition<_peerweave_content_v1_GetBlockRequest, _peerweave_content_v1_GetBlockRequest__Output>
        GetBlockResponse: MessageTypeDefinition<_peerweave_content_v1_GetBlockResponse, _peerweave_content_v1_GetBlockResponse__Output>
        GetProvidersRequest: MessageTypeDefinition<_peerweave_content_v1_GetProvidersRequest, _peerweave_content_v1_GetProvidersRequest__Output>
        GetProvidersResponse: MessageTypeDefinition<_peerweave_content_v1_GetProvidersResponse, _peerweave_content_v1_GetProvidersResponse__Output>
        GetRecordRequest: MessageTypeDefinition<_peerweave_content_v1_GetRecordRequest, _peerweave_content_v1_GetRecordRequest__Output>
        GetRecordResponse: MessageTypeDefinition<_peerweave_content_v1_GetRecordResponse, _peerweave_content_v1_GetRecordResponse__Output>
        HasBlocksRequest: MessageTypeDefinition<_peerweave_content_v1_HasBlocksRequest, _peerweave_content_v1_HasBlocksRequest__Output>
        HasBlocksResponse: MessageTypeDefinition<_peerweave_content_v1_HasBlocksResponse, _peerweave_content_v1_HasBlocksResponse__Output>
        ObjectRecord: MessageTypeDefinition<_peerweave_content_v1_ObjectRecord, _peerweave_content_v1_ObjectRecord__Output>
        PinBlocksRequest: MessageTypeDefinition<_peerweave_content_v1_PinBlocksRequest, _peerweave_content_v1_PinBlocksRequest__Output>
        PinBlocksResponse: MessageTypeDefinition<_peerweave_content_v1_PinBlocksResponse, _peerweave_content_v1_PinBlocksResponse__Output>
        PinnedBlock: MessageTypeDefinition<_peerweave_content_v1_PinnedBlock, _peerweave_content_v1_PinnedBlock__Output>
        ProviderRecord: MessageTypeDefinition<_peerweave_content_v1_ProviderRecord, _peerweave_content_v1_ProviderRecord__Output>
        PutBlockRequest: MessageTypeDefinition<_peerweave_content_v1_PutBlockRequest, _peerweave_content_v1_PutBlockRequest__Output>
        PutBlockResponse: MessageTypeDefinition<_peerweave_content_v1_PutBlockResponse, _peerweave_content_v1_PutBlockResponse__Output>
        PutBlocksAck: MessageTypeDefinition<_peerweave_content_v1_PutBlocksAck, _peerweave_content_v1_PutBlocksAck__Output>
        PutRecordRequest: MessageTypeDefinition<_peerweave_content_v1_PutRecordRequest, _peerweave_content_v1_PutRecordRequest__Output>
        PutRecordResponse: MessageTypeDefinition<_peerweave_content_v1_PutRecordResponse, _peerweave_content_v1_PutRecordResponse__Output>
        PutTombstoneRequest: MessageTypeDefinition<_peerweave_content_v1_PutTombstoneRequest, _peerweave_content_v1_PutTombstoneRequest__Output>
        PutTombstoneResponse: MessageTypeDefinition<_peerweave_content_v1_PutTombstoneResponse, _peerweave_content_v1_PutTombstoneResponse__Output>
        RangeDigest: MessageTypeDefinition<_peerweave_content_v1_RangeDigest, _peerweave_content_v1_RangeDigest__Output>
        ReplyFrame: MessageTypeDefinition<_peerweave_content_v1_ReplyFrame, _peerweave_content_v1_ReplyFrame__Output>
        SyncDigestRequest: MessageTypeDefinition<_peerweave_content_v1_SyncDigestRequest, _peerweave_content_v1_SyncDigestRequest__Output>
        SyncDigestResponse: MessageTypeDefinition<_peerweave_content_v1_SyncDigestResponse, _peerweave_content_v1_SyncDigestResponse__Output>
        SyncKeysRequest: MessageTypeDefinition<_peerweave_content_v1_SyncKeysRequest, _peerweave_content_v1_SyncKeysRequest__Output>
        SyncKeysResponse: MessageTypeDefinition<_peerweave_content_v1_SyncKeysResponse, _peerweave_content_v1_SyncKeysResponse__Output>
        Tombstone: MessageTypeDefinition<_peerweave_content_v1_Tombstone, _peerweave_content_v1_Tombstone__Output>
      }
    }
  }
}

