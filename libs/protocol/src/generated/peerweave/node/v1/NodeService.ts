// Original file: proto/peerweave/node/v1/node.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetInfoRequest as _peerweave_node_v1_GetInfoRequest, GetInfoRequest__Output as _peerweave_node_v1_GetInfoRequest__Output } from '../../../peerweave/node/v1/GetInfoRequest.ts';
import type { NodeInfo as _peerweave_node_v1_NodeInfo, NodeInfo__Output as _peerweave_node_v1_NodeInfo__Output } from '../../../peerweave/node/v1/NodeInfo.ts';

export interface NodeServiceClient extends grpc.Client {
  GetInfo(argument: _peerweave_node_v1_GetInfoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  GetInfo(argument: _peerweave_node_v1_GetInfoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  GetInfo(argument: _peerweave_node_v1_GetInfoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  GetInfo(argument: _peerweave_node_v1_GetInfoRequest, callback: grpc.requestCallback<_peerweave_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  getInfo(argument: _peerweave_node_v1_GetInfoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  getInfo(argument: _peerweave_node_v1_GetInfoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  getInfo(argument: _peerweave_node_v1_GetInfoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  getInfo(argument: _peerweave_node_v1_GetInfoRequest, callback: grpc.requestCallback<_peerweave_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  
}

export interface NodeServiceHandlers extends grpc.UntypedServiceImplementation {
  GetInfo: grpc.handleUnaryCall<_peerweave_node_v1_GetInfoRequest__Output, _peerweave_node_v1_NodeInfo>;
  
}

export interface NodeServiceDefinition extends grpc.ServiceDefinition {
  GetInfo: MethodDefinition<_peerweave_node_v1_GetInfoRequest, _peerweave_node_v1_NodeInfo, _peerweave_node_v1_GetInfoRequest__Output, _peerweave_node_v1_NodeInfo__Output>
}
