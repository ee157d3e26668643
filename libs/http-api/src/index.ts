export { build } from './http-api.ts';
export { peersRoutes, type PeersSource, type PeerRow } from './routes/peers-routes.ts';
export { DEFAULT_BODY_LIMIT, type HttpApiInit, type MetricsSource, type Readiness } from './http-api-init.ts';
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
