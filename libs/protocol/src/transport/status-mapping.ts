import { status as Status } from '@grpc/grpc-js';
import { PeerweaveError, type ErrorCode } from '@peerweave/core';

/**
 * How our error codes cross the gRPC edge, both ways. Pure tables; the edges (server handlers,
 * client calls) apply them. Several of our codes share one gRPC status, so a round trip keeps the
 * class of failure (retry? give up? fix the request?), not always the exact code.
 */

/** The gRPC status a handler's PeerweaveError is sent as. */
export const GRPC_STATUS_BY_ERROR_CODE = {
  INVALID_ARGUMENT: Status.INVALID_ARGUMENT,
  INVALID_CONFIG: Status.FAILED_PRECONDITION,
  NOT_FOUND: Status.NOT_FOUND,
  ALREADY_EXISTS: Status.ALREADY_EXISTS,
  PAYLOAD_TOO_LARGE: Status.RESOURCE_EXHAUSTED,
  UNAVAILABLE: Status.UNAVAILABLE,
  DEADLINE_EXCEEDED: Status.DEADLINE_EXCEEDED,
  // An operation aborted by its caller is what gRPC calls CANCELLED; gRPC's ABORTED means a
  // concurrency conflict, which we do not signal this way.
  ABORTED: Status.CANCELLED,
  RESOURCE_EXHAUSTED: Status.RESOURCE_EXHAUSTED,
  PERMISSION_DENIED: Status.PERMISSION_DENIED,
  UNAUTHENTICATED: Status.UNAUTHENTICATED,
  FAILED_PRECONDITION: Status.FAILED_PRECONDITION,
  // Both are "try another peer or later": the retry semantics of UNAVAILABLE.
  NOT_READY: Status.UNAVAILABLE,
  SHUTTING_DOWN: Status.UNAVAILABLE,
  INTERNAL: Status.INTERNAL,
  INVALID_JSON: Status.INVALID_ARGUMENT,
  UNSUPPORTED_MEDIA_TYPE: Status.INVALID_ARGUMENT,
  METHOD_NOT_ALLOWED: Status.UNIMPLEMENTED,
  INVALID_CID: Status.INVALID_ARGUMENT,
  CORRUPT_BLOCK: Status.DATA_LOSS,
  INSUFFICIENT_REPLICAS: Status.UNAVAILABLE,
  RANGE_NOT_SATISFIABLE: Status.OUT_OF_RANGE,
  NOT_ACCEPTABLE: Status.INVALID_ARGUMENT,
  INVALID_QUERY: Status.INVALID_ARGUMENT,
} as const satisfies Record<ErrorCode, Status>;

/** The error code a client raises for a gRPC status other than OK. */
export const ERROR_CODE_BY_GRPC_STATUS = {
  [Status.OK]: 'INTERNAL', // never an error; listed so the table is total
  [Status.CANCELLED]: 'ABORTED',
  [Status.UNKNOWN]: 'INTERNAL',
  [Status.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [Status.DEADLINE_EXCEEDED]: 'DEADLINE_EXCEEDED',
  [Status.NOT_FOUND]: 'NOT_FOUND',
  [Status.ALREADY_EXISTS]: 'ALREADY_EXISTS',
  [Status.PERMISSION_DENIED]: 'PERMISSION_DENIED',
  [Status.RESOURCE_EXHAUSTED]: 'RESOURCE_EXHAUSTED',
  [Status.FAILED_PRECONDITION]: 'FAILED_PRECONDITION',
  [Status.ABORTED]: 'ABORTED',
  [Status.OUT_OF_RANGE]: 'INVALID_ARGUMENT',
  // The peer does not know the method: usually an older or newer protocol version.
  [Status.UNIMPLEMENTED]: 'METHOD_NOT_ALLOWED',
  [Status.INTERNAL]: 'INTERNAL',
  [Status.UNAVAILABLE]: 'UNAVAILABLE',
  // Only ever sent for a block whose bytes do not match its CID.
  [Status.DATA_LOSS]: 'CORRUPT_BLOCK',
  [Status.UNAUTHENTICATED]: 'UNAUTHENTICATED',
} as const satisfies Record<Status, ErrorCode>;

/** The message sent instead of any detail of an unexpected failure. */
export const INTERNAL_ERROR_MESSAGE = 'internal error';

export function grpcStatusForErrorCode(code: ErrorCode): Status {
  return GRPC_STATUS_BY_ERROR_CODE[code];
}

export function errorCodeForGrpcStatus(status: number): ErrorCode {
  return (ERROR_CODE_BY_GRPC_STATUS as Record<number, ErrorCode | undefined>)[status] ?? 'INTERNAL';
}

/** The name of a gRPC status (`DEADLINE_EXCEEDED`), for logs and error details. */
export function grpcStatusName(status: number): string {
  return (Status as unknown as Record<number, string | undefined>)[status] ?? `STATUS_${status}`;
}

/** The status a server sends for a handler's failure. */
export interface GrpcFailure {
  code: Status;
  details: string;
  /** True when `details` hides the real error, which the server must then log. */
  masked: boolean;
}

/**
 * The gRPC status for anything a handler threw: a PeerweaveError keeps its message (it was written
 * for the caller); anything else, and INTERNAL, becomes a generic message so that no stack,
 * path or secret leaks to a peer.
 */
export function grpcFailureForError(err: unknown): GrpcFailure {
  if (err instanceof PeerweaveError && err.code !== 'INTERNAL') {
    return { code: grpcStatusForErrorCode(err.code), details: err.message, masked: false };
  }
  const code = err instanceof PeerweaveError ? Status.INTERNAL : Status.UNKNOWN;
  return { code, details: INTERNAL_ERROR_MESSAGE, masked: true };
}

/** The PeerweaveError a client raises for a failed call. */
export function errorForGrpcStatus(
  failure: { code: number; details?: string },
  cause?: unknown,
): PeerweaveError {
  const grpcStatus = grpcStatusName(failure.code);
  const message = failure.details !== undefined && failure.details !== '' ? failure.details : grpcStatus;
  return new PeerweaveError(errorCodeForGrpcStatus(failure.code), message, {
    cause,
    details: { grpcStatus },
  });
}
