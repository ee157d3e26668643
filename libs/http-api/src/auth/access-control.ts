import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { PeerweaveError, scopeGrants, type ApiScope } from '@peerweave/core';
import { errorResponses } from '../schemas.ts';
import type { ApiTokens } from './api-tokens.ts';
import { DEFAULT_API_READ_MODE, bearerOf, neededScope, rateClass, routeAccess, type ApiReadMode, type RouteAccess } from './route-access.ts';

/** The OpenAPI security scheme the guarded routes declare (`components.securitySchemes`). */
export const BEARER_SCHEME = 'bearerToken';

/** What `WWW-Authenticate` says on a 401 (RFC 6750); the realm names no token. */
export const WWW_AUTHENTICATE = 'Bearer realm="peerweave"';

/**
 * Default budget of one client (one IP address; IPv6 by /64) for reads in one window: 1 000 a
 * second on average. Above what the benches send to one node (32 clients from one address spread
 * over 20 nodes: tens of requests a second per node) and what a browser or a script needs; below
 * what lets one client keep a node's event loop to itself. Behind NAT or a proxy every client
 * shares one address and one budget: raise it there, or set 0 to turn the limit off.
 */
export const DEFAULT_RATE_READS = 10_000;
/** Default budget for writes (uploads, deletes, admin changes): 200 a second, each write fans out to r replicas. */
export const DEFAULT_RATE_WRITES = 2_000;
/** The window both budgets count over; a client over budget waits for the window to end (Retry-After). */
export const DEFAULT_RATE_WINDOW_MS = 10_000;

export interface HttpRateLimits {
  /** Reads per client per window; 0 turns the limit off. Default {@link DEFAULT_RATE_READS}. */
  readsPerWindow?: number;
  /** Writes per client per window; 0 turns the limit off. Default {@link DEFAULT_RATE_WRITES}. */
  writesPerWindow?: number;
  /** Default {@link DEFAULT_RATE_WINDOW_MS}. */
  windowMs?: number;
}

export interface HttpAccessInit {
  /**
   * The tokens in force, asked on every guarded request (so a reloaded file applies at once);
   * undefined when none are configured: every route is then open, as before tokens existed.
   */
  tokens?: () => ApiTokens | undefined;
  /** Default {@link DEFAULT_API_READ_MODE}: reads need no token. */
  readMode?: ApiReadMode;
  rateLimits?: HttpRateLimits;
}

interface AccessConfig {
  access?: RouteAccess;
}

/**
 * Tokens and rate limits in front of every route, on the root instance before any route: an
 * `onRoute` hook gives each route its access (declared in `config.access`, else derived from the
 * method, see route-access.ts) and declares it in the OpenAPI document (security, 401/403/429);
 * an `onRequest` hook counts the request against its client's read or write budget first (so
 * guessing tokens is rate limited too), then checks the bearer token.
 */
export async function installAccessControl(app: FastifyInstance, init: HttpAccessInit): Promise<void> {
  const readMode = init.readMode ?? DEFAULT_API_READ_MODE;
  const windowMs = init.rateLimits?.windowMs ?? DEFAULT_RATE_WINDOW_MS;

  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as AccessConfig;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const accesses = methods.map((m) => routeAccess(m, config.access));
    const access = accesses.find((a) => a !== 'read' && a !== 'open') ?? accesses[0]!;
    route.config = { ...config, access } as RouteOptions['config'];
    document(route, access);
  });

  await app.register(rateLimit, { global: false });
  const limiter = (cls: 'read' | 'write', max: number) =>
    max === 0
      ? undefined
      : app.rateLimit({
          max,
          timeWindow: windowMs,
          errorResponseBuilder: (_request, context) =>
            new PeerweaveError(
              'RESOURCE_EXHAUSTED',
              `too many ${cls}s from this client: at most ${max} per ${windowMs / 1000} s; retry in ${context.after}`,
            ),
        });
  const limiters = {
    read: limiter('read', init.rateLimits?.readsPerWindow ?? DEFAULT_RATE_READS),
    write: limiter('write', init.rateLimits?.writesPerWindow ?? DEFAULT_RATE_WRITES),
  };

  app.addHook('onRequest', async (request, reply) => {
    const access = (request.routeOptions.config as AccessConfig).access;
    if (access === 'open') return;
    try {
      // Unmatched paths (404/405) count as reads: a scanner spends its read budget.
      const limit = limiters[rateClass(access ?? 'read')!];
      if (limit !== undefined) await limit.call(app, request, reply);
      if (access === undefined) return;
      const needed = neededScope(access, readMode);
      const tokens = needed === undefined ? undefined : init.tokens?.();
      if (needed !== undefined && tokens !== undefined) authorize(request, reply, tokens, needed);
    } catch (err) {
      // The body of a refused upload is not read: close rather than drain it.
      if (hasBody(request)) void reply.header('connection', 'close');
      throw err;
    }
  });
}

function authorize(request: FastifyRequest, reply: FastifyReply, tokens: ApiTokens, needed: ApiScope): void {
  const what = `${request.method} ${request.routeOptions.url ?? ''}`;
  const credential = bearerOf(request.headers.authorization);
  if (credential.kind !== 'token') {
    void reply.header('www-authenticate', WWW_AUTHENTICATE);
    throw new PeerweaveError(
      'UNAUTHENTICATED',
      credential.kind === 'missing'
        ? `${what} needs a bearer token with the ${needed} scope (Authorization: Bearer <token>)`
        : 'the Authorization header must be "Bearer <token>"',
    );
  }
  const check = tokens.check(credential.token);
  if (check.kind === 'invalid') {
    void reply.header('www-authenticate', `${WWW_AUTHENTICATE}, error="invalid_token"`);
    throw new PeerweaveError('UNAUTHENTICATED', 'the bearer token is not valid');
  }
  if (!scopeGrants(check.scopes, needed)) {
    void reply.header('www-authenticate', `${WWW_AUTHENTICATE}, error="insufficient_scope", scope="${needed}"`);
    throw new PeerweaveError('PERMISSION_DENIED', `the token lacks the ${needed} scope that ${what} needs`);
  }
  request.log.debug({ token: check.name, scope: needed }, 'authorized');
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The route's access in its OpenAPI operation: who may call it, and the refusals it may answer. */
function document(route: RouteOptions, access: RouteAccess): void {
  const schema = route.schema as (Record<string, unknown> & { hide?: boolean; response?: Record<string, unknown> }) | undefined;
  if (schema === undefined || schema.hide === true || access === 'open') return;
  // Reads: anonymous allowed (the empty requirement) unless the node runs with PEERWEAVE_API_READ=token.
  schema.security = access === 'read' ? [{}, { [BEARER_SCHEME]: ['read'] }] : [{ [BEARER_SCHEME]: [access] }];
  schema.response = { ...(schema.response ?? {}), ...errorResponses(401, 403, 429) };
}
