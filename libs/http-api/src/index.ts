export { build } from './http-api.ts';
export { buildNodeApi, generateOpenApiDocument, type NodeApiInit } from './node-api.ts';
export { peersRoutes, type PeersSource, type PeerRow } from './routes/peers-routes.ts';
export { contentRoutes } from './routes/content-routes.ts';
export { replicasRoutes, type ReplicasSource, type ReplicasView, type ProvidersView, type ProviderRecords } from './routes/replicas-routes.ts';
export {
  searchRoutes,
  type SearchSource,
  type SearchView,
  type SearchStatusView,
  type SearchParams,
  type SearchOutcome,
  type SearchRequestOptions,
} from './routes/search-routes.ts';
export { gatewayRoutes } from './routes/gateway-routes.ts';
export { contentSource } from './content-routes-init.ts';
export type { ByteRange, ContentRoutesInit, ObjectInfo, ObjectStore, PutOutcome, UploadMeta } from './content-routes-init.ts';
export { DEFAULT_BODY_LIMIT, type HttpApiInit, type MetricsSource, type Readiness } from './http-api-init.ts';
export type { OpenApiDocument } from './routes/openapi-routes.ts';
// For routes added by another lib (README "Adding routes from another lib").
export { BODY_ERROR_STATUSES, COMMON_ERROR_STATUSES, errorResponses } from './schemas.ts';
