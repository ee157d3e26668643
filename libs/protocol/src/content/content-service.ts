import type { Server } from '@grpc/grpc-js';
import { withBlockStreamCodecs } from '../block-streams/block-stream-methods.ts';
import { BlockStreamRegistry, getBlocksHandler, putBlocksHandler } from '../block-streams/block-stream-server.ts';
import type { ContentServiceDefinition, ContentServiceHandlers } from '../generated/peerweave/content/v1/ContentService.ts';
import { peerMethodHandler } from '../method-binding.ts';
import type { ContentHandler } from '../peer-messages.ts';
import { loadProtocolPackage } from '../proto-packages.ts';
import type { BindingContext, ServiceBinding } from '../service-binding.ts';

export const CONTENT_SERVICE_NAME = 'peerweave.content.v1.ContentService';
export const CONTENT_PROTO_FILE = 'peerweave/content/v1/content.proto';

let definition: ContentServiceDefinition | undefined;

/**
 * The loaded ContentService definition (from the proto root, with the shared loader options), its
 * block streams with their own serializers (block-stream-methods.ts).
 */
export function contentServiceDefinition(): ContentServiceDefinition {
  definition ??= withBlockStreamCodecs(
    loadProtocolPackage(CONTENT_PROTO_FILE)[CONTENT_SERVICE_NAME] as unknown as ContentServiceDefinition,
  );
  return definition;
}

/**
 * ContentService, ready for `GrpcServer.addService` beside PeerService. Every request is decoded
 * and validated before `handler` sees it (a malformed one, such as a block above MAX_BLOCK_BYTES,
 * is answered with INVALID_ARGUMENT); the handler's `signal` aborts when the caller cancels or its
 * deadline passes; a PeerweaveError it throws reaches the caller with its code (CORRUPT_BLOCK as
 * DATA_LOSS and back). A response the handler got wrong is logged and answered with INTERNAL.
 * The block streams (GetBlocks, PutBlocks) go to the handler's `readBlock` and `writeBlocks`
 * (block-stream-server.ts); a stopping server drains them.
 */
export function contentServiceBinding(handler: ContentHandler): ServiceBinding {
  const streams = new BlockStreamRegistry();
  return {
    serviceName: CONTENT_SERVICE_NAME,
    packageDefinition: loadProtocolPackage(CONTENT_PROTO_FILE),
    drain: () => streams.drain(),
    addToServer(server: Server, { logger }: BindingContext): void {
      const handlers: ContentServiceHandlers = {
        PutBlock: peerMethodHandler(CONTENT_SERVICE_NAME, 'putBlock', handler, logger),
        GetBlock: peerMethodHandler(CONTENT_SERVICE_NAME, 'getBlock', handler, logger),
        HasBlocks: peerMethodHandler(CONTENT_SERVICE_NAME, 'hasBlocks', handler, logger),
        PutRecord: peerMethodHandler(CONTENT_SERVICE_NAME, 'putRecord', handler, logger),
        GetRecord: peerMethodHandler(CONTENT_SERVICE_NAME, 'getRecord', handler, logger),
        PutTombstone: peerMethodHandler(CONTENT_SERVICE_NAME, 'putTombstone', handler, logger),
        SyncDigest: peerMethodHandler(CONTENT_SERVICE_NAME, 'syncDigest', handler, logger),
        SyncKeys: peerMethodHandler(CONTENT_SERVICE_NAME, 'syncKeys', handler, logger),
        AddProvider: peerMethodHandler(CONTENT_SERVICE_NAME, 'addProvider', handler, logger),
        GetProviders: peerMethodHandler(CONTENT_SERVICE_NAME, 'getProviders', handler, logger),
        PinBlocks: peerMethodHandler(CONTENT_SERVICE_NAME, 'pinBlocks', handler, logger),
        // Their messages are decoded by the definition's own deserializers (block-stream-methods.ts).
        GetBlocks: getBlocksHandler(`${CONTENT_SERVICE_NAME}/GetBlocks`, handler, logger, streams) as unknown as ContentServiceHandlers['GetBlocks'],
        PutBlocks: putBlocksHandler(`${CONTENT_SERVICE_NAME}/PutBlocks`, handler, logger, streams) as unknown as ContentServiceHandlers['PutBlocks'],
      };
      server.addService(contentServiceDefinition(), handlers);
    },
  };
}
