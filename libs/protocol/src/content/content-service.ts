import type { ServiceDefinition } from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { withBlockStreamCodecs } from '../block-streams/block-stream-methods.ts';
import { getBlocksHandler, putBlocksHandler } from '../block-streams/block-stream-server.ts';
import { callStreamHandler } from './call-stream.ts';
import { withTolerantFrames } from '../transport/call-mux.ts';
import { StreamRegistry } from '../transport/stream-registry.ts';
import type { ContentServiceDefinition } from '../generated/peerweave/content/v1/ContentService.ts';
import { serviceBinding, serviceSpec, type ServiceBinding } from '../service-binding.ts';
import { CONTENT_CODECS, CONTENT_RPC_NAMES } from './content-codec.ts';
import type { ContentHandler, ContentMethod, ContentMethods } from './content-messages.ts';

type AnyMethod = MethodDefinition<unknown, unknown, unknown, unknown>;

/** The content service; its block streams carry their own serializers (block-stream-methods.ts), Calls a tolerant one. */
export const CONTENT_SERVICE = serviceSpec<ContentMethod>(
  'peerweave.content.v1.ContentService',
  'peerweave/content/v1/content.proto',
  CONTENT_RPC_NAMES,
  (definition) => {
    const adapted = withBlockStreamCodecs(definition as unknown as ContentServiceDefinition) as unknown as Record<string, AnyMethod>;
    // Calls frames that are not protobuf end the stream INVALID_ARGUMENT (call-mux.ts).
    return { ...adapted, Calls: withTolerantFrames(adapted['Calls']!, 'CallFrame') } as unknown as ServiceDefinition;
  },
);
export const CONTENT_SERVICE_NAME = CONTENT_SERVICE.serviceName;

/** The content service's definition, typed as generated. */
export function contentServiceDefinition(): ContentServiceDefinition {
  return CONTENT_SERVICE.definition() as unknown as ContentServiceDefinition;
}

/**
 * The content service, ready for `GrpcServer.addService` beside routing: the unary methods
 * ({@link serviceBinding}; a block above MAX_BLOCK_BYTES is answered with INVALID_ARGUMENT,
 * CORRUPT_BLOCK travels as DATA_LOSS and back) and the block streams GetBlocks and PutBlocks, which
 * go to the handler's `readBlock` and `writeBlocks` (block-stream-server.ts), and the Calls stream
 * that carries the unary calls as frames (call-stream.ts); a stopping server drains the streams.
 */
export function contentServiceBinding(handler: ContentHandler): ServiceBinding {
  // The block streams being served, so that a stopping server can drain them: each stops reading
  // and ends (OK) once what it read is answered; the caller's items not read fail with UNAVAILABLE.
  const streams = new StreamRegistry();
  return serviceBinding<ContentMethods>(CONTENT_SERVICE, CONTENT_CODECS, handler, {
    // Their messages are decoded by the definition's own deserializers (block-stream-methods.ts).
    streams: (logger) => ({
      GetBlocks: getBlocksHandler(`${CONTENT_SERVICE_NAME}/GetBlocks`, handler, logger, streams),
      PutBlocks: putBlocksHandler(`${CONTENT_SERVICE_NAME}/PutBlocks`, handler, logger, streams),
      Calls: callStreamHandler(`${CONTENT_SERVICE_NAME}/Calls`, CONTENT_SERVICE.definition() as unknown as Record<string, AnyMethod>, handler, logger, streams),
    }),
    drain: () => streams.drain(),
  });
}
