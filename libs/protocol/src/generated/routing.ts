import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { FindNodeRequest as _peerweave_routing_v1_FindNodeRequest, FindNodeRequest__Output as _peerweave_routing_v1_FindNodeRequest__Output } from './peerweave/routing/v1/FindNodeRequest.ts';
import type { FindNodeResponse as _peerweave_routing_v1_FindNodeResponse, FindNodeResponse__Output as _peerweave_routing_v1_FindNodeResponse__Output } from './peerweave/routing/v1/FindNodeResponse.ts';
import type { LeaveRequest as _peerweave_routing_v1_LeaveRequest, LeaveRequest__Output as _peerweave_routing_v1_LeaveRequest__Output } from './peerweave/routing/v1/LeaveRequest.ts';
import type { LeaveResponse as _peerweave_routing_v1_LeaveResponse, LeaveResponse__Output as _peerweave_routing_v1_LeaveResponse__Output } from './peerweave/routing/v1/LeaveResponse.ts';
import type { MemberUpdate as _peerweave_routing_v1_MemberUpdate, MemberUpdate__Output as _peerweave_routing_v1_MemberUpdate__Output } from './peerweave/routing/v1/MemberUpdate.ts';
import type { PeerContact as _peerweave_routing_v1_PeerContact, PeerContact__Output as _peerweave_routing_v1_PeerContact__Output } from './peerweave/routing/v1/PeerContact.ts';
import type { PeerServiceClient as _peerweave_routing_v1_PeerServiceClient, PeerServiceDefinition as _peerweave_routing_v1_PeerServiceDefinition } from './peerweave/routing/v1/PeerService.ts';
import type { PingFrame as _peerweave_routing_v1_PingFrame, PingFrame__Output as _peerweave_routing_v1_PingFrame__Output } from './peerweave/routing/v1/PingFrame.ts';
import type { PingReqRequest as _peerweave_routing_v1_PingReqRequest, PingReqRequest__Output as _peerweave_routing_v1_PingReqRequest__Output } from './peerweave/routing/v1/PingReqRequest.ts';
import type { PingReqResponse as _peerweave_routing_v1_PingReqResponse, PingReqResponse__Output as _peerweave_routing_v1_PingReqResponse__Output } from './peerweave/routing/v1/PingReqResponse.ts';
import type { PingRequest as _peerweave_routing_v1_PingRequest, PingRequest__Output as _peerweave_routing_v1_PingRequest__Output } from './peerweave/routing/v1/PingRequest.ts';
import type { PingResponse as _peerweave_routing_v1_PingResponse, PingResponse__Output as _peerweave_routing_v1_PingResponse__Output } from './peerweave/routing/v1/PingResponse.ts';
import type { PongFrame as _peerweave_routing_v1_PongFrame, PongFrame__Output as _peerweave_routing_v1_PongFrame__Output } from './peerweave/routing/v1/PongFrame.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  peerweave: {
    routing: {
      v1: {
        FindNodeRequest: MessageTypeDefinition<_peerweave_routing_v1_FindNodeRequest, _peerweave_routing_v1_FindNodeRequest__Output>
        FindNodeResponse: MessageTypeDefinition<_peerweave_routing_v1_FindNodeResponse, _peerweave_routing_v1_FindNodeResponse__Output>
        LeaveRequest: MessageTypeDefinition<_peerweave_routing_v1_LeaveRequest, _peerweave_routing_v1_LeaveRequest__Output>
        LeaveResponse: MessageTypeDefinition<_peerweave_routing_v1_LeaveResponse, _peerweave_routing_v1_LeaveResponse__Output>
        MemberState: EnumTypeDefinition
        MemberUpdate: MessageTypeDefinition<_peerweave_routing_v1_MemberUpdate, _peerweave_routing_v1_MemberUpdate__Output>
        PeerContact: MessageTypeDefinition<_peerweave_routing_v1_PeerContact, _peerweave_routing_v1_PeerContact__Output>
        PeerService: SubtypeConstructor<typeof grpc.Client, _peerweave_routing_v1_PeerServiceClient> & { service: _peerweave_routing_v1_PeerServiceDefinition }
        PingFrame: MessageTypeDefinition<_peerweave_routing_v1_PingFrame, _peerweave_routing_v1_PingFrame__Output>
        PingReqRequest: MessageTypeDefinition<_peerweave_routing_v1_PingReqRequest, _peerweave_routing_v1_PingReqRequest__Output>
        PingReqResponse: MessageTypeDefinition<_peerweave_routing_v1_PingReqResponse, _peerweave_routing_v1_PingReqResponse__Output>
        PingRequest: MessageTypeDefinition<_peerweave_routing_v1_PingRequest, _peerweave_routing_v1_PingRequest__Output>
        PingResponse: MessageTypeDefinition<_peerweave_routing_v1_PingResponse, _peerweave_routing_v1_PingResponse__Output>
        PongFrame: MessageTypeDefinition<_peerweave_routing_v1_PongFrame, _peerweave_routing_v1_PongFrame__Output>
      }
    }
  }
}

