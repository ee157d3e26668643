/**
 * Typed errors with stable codes. Every failure that crosses a boundary (HTTP, gRPC, CLI, process
 * exit) is one of these; the edges translate `code`, never `message`, so tests assert on codes.
 *
 * Only append to ERROR_CODES: codes are part of the public API.
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'INVALID_CONFIG',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PAYLOAD_TOO_LARGE',
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'ABORTED',
  'RESOURCE_EXHAUSTED',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
  'FAILED_PRECONDITION',
  'NOT_READY',
  'SHUTTING_DOWN',
  'INTERNAL',
  'INVALID_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'METHOD_NOT_ALLOWED',
  // Content (storage, replication, gateway).
  'INVALID_CID',
  'CORRUPT_BLOCK',
  'INSUFFICIENT_REPLICAS',
  'RANGE_NOT_SATISFIABLE',
  'NOT_ACCEPTABLE',
  // Search.
  'INVALID_QUERY',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface PeerweaveErrorOptions {
  cause?: unknown;
  /** Extra structured context, safe to show to a client. */
  details?: Record<string, unknown>;
}

export class PeerweaveError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: PeerweaveErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PeerweaveError';
    this.code = code;
    this.details = options.details;
  }
}

function defineError(name: string, code: ErrorCode) {
  const cls = class extends PeerweaveError {
    static readonly code: ErrorCode = code;
    constructor(message: string, options?: PeerweaveErrorOptions) {
      super(code, message, options);
      this.name = name;
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

export const InvalidArgumentError = defineError('InvalidArgumentError', 'INVALID_ARGUMENT');
export const ConfigError = defineError('ConfigError', 'INVALID_CONFIG');
export const NotFoundError = defineError('NotFoundError', 'NOT_FOUND');
export const PayloadTooLargeError = defineError('PayloadTooLargeError', 'PAYLOAD_TOO_LARGE');
export const UnavailableError = defineError('UnavailableError', 'UNAVAILABLE');
export const DeadlineExceededError = defineError('DeadlineExceededError', 'DEADLINE_EXCEEDED');
export const AbortError = defineError('AbortError', 'ABORTED');
export const ResourceExhaustedError = defineError('ResourceExhaustedError', 'RESOURCE_EXHAUSTED');
export const NotReadyError = defineError('NotReadyError', 'NOT_READY');
export const ShuttingDownError = defineError('ShuttingDownError', 'SHUTTING_DOWN');
export const InternalError = defineError('InternalError', 'INTERNAL');
/** A string that is not a CID (or not one of the codecs we store: raw and dag-pb, SHA-256). */
export const InvalidCidError = defineError('InvalidCidError', 'INVALID_CID');
/** Bytes whose hash does not match the CID they came with; never stored or served. */
export const CorruptBlockError = defineError('CorruptBlockError', 'CORRUPT_BLOCK');
/** A write reached fewer than w of its r replica nodes: not acknowledged, safe to retry. */
export const InsufficientReplicasError = defineError('InsufficientReplicasError', 'INSUFFICIENT_REPLICAS');
/** A byte range that lies outside the object. */
export const RangeNotSatisfiableError = defineError('RangeNotSatisfiableError', 'RANGE_NOT_SATISFIABLE');
/** An `Accept` header that asks for a representation this route cannot give. */
export const NotAcceptableError = defineError('NotAcceptableError', 'NOT_ACCEPTABLE');
/**
 * Search text we cannot turn into a query (empty, too long, an unbalanced quote, only operators).
 * Its own code rather than INVALID_ARGUMENT so a client can show "fix your query" next to the box.
 */
export const InvalidQueryError = defineError('InvalidQueryError', 'INVALID_QUERY');

export function isPeerweaveError(err: unknown): err is PeerweaveError {
  return err instanceof PeerweaveError;
}

/** The code of any thrown value; unknown errors are INTERNAL. */
export function errorCode(err: unknown): ErrorCode {
  return isPeerweaveError(err) ? err.code : 'INTERNAL';
}
