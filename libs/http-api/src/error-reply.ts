import { PeerweaveError, type ErrorCode } from '@peerweave/core';
import { FASTIFY_ERROR_CODES, codeOfHttpStatus, httpStatusOf } from './error-catalogue.ts';

/** The body of every error response. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Structured context from a PeerweaveError's `details`, which its author declared client-safe. */
  details?: Record<string, unknown>;
}

export interface ErrorReply {
  status: number;
  body: ErrorBody;
  /** True when the body hides the real error, which must then be logged. */
  masked: boolean;
}

/** What the request tells us, to make messages useful. */
export interface ErrorContext {
  method: string;
  path: string;
  contentType?: string | undefined;
  bodyLimit?: number | undefined;
}

/** One ajv error, as Fastify attaches them to a validation error. */
export interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string | undefined;
  params: Record<string, unknown>;
}

interface HttpishError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  validation?: unknown;
  validationContext?: unknown;
}

const MASKED: ErrorReply = { status: 500, body: { code: 'INTERNAL', message: 'internal error' }, masked: true };

/**
 * Turns anything thrown while handling a request into the status and `{ code, message }` body
 * sent back. Only messages meant for clients pass through: a PeerweaveError's (unless it is a
 * 500), Fastify's and plugins' 4xx errors (rewritten where ours say more). Everything else is
 * `500 INTERNAL "internal error"` and `masked`, so the caller logs the real error.
 */
export function toErrorReply(err: unknown, ctx: ErrorContext): ErrorReply {
  if (err instanceof PeerweaveError) {
    const status = httpStatusOf(err.code);
    if (status === 500) return MASKED;
    const body: ErrorBody = { code: err.code, message: err.message };
    if (err.details !== undefined) body.details = err.details;
    return { status, body, masked: false };
  }
  if (typeof err !== 'object' || err === null) return MASKED;

  const e = err as HttpishError;
  const fastifyCode = typeof e.code === 'string' ? FASTIFY_ERROR_CODES[e.code] : undefined;
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (fastifyCode === undefined && (statusCode === undefined || statusCode < 400 || statusCode >= 500)) {
    if (statusCode === 503) return { status: 503, body: { code: 'UNAVAILABLE', message: 'service unavailable' }, masked: true };
    return MASKED;
  }
  const code = fastifyCode ?? codeOfHttpStatus(statusCode!);
  const status = statusCode !== undefined && statusCode >= 400 ? statusCode : httpStatusOf(code);
  const message = messageFor(code, e, ctx);
  return { status, body: { code, message }, masked: false };
}

function messageFor(code: ErrorCode, e: HttpishError, ctx: ErrorContext): string {
  switch (code) {
    case 'INVALID_JSON':
      return e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
        ? 'request body is empty but content-type is application/json'
        : 'request body is not valid JSON';
    case 'PAYLOAD_TOO_LARGE':
      return ctx.bodyLimit === undefined
        ? 'request body is too large'
        : `request body is larger than the limit of ${ctx.bodyLimit} bytes`;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return `content-type ${ctx.contentType === undefined ? '(none)' : JSON.stringify(truncate(ctx.contentType, 100))} is not supported by ${ctx.method} ${truncate(ctx.path, 200)}`;
    case 'NOT_FOUND':
      if (e.code === 'FST_ERR_NOT_FOUND') return routeNotFoundMessage(ctx.method, ctx.path);
      break;
    case 'INVALID_ARGUMENT':
      if (Array.isArray(e.validation) && e.validation.length > 0) {
        return describeValidation(
          typeof e.validationContext === 'string' ? e.validationContext : 'request',
          e.validation as ValidationIssue[],
        );
      }
      break;
    default:
      break;
  }
  return typeof e.message === 'string' && e.message !== '' ? e.message : code.toLowerCase().replaceAll('_', ' ');
}

export function routeNotFoundMessage(method: string, path: string): string {
  return `no route for ${method} ${truncate(path, 200)}`;
}

/**
 * One sentence naming the field that failed, e.g. `body.level must be one of fatal, error, …`.
 * Only the first problem is described: the client fixes it and tries again.
 */
export function describeValidation(context: string, issues: readonly ValidationIssue[]): string {
  // anyOf/oneOf only say "no branch matched"; the branch errors before them say why.
  const issue = issues.find((i) => i.keyword !== 'anyOf' && i.keyword !== 'oneOf') ?? issues[0];
  if (issue === undefined) return `${context} is invalid`;
  const field = context + pointerToDots(issue.instancePath);
  const p = issue.params;
  switch (issue.keyword) {
    case 'required':
      return `${field}.${String(p.missingProperty)} is required`;
    case 'additionalProperties':
      return `${field}.${String(p.additionalProperty)} is not allowed`;
    case 'enum':
      return `${field} must be one of ${(p.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const': {
      const allowed = issues
        .filter((i) => i.keyword === 'const' && i.instancePath === issue.instancePath)
        .map((i) => String(i.params.allowedValue));
      return allowed.length > 1 ? `${field} must be one of ${allowed.join(', ')}` : `${field} must be ${allowed[0]}`;
    }
    default:
      return `${field} ${issue.message ?? 'is invalid'}`;
  }
}

/** `/items/0/name` → `.items.0.name` (JSON pointer escapes undone). */
function pointerToDots(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .split('/')
    .slice(1)
    .map((s) => '.' + s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('');
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}
