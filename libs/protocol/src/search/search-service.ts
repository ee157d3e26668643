import type { SearchServiceDefinition } from '../generated/peerweave/search/v1/SearchService.ts';
import { serviceBinding, serviceSpec, type ServiceBinding } from '../service-binding.ts';
import { SEARCH_CODECS, SEARCH_RPC_NAMES } from './search-codec.ts';
import type { SearchHandler, SearchMethod, SearchMethods } from './search-messages.ts';

export const SEARCH_SERVICE = serviceSpec<SearchMethod>('peerweave.search.v1.SearchService', 'peerweave/search/v1/search.proto', SEARCH_RPC_NAMES);
export const SEARCH_SERVICE_NAME = SEARCH_SERVICE.serviceName;

/**
 * The search service, ready for `GrpcServer.addService` beside routing ({@link serviceBinding}: an
 * empty query text is answered with INVALID_ARGUMENT; the handler's `peer` names the caller's
 * connection, for per-peer limits).
 */
export function searchServiceBinding(handler: SearchHandler): ServiceBinding {
  return serviceBinding<SearchMethods>(SEARCH_SERVICE, SEARCH_CODECS, handler);
}

/** The search service's definition, typed as generated. */
export function searchServiceDefinition(): SearchServiceDefinition {
  return SEARCH_SERVICE.definition() as unknown as SearchServiceDefinition;
}
