import type { Server } from '@grpc/grpc-js';
import { InternalError, InvalidArgumentError, type Logger } from '@peerweave/core';
import type { PeerServiceDefinition, PeerServiceHandlers } from './generated/peerweave/routing/v1/PeerService.ts';
import { PEER_CODECS, PEER_RPC_NAMES, type PeerWireMethods } from './peer-codec.ts';
import type { PeerHandler, PeerMethod, PeerRequest, PeerResponse } from './peer-messages.ts';
import { loadProtocolPackage } from './proto-packages.ts';
import { unaryHandler } from './server-unary.ts';
import type { BindingContext, ServiceBinding } from './service-binding.ts';

export const PEER_SERVICE_NAME = 'peerweave.routing.v1.PeerService';
export const PEER_PROTO_FILE = 'peerweave/routing/v1/routing.proto';

/** The loaded PeerService definition (from the proto root, with the shared loader options). */
export function peerServiceDefinition(): PeerServiceDefinition {
  return loadProtocolPackage(PEER_PROTO_FILE)[PEER_SERVICE_NAME] as unknown as PeerServiceDefinition;
}

/**
 * PeerService, ready for `GrpcServer.addService`. Every request is decoded and validated before
 * `handler` sees it (a malformed one is answered with INVALID_ARGUMENT); the handler's `signal`
 * aborts when the caller cancels or its deadline passes. A response the handler got wrong is our
 * bug, not the caller's: it is logged and answered with INTERNAL.
 */
export function peerServiceBinding(handler: PeerHandler): ServiceBinding {
  return {
    serviceName: PEER_SERVICE_NAME,
    packageDefinition: loadProtocolPackage(PEER_PROTO_FILE),
    addToServer(server: Server, { logger }: BindingContext): void {
      const handlers: PeerServiceHandlers = {
        Ping: bindMethod('ping', handler, logger),
        PingReq: bindMethod('pingReq', handler, logger),
        FindNode: bindMethod('findNode', handler, logger),
        Leave: bindMethod('leave', handler, logger),
      };
      server.addService(peerServiceDefinition(), handlers);
    },
  };
}

function bindMethod<M extends PeerMethod>(method: M, handler: PeerHandler, logger: Logger) {
  const codec = PEER_CODECS[method];
  const handle = handler[method] as (request: PeerRequest<M>, context: { signal: AbortSignal }) => Promise<PeerResponse<M>>;
  return unaryHandler<PeerWireMethods[M]['requestOut'], PeerWireMethods[M]['responseIn']>(
    `${PEER_SERVICE_NAME}/${PEER_RPC_NAMES[method]}`,
    logger,
    async (message, context) => {
      const response = await handle.call(handler, codec.decodeRequest(message), context);
      try {
        return codec.encodeResponse(response);
      } catch (err) {
        if (!(err instanceof InvalidArgumentError)) throw err;
        throw new InternalError(`invalid ${method} response: ${err.message}`, { cause: err });
      }
    },
  );
}
