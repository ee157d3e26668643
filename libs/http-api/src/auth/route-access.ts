import type { ApiScope } from '@peerweave/core';

/**
 * What a route asks of a client: `open` (never a token, never rate limited: probes and scrapes),
 * or the scope a token must grant when tokens are in force. Routes declare it in
 * `config: { access }`; without a declaration GET/HEAD/OPTIONS are `read` and every other method
 * `write`, so a mutating route added later is guarded unless it says otherwise.
 */
export type RouteAccess = 'open' | ApiScope;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (auth/route-access.ts); default from the method. */
    access?: RouteAccess;
  }
}

/** `open`: reads need no token (a public gateway). `token`: reads need the `read` scope. */
export const API_READ_MODES = ['open', 'token'] as const;
export type ApiReadMode = (typeof API_READ_MODES)[number];

export const DEFAULT_API_READ_MODE: ApiReadMode = 'open';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function routeAccess(method: string, declared: RouteAccess | undefined): RouteAccess {
  if (declared !== undefined) return declared;
  return READ_METHODS.has(method.toUpperCase()) ? 'read' : 'write';
}

/** The scope a request needs under the read mode, or undefined when it needs no token. */
export function neededScope(access: RouteAccess, readMode: ApiReadMode): ApiScope | undefined {
  if (access === 'open') return undefined;
  if (access === 'read') return readMode === 'token' ? 'read' : undefined;
  return access;
}

/** The rate-limit class of a route: writes have the stricter budget, open routes none. */
export function rateClass(access: RouteAccess): 'read' | 'write' | undefined {
  if (access === 'open') return undefined;
  return access === 'read' ? 'read' : 'write';
}

/** A bearer token from an `Authorization` header: missing, malformed, or the token. */
export type BearerCredential = { kind: 'missing' } | { kind: 'malformed' } | { kind: 'token'; token: string };

export function bearerOf(header: string | string[] | undefined): BearerCredential {
  if (header === undefined || header === '') return { kind: 'missing' };
  if (Array.isArray(header)) return { kind: 'malformed' };
  const m = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header);
  return m === null ? { kind: 'malformed' } : { kind: 'token', token: m[1]! };
}

