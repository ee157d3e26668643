import type { ErrorCode } from '@peerweave/core';

/**
 * The HTTP status of every core error code. A `Record` over all codes, so a code appended to core
 * fails the type check here until it is given a status. Statuses follow Google's API mapping of
 * the gRPC codes, so the two edges agree.
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_JSON: 400,
  FAILED_PRECONDITION: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  ALREADY_EXISTS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RESOURCE_EXHAUSTED: 429,
  // The client went away or cancelled; nginx's and grpc-gateway's "client closed request".
  ABORTED: 499,
  INTERNAL: 500,
  // A bad configuration is the operator's fault, not the client's.
  INVALID_CONFIG: 500,
  UNAVAILABLE: 503,
  NOT_READY: 503,
  SHUTTING_DOWN: 503,
  DEADLINE_EXCEEDED: 504,
  INVALID_CID: 400,
  // The client (or a peer) sent bytes that do not hash to their CID.
  CORRUPT_BLOCK: 400,
  // Cassandra's UnavailableException: not enough replicas now; retrying later may succeed.
  INSUFFICIENT_REPLICAS: 503,
  RANGE_NOT_SATISFIABLE: 416,
  NOT_ACCEPTABLE: 406,
  INVALID_QUERY: 400,
};

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS_BY_CODE[code];
}

/**
 * The code of an error that carries only an HTTP status (Fastify's own errors, or a plugin's
 * `http-errors`). 5xx statuses other than 503 and 504 are INTERNAL.
 */
export function codeOfHttpStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 405:
      return 'METHOD_NOT_ALLOWED';
    case 408:
    case 504:
      return 'DEADLINE_EXCEEDED';
    case 409:
      return 'ALREADY_EXISTS';
    case 412:
      return 'FAILED_PRECONDITION';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 503:
      return 'UNAVAILABLE';
    default:
      return status >= 400 && status < 500 ? 'INVALID_ARGUMENT' : 'INTERNAL';
  }
}

/** Fastify's own error codes that mean something more precise than their HTTP status. */
export const FASTIFY_ERROR_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_ARGUMENT',
  FST_ERR_VALIDATION: 'INVALID_ARGUMENT',
  FST_ERR_BAD_URL: 'INVALID_ARGUMENT',
  FST_ERR_MAX_PARAM_LENGTH: 'INVALID_ARGUMENT',
  FST_ERR_NOT_FOUND: 'NOT_FOUND',
  FST_ERR_HANDLER_TIMEOUT: 'UNAVAILABLE',
};
