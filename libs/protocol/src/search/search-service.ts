import type { Server } from '@grpc/grpc-js';
import type { SearchServiceDefinition, SearchServiceHandlers } from '../generated/peerweave/search/v1/SearchService.ts';
import { peerMethodHandler } from '../method-binding.ts';
import type { SearchHandler } from '../peer-messages.ts';
import { loadProtocolPackage } from '../proto-packages.ts';
import type { BindingContext, ServiceBinding } from '../service-binding.ts';

export const SEARCH_SERVICE_NAME = 'peerweave.search.v1.SearchService';
export const SEARCH_PROTO_FILE = 'peerweave/search/v1/search.proto';

/** The loaded SearchService definition (from the proto root, with the shared loader options). */
export function searchServiceDefinition(): SearchServiceDefinition {
  return loadProtocolPackage(SEARCH_PROTO_FILE)[SEARCH_SERVICE_NAME] as unknown as SearchServiceDefinition;
}

/**
 * SearchService, ready for `GrpcServer.addService` beside PeerService. Every request is decoded
 * and validated before `handler` sees it (a malformed one, such as an empty query text, is answered
 * with INVALID_ARGUMENT); the handler's `signal` aborts when the caller cancels or its deadline
 * passes, and its `peer` names the caller's connection (for per-peer limits); a PeerweaveError it
 * throws reaches the caller with its code. A response the handler got wrong is logged and answered
 * with INTERNAL.
 */
export function searchServiceBinding(handler: SearchHandler): ServiceBinding {
  return {
    serviceName: SEARCH_SERVICE_NAME,
    packageDefinition: loadProtocolPackage(SEARCH_PROTO_FILE),
    addToServer(server: Server, { logger }: BindingContext): void {
      const handlers: SearchServiceHandlers = {
        Query: peerMethodHandler(SEARCH_SERVICE_NAME, 'query', handler, logger),
        Hits: peerMethodHandler(SEARCH_SERVICE_NAME, 'hits', handler, logger),
        Attach: peerMethodHandler(SEARCH_SERVICE_NAME, 'attach', handler, logger),
        Publish: peerMethodHandler(SEARCH_SERVICE_NAME, 'publish', handler, logger),
        SearchLoad: peerMethodHandler(SEARCH_SERVICE_NAME, 'searchLoad', handler, logger),
      };
      server.addService(searchServiceDefinition(), handlers);
    },
  };
}
