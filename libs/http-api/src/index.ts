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
export {
  installAccessControl,
  BEARER_SCHEME,
  DEFAULT_RATE_READS,
  DEFAULT_RATE_WRITES,
  DEFAULT_RATE_WINDOW_MS,
  type HttpAccessInit,
  type HttpRateLimits,
} from './auth/access-control.ts';
export { ApiTokens, API_TOKENS_VARIABLE, type TokenCheck } from './auth/api-tokens.ts';
export { ApiTokensFile, DEFAULT_TOKENS_POLL_MS, type ApiTokensFileInit } from './auth/api-tokens-file.ts';
export { API_READ_MODES, DEFAULT_API_READ_MODE, type ApiReadMode, type RouteAccess } from './auth/route-access.ts';
export {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_KEEPALIVE_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type HttpTimeouts,
} from './server-timeouts.ts';
