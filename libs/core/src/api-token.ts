import { createHash, randomBytes } from 'node:crypto';

/**
 * Bearer tokens of the HTTP API: the format the CLI makes (`peerweave token create`), the setup
 * script writes and the node checks. Shared by the node and the client, hence here.
 *
 * A token is `pw_` + 43 base64url characters (32 random bytes). A node keeps only the SHA-256 of a
 * token (64 lowercase hex digits of the hash of its UTF-8), with a name and its scopes, in the
 * tokens file (`PEERWEAVE_API_TOKENS_FILE`): `{"tokens":[{"name","sha256","scopes"}]}`.
 */

/** Only append: scopes are written into operators' token files. */
export const API_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** A token's own bytes: 32 random bytes, 43 base64url characters without padding. */
export const API_TOKEN_RANDOM_BYTES = 32;
export const API_TOKEN_PREFIX = 'pw_';
/** What a well-formed token looks like; anything else is refused before it is hashed. */
export const API_TOKEN_PATTERN = /^pw_[A-Za-z0-9_-]{43}$/;
export const API_TOKEN_SHA256_PATTERN = /^[0-9a-f]{64}$/;

/** One line of the tokens file. */
export interface ApiTokenEntry {
  name: string;
  /** SHA-256 of the token's UTF-8, 64 lowercase hex digits. */
  sha256: string;
  scopes: ApiScope[];
}

/** A fresh token from the OS's CSPRNG. Print it once; store only {@link apiTokenSha256} of it. */
export function createApiToken(): string {
  return API_TOKEN_PREFIX + randomBytes(API_TOKEN_RANDOM_BYTES).toString('base64url');
}

export function apiTokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** `admin` implies `write` implies `read`: does a holder of `held` have `needed`? */
export function scopeGrants(held: readonly ApiScope[], needed: ApiScope): boolean {
  const rank = API_SCOPES.indexOf(needed);
  return held.some((s) => API_SCOPES.indexOf(s) >= rank);
}

export function isApiScope(value: unknown): value is ApiScope {
  return typeof value === 'string' && (API_SCOPES as readonly string[]).includes(value);
}
