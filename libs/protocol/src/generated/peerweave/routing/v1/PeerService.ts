// Original file: proto/peerweave/routing/v1/routing.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { FindNodeRequest as _peerweave_routing_v1_FindNodeRequest, FindNodeRequest__Output as _peerweave_routing_v1_FindNodeRequest__Output } from '../../../peerweave/routing/v1/FindNodeRequest.ts';
import type { FindNodeResponse as _peerweave_routing_v1_FindNodeResponse, FindNodeResponse__Output as _peerweave_routing_v1_FindNodeResponse__Output } from '../../../peerweave/routing/v1/FindNodeResponse.ts';
import type { LeaveRequest as _peerweave_routing_v1_LeaveRequest, LeaveRequest__Output as _peerweave_routing_v1_LeaveRequest__Output } from '../../../peerweave/routing/v1/LeaveRequest.ts';
import type { LeaveResponse as _peerweave_routing_v1_LeaveResponse, LeaveResponse__Output as _peerweave_routing_v1_LeaveResponse__Output } from '../../../peerweave/routing/v1/LeaveResponse.ts';
import type { PingFrame as _peerweave_routing_v1_PingFrame, PingFrame__Output as _peerweave_routing_v1_PingFrame__Output } from '../../../peerweave/routing/v1/PingFrame.ts';
import type { PingReqRequest as _peerweave_routing_v1_PingReqRequest, PingReqRequest__Output as _peerweave_routing_v1_PingReqRequest__Output } from '../../../peerweave/routing/v1/PingReqRequest.ts';
import type { PingReqResponse as _peerweave_routing_v1_PingReqResponse, PingReqResponse__Output as _peerweave_routing_v1_PingReqResponse__Output } from '../../../peerweave/routing/v1/PingReqResponse.ts';
import type { PingRequest as _peerweave_routing_v1_PingRequest, PingRequest__Output as _peerweave_routing_v1_PingRequest__Output } from '../../../peerweave/routing/v1/PingRequest.ts';
import type { PingResponse as _peerweave_routing_v1_PingResponse, PingResponse__Output as _peerweave_routing_v1_PingResponse__Output } from '../../../peerweave/routing/v1/PingResponse.ts';
import type { PongFrame as _peerweave_routing_v1_PongFrame, PongFrame__Output as _peerweave_routing_v1_PongFrame__Output } from '../../../peerweave/routing/v1/PongFrame.ts';

export interface PeerServiceClient extends grpc.Client {
  FindNode(argument: _peerweave_routing_v1_FindNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_FindNodeResponse__Output>): grpc.ClientUnaryCall;
  FindNode(argument: _peerweave_routing_v1_FindNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_routing_v1_FindNodeResponse__Output>): grpc.ClientUnaryCall;
  FindNode(argument: _peerweave_routing_v1_FindNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_FindNodeResponse__Output>): grpc.ClientUnaryCall;
  FindNode(argument: _peerweave_routing_v1_FindNodeRequest, callback: grpc.requestCallback<_peerweave_routing_v1_FindNodeResponse__Output>): grpc.ClientUnaryCall;
  findNode(argument: _peerweave_routing_v1_FindNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_FindNodeResponse__Output>): grpc.ClientUnaryCall;
  findNode(argument: _peerweave_routing_v1_FindNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_routing_v1_FindNodeResponse__Output>): grpc.ClientUnaryCall;
  findNode(argument: _peerweave_routing_v1_FindNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_FindNodeResponse__Output>): grpc.ClientUnaryCall;
  findNode(argument: _peerweave_routing_v1_FindNodeRequest, callback: grpc.requestCallback<_peerweave_routing_v1_FindNodeResponse__Output>): grpc.ClientUnaryCall;
  
  Leave(argument: _peerweave_routing_v1_LeaveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  Leave(argument: _peerweave_routing_v1_LeaveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_routing_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  Leave(argument: _peerweave_routing_v1_LeaveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  Leave(argument: _peerweave_routing_v1_LeaveRequest, callback: grpc.requestCallback<_peerweave_routing_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  leave(argument: _peerweave_routing_v1_LeaveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  leave(argument: _peerweave_routing_v1_LeaveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_routing_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  leave(argument: _peerweave_routing_v1_LeaveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  leave(argument: _peerweave_routing_v1_LeaveRequest, callback: grpc.requestCallback<_peerweave_routing_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  
  Ping(argument: _peerweave_routing_v1_PingRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  Ping(argument: _peerweave_routing_v1_PingRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_routing_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  Ping(argument: _peerweave_routing_v1_PingRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  Ping(argument: _peerweave_routing_v1_PingRequest, callback: grpc.requestCallback<_peerweave_routing_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  ping(argument: _peerweave_routing_v1_PingRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  ping(argument: _peerweave_routing_v1_PingRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_routing_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  ping(argument: _peerweave_routing_v1_PingRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  ping(argument: _peerweave_routing_v1_PingRequest, callback: grpc.requestCallback<_peerweave_routing_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  
  PingReq(argument: _peerweave_routing_v1_PingReqRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_PingReqResponse__Output>): grpc.ClientUnaryCall;
  PingReq(argument: _peerweave_routing_v1_PingReqRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_routing_v1_PingReqResponse__Output>): grpc.ClientUnaryCall;
  PingReq(argument: _peerweave_routing_v1_PingReqRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_PingReqResponse__Output>): grpc.ClientUnaryCall;
  PingReq(argument: _peerweave_routing_v1_PingReqRequest, callback: grpc.requestCallback<_peerweave_routing_v1_PingReqResponse__Output>): grpc.ClientUnaryCall;
  pingReq(argument: _peerweave_routing_v1_PingReqRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_PingReqResponse__Output>): grpc.ClientUnaryCall;
  pingReq(argument: _peerweave_routing_v1_PingReqRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_peerweave_routing_v1_PingReqResponse__Output>): grpc.ClientUnaryCall;
  pingReq(argument: _peerweave_routing_v1_PingReqRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_peerweave_routing_v1_PingReqResponse__Output>): grpc.ClientUnaryCall;
  pingReq(argument: _peerweave_routing_v1_PingReqRequest, callback: grpc.requestCallback<_peerweave_routing_v1_PingReqResponse__Output>): grpc.ClientUnaryCall;
  
  PingStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_routing_v1_PingFrame, _peerweave_routing_v1_PongFrame__Output>;
  PingStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_routing_v1_PingFrame, _peerweave_routing_v1_PongFrame__Output>;
  pingStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_routing_v1_PingFrame, _peerweave_routing_v1_PongFrame__Output>;
  pingStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_peerweave_routing_v1_PingFrame, _peerweave_routing_v1_PongFrame__Output>;
  
}

export interface PeerServiceHandlers extends grpc.UntypedServiceImplementation {
  FindNode: grpc.handleUnaryCall<_peerweave_routing_v1_FindNodeRequest__Output, _peerweave_routing_v1_FindNodeResponse>;
  
  Leave: grpc.handleUnaryCall<_peerweave_routing_v1_LeaveRequest__Output, _peerweave_routing_v1_LeaveResponse>;
  
  Ping: grpc.handleUnaryCall<_peerweave_routing_v1_PingRequest__Output, _peerweave_routing_v1_PingResponse>;
  
  PingReq: grpc.handleUnaryCall<_peerweave_routing_v1_PingReqRequest__Output, _peerweave_routing_v1_PingReqResponse>;
  
  PingStream: grpc.handleBidiStreamingCall<_peerweave_routing_v1_PingFrame__Output, _peerweave_routing_v1_PongFrame>;
  
}

export interface PeerServiceDefinition extends grpc.ServiceDefinition {
  FindNode: MethodDefinition<_peerweave_routing_v1_FindNodeRequest, _peerweave_routing_v1_FindNodeResponse, _peerweave_routing_v1_FindNodeRequest__Output, _peerweave_routing_v1_FindNodeResponse__Output>
  Leave: MethodDefinition<_peerweave_routing_v1_LeaveRequest, _peerweave_routing_v1_LeaveResponse, _peerweave_routing_v1_LeaveRequest__Output, _peerweave_routing_v1_LeaveResponse__Output>
  Ping: MethodDefinition<_peerweave_routing_v1_PingRequest, _peerweave_routing_v1_PingResponse, _peerweave_routing_v1_PingRequest__Output, _peerweave_routing_v1_PingResponse__Output>
  PingReq: MethodDefinition<_peerweave_routing_v1_PingReqRequest, _peerweave_routing_v1_PingReqResponse, _peerweave_routing_v1_PingReqRequest__Output, _peerweave_routing_v1_PingReqResponse__Output>
  PingStream: MethodDefinition<_peerweave_routing_v1_PingFrame, _peerweave_routing_v1_PongFrame, _peerweave_routing_v1_PingFrame__Output, _peerweave_routing_v1_PongFrame__Output>
}
