import type { handleUnaryCall } from '@grpc/grpc-js';
import { InternalError, InvalidArgumentError, type Logger } from '@peerweave/core';
import { PEER_CODECS, PEER_RPC_NAMES, type PeerWireMethods } from './peer-codec.ts';
import type { PeerHandler, PeerMethod, PeerMethodHandler } from './peer-messages.ts';
import { unaryHandler } from './transport/server-unary.ts';

/**
 * The grpc-js handler of one peer method (routing, content or search) of `serviceName`: the request is
 * decoded and validated before `handler` sees it (a malformed one is answered with
 * INVALID_ARGUMENT), the handler's signal aborts when the caller cancels or its deadline passes,
 * and its response is validated on the way out. A response the handler got wrong is our bug, not
 * the caller's: it is logged and answered with INTERNAL.
 */
export function peerMethodHandler<M extends PeerMethod>(
  serviceName: string,
  method: M,
  handler: Pick<PeerHandler, M>,
  logger: Logger,
): handleUnaryCall<PeerWireMethods[M]['requestOut'], PeerWireMethods[M]['responseIn']> {
  const codec = PEER_CODECS[method];
  const handle = handler[method] as unknown as PeerMethodHandler<M>;
  return unaryHandler<PeerWireMethods[M]['requestOut'], PeerWireMethods[M]['responseIn']>(
    `${serviceName}/${PEER_RPC_NAMES[method]}`,
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
