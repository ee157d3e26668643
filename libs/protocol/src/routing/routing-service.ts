import type { PeerServiceDefinition } from '../generated/peerweave/routing/v1/PeerService.ts';
import { serviceBinding, serviceSpec, type ServiceBinding } from '../service-binding.ts';
import type { ServiceDefinition } from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { withTolerantFrames } from '../transport/call-mux.ts';
import { StreamRegistry } from '../transport/stream-registry.ts';
import { pingStreamHandler } from './ping-stream.ts';
import { ROUTING_CODECS, ROUTING_RPC_NAMES } from './routing-codec.ts';
import type { RoutingHandler, RoutingMethod, RoutingMethods } from './routing-messages.ts';

/**
 * Routing's service. Its wire name stays `PeerService` (from before content and search were
 * services of their own): renaming it would cut running nodes off.
 */
export const ROUTING_SERVICE = serviceSpec<RoutingMethod>('peerweave.routing.v1.PeerService', 'peerweave/routing/v1/routing.proto', ROUTING_RPC_NAMES, (definition) => ({
  ...definition,
  PingStream: withTolerantFrames(definition['PingStream'] as MethodDefinition<unknown, unknown, unknown, unknown>, 'PingFrame'),
}) as ServiceDefinition);
export const ROUTING_SERVICE_NAME = ROUTING_SERVICE.serviceName;

/**
 * The routing service, ready for `GrpcServer.addService`: Ping, PingReq, FindNode and Leave
 * ({@link serviceBinding}) and the PingStream (ping-stream.ts), whose streams a stopping server drains.
 */
export function routingServiceBinding(handler: RoutingHandler): ServiceBinding {
  const pingStreams = new StreamRegistry();
  return serviceBinding<RoutingMethods>(ROUTING_SERVICE, ROUTING_CODECS, handler, {
    streams: (logger) => ({
      PingStream: pingStreamHandler(`${ROUTING_SERVICE_NAME}/PingStream`, handler, logger, pingStreams),
    }),
    drain: () => pingStreams.drain(),
  });
}

/** The routing service's definition, typed as generated. */
export function routingServiceDefinition(): PeerServiceDefinition {
  return ROUTING_SERVICE.definition() as unknown as PeerServiceDefinition;
}
