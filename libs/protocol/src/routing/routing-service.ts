import type { Server } from '@grpc/grpc-js';
import type { PeerServiceDefinition, PeerServiceHandlers } from '../generated/peerweave/routing/v1/PeerService.ts';
import { peerMethodHandler } from '../method-binding.ts';
import type { RoutingHandler } from '../peer-messages.ts';
import { pingStreamHandler, PingStreamRegistry } from './ping-stream.ts';
import { loadProtocolPackage } from '../proto-packages.ts';
import type { BindingContext, ServiceBinding } from '../service-binding.ts';

export const PEER_SERVICE_NAME = 'peerweave.routing.v1.PeerService';
export const PEER_PROTO_FILE = 'peerweave/routing/v1/routing.proto';

/** The loaded PeerService definition (from the proto root, with the shared loader options). */
export function peerServiceDefinition(): PeerServiceDefinition {
  return loadProtocolPackage(PEER_PROTO_FILE)[PEER_SERVICE_NAME] as unknown as PeerServiceDefinition;
}

/**
 * PeerService (routing), ready for `GrpcServer.addService`. Every request is decoded and validated
 * before `handler` sees it (a malformed one is answered with INVALID_ARGUMENT); the handler's
 * `signal` aborts when the caller cancels or its deadline passes. A response the handler got wrong
 * is our bug, not the caller's: it is logged and answered with INTERNAL.
 */
export function peerServiceBinding(handler: RoutingHandler): ServiceBinding {
  const pingStreams = new PingStreamRegistry();
  return {
    serviceName: PEER_SERVICE_NAME,
    packageDefinition: loadProtocolPackage(PEER_PROTO_FILE),
    addToServer(server: Server, { logger }: BindingContext): void {
      const handlers: PeerServiceHandlers = {
        Ping: peerMethodHandler(PEER_SERVICE_NAME, 'ping', handler, logger),
        PingReq: peerMethodHandler(PEER_SERVICE_NAME, 'pingReq', handler, logger),
        FindNode: peerMethodHandler(PEER_SERVICE_NAME, 'findNode', handler, logger),
        Leave: peerMethodHandler(PEER_SERVICE_NAME, 'leave', handler, logger),
        PingStream: pingStreamHandler(`${PEER_SERVICE_NAME}/PingStream`, handler, logger, pingStreams),
      };
      server.addService(peerServiceDefinition(), handlers);
    },
    drain: () => pingStreams.drain(),
  };
}
