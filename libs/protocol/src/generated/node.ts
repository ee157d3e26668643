import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { GetInfoRequest as _peerweave_node_v1_GetInfoRequest, GetInfoRequest__Output as _peerweave_node_v1_GetInfoRequest__Output } from './peerweave/node/v1/GetInfoRequest.ts';
import type { NodeInfo as _peerweave_node_v1_NodeInfo, NodeInfo__Output as _peerweave_node_v1_NodeInfo__Output } from './peerweave/node/v1/NodeInfo.ts';
import type { NodeServiceClient as _peerweave_node_v1_NodeServiceClient, NodeServiceDefinition as _peerweave_node_v1_NodeServiceDefinition } from './peerweave/node/v1/NodeService.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  peerweave: {
    node: {
      v1: {
        GetInfoRequest: MessageTypeDefinition<_peerweave_node_v1_GetInfoRequest, _peerweave_node_v1_GetInfoRequest__Output>
        NodeInfo: MessageTypeDefinition<_peerweave_node_v1_NodeInfo, _peerweave_node_v1_NodeInfo__Output>
        NodeService: SubtypeConstructor<typeof grpc.Client, _peerweave_node_v1_NodeServiceClient> & { service: _peerweave_node_v1_NodeServiceDefinition }
      }
    }
  }
}

