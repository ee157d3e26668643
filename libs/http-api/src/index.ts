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
export { gatewayRoutes, CAR_CONTENT_TYPE } from './routes/gateway-routes.ts';
export { contentSource } from './content-routes-init.ts';
export type { ByteRange, ContentRoutesInit, ObjectInfo, ObjectStore, PutOutcome, UploadMeta } from './content-routes-init.ts';
export { parseRange } from './byte-range.ts';
export { negotiateGatewayFormat, type GatewayFormat } from './media-negotiation.ts';
export { ObjectInfoSchema } from './content-schemas.ts';
export { DEFAULT_BODY_LIMIT, type HttpApiInit, type MetricsSource, type Readiness } from './http-api-init.ts';
export type { OpenApiDocument } from './routes/openapi-routes.ts';
export {
  BODY_ERROR_STATUSES,
  COMMON_ERROR_STATUSES,
  ErrorBodySchema,
  NodeStatusSchema,
  errorResponses,
  type NodeStatus,
} from './schemas.ts';
export { FASTIFY_ERROR_CODES, HTTP_STATUS_BY_CODE, codeOfHttpStatus, httpStatusOf } from './error-catalogue.ts';
export { describeValidation, toErrorReply, type ErrorBody, type ErrorContext, type ErrorReply } from './error-reply.ts';
