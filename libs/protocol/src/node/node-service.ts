import type { Server } from '@grpc/grpc-js';
import type { GetInfoRequest__Output } from '../generated/peerweave/node/v1/GetInfoRequest.ts';
import type { NodeInfo, NodeInfo__Output } from '../generated/peerweave/node/v1/NodeInfo.ts';
import type { NodeServiceDefinition, NodeServiceHandlers } from '../generated/peerweave/node/v1/NodeService.ts';
import { loadProtocolPackage } from '../proto-packages.ts';
import { unaryHandler } from '../transport/server-unary.ts';
import type { BindingContext, ServiceBinding } from '../service-binding.ts';

export const NODE_SERVICE_NAME = 'peerweave.node.v1.NodeService';
export const NODE_PROTO_FILE = 'peerweave/node/v1/node.proto';

/** Identity and reachability of a node: the domain view of `peerweave.node.v1.NodeInfo`. */
export interface NodeInfoData {
  /** SHA-256 of publicKey, lower-case hex, 64 characters. */
  nodeId: string;
  /** Raw Ed25519 public key, 32 bytes. */
  publicKey: Uint8Array;
  /** `peer` or `supernode`. */
  role: string;
  version: string;
  /** Base URLs of the HTTP API. */
  httpAddresses: string[];
  /** `host:port` of the peer protocol. */
  grpcAddresses: string[];
  /** Start time, milliseconds since the Unix epoch. */
  startedAtMs: number;
}

/** The domain side of NodeService; the binding below puts it on the wire. */
export interface NodeServiceHandler {
  /** `signal` aborts when the caller cancels or the call's deadline passes. */
  getInfo(options: { signal: AbortSignal }): Promise<NodeInfoData>;
}

/** The loaded NodeService definition (from the proto root, with the shared loader options). */
export function nodeServiceDefinition(): NodeServiceDefinition {
  return loadProtocolPackage(NODE_PROTO_FILE)[NODE_SERVICE_NAME] as unknown as NodeServiceDefinition;
}

/** NodeService, ready for `GrpcServer.addService`. */
export function nodeServiceBinding(handler: NodeServiceHandler): ServiceBinding {
  return {
    serviceName: NODE_SERVICE_NAME,
    packageDefinition: loadProtocolPackage(NODE_PROTO_FILE),
    addToServer(server: Server, { logger }: BindingContext): void {
      const handlers: NodeServiceHandlers = {
        GetInfo: unaryHandler<GetInfoRequest__Output, NodeInfo>(
          `${NODE_SERVICE_NAME}/GetInfo`,
          logger,
          async (_request, context) => toNodeInfoMessage(await handler.getInfo(context)),
        ),
      };
      server.addService(nodeServiceDefinition(), handlers);
    },
  };
}

/** Only the fields the protocol defines go on the wire, whatever else the object carries. */
export function toNodeInfoMessage(data: NodeInfoData): NodeInfo {
  return {
    nodeId: data.nodeId,
    publicKey: data.publicKey,
    role: data.role,
    version: data.version,
    httpAddresses: data.httpAddresses,
    grpcAddresses: data.grpcAddresses,
    startedAtMs: data.startedAtMs,
  };
}

export function fromNodeInfoMessage(message: NodeInfo__Output): NodeInfoData {
  return {
    nodeId: message.nodeId,
    // A copy, not a view: a Buffer from grpc-js may sit in a shared pool slab it would keep alive.
    publicKey: new Uint8Array(message.publicKey),
    role: message.role,
    version: message.version,
    httpAddresses: message.httpAddresses,
    grpcAddresses: message.grpcAddresses,
    startedAtMs: message.startedAtMs,
  };
}
