import { timingSafeEqual } from 'node:crypto';
import {
  API_SCOPES,
  API_TOKEN_PATTERN,
  API_TOKEN_SHA256_PATTERN,
  ConfigError,
  apiTokenSha256,
  isApiScope,
  type ApiScope,
  type ApiTokenEntry,
} from '@peerweave/core';

/** The variable that names the tokens file; every ConfigError about the file names it. */
export const API_TOKENS_VARIABLE = 'PEERWEAVE_API_TOKENS_FILE';

/** Most tokens one file may list: lookups compare against every one, so the set stays small. */
export const MAX_API_TOKENS = 1_000;

const MAX_NAME_LENGTH = 100;

/** What a presented bearer token turned out to be. */
export type TokenCheck = { kind: 'valid'; name: string; scopes: readonly ApiScope[] } | { kind: 'invalid' };

/**
 * The tokens a node accepts, as SHA-256 hashes with scopes (never the tokens themselves).
 *
 * {@link check} hashes the presented token once and compares it with every entry in constant time,
 * without stopping at a match, so the time it takes does not depend on which entry (if any)
 * matched: a known token with the wrong scope costs what an unknown one does.
 */
export class ApiTokens {
  readonly #hashes: Buffer[];
  readonly #entries: readonly ApiTokenEntry[];

  private constructor(entries: readonly ApiTokenEntry[]) {
    this.#entries = entries;
    this.#hashes = entries.map((e) => Buffer.from(e.sha256, 'hex'));
  }

  /** Parses the tokens file's text; `source` (its path) goes into the error messages. */
  static parse(text: string, source: string): ApiTokens {
    const fail = (why: string): never => {
      throw new ConfigError(`${API_TOKENS_VARIABLE}=${source} is invalid: ${why}`, { details: { variable: API_TOKENS_VARIABLE } });
    };
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      return fail(`not JSON (${(err as Error).message})`);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail('expected an object {"tokens": [...]}');
    const list = (doc as { tokens?: unknown }).tokens;
    if (!Array.isArray(list)) return fail('expected "tokens" to be an array');
    if (list.length > MAX_API_TOKENS) return fail(`more than ${MAX_API_TOKENS} tokens`);
    const seen = new Set<string>();
    const entries: ApiTokenEntry[] = list.map((raw: unknown, i): ApiTokenEntry => {
      const at = `tokens[${i}]`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(`${at} must be an object`);
      const { name, sha256, scopes, ...rest } = raw as Record<string, unknown>;
      const unknownKey = Object.keys(rest)[0];
      if (unknownKey !== undefined) return fail(`${at}.${unknownKey} is not allowed (expected name, sha256, scopes)`);
      if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
        return fail(`${at}.name must be a string of 1 to ${MAX_NAME_LENGTH} characters`);
      }
      if (typeof sha256 !== 'string' || !API_TOKEN_SHA256_PATTERN.test(sha256)) {
        return fail(`${at}.sha256 must be 64 lowercase hex digits (the SHA-256 of the token)`);
      }
      if (seen.has(sha256)) return fail(`${at}.sha256 repeats an earlier entry's`);
      seen.add(sha256);
      if (!Array.isArray(scopes) || scopes.length === 0) return fail(`${at}.scopes must be a non-empty array of ${API_SCOPES.join(', ')}`);
      for (const s of scopes) if (!isApiScope(s)) return fail(`${at}.scopes: unknown scope ${JSON.stringify(s)} (expected ${API_SCOPES.join(', ')})`);
      return { name, sha256, scopes: [...new Set(scopes as ApiScope[])] };
    });
    return new ApiTokens(entries);
  }

  static of(entries: readonly ApiTokenEntry[]): ApiTokens {
    return ApiTokens.parse(JSON.stringify({ tokens: entries }), '(inline)');
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The entry of a presented token, or invalid (malformed, or no entry has its hash). */
  check(token: string): TokenCheck {
    // A malformed token is refused without hashing: its shape says nothing about the entries.
    if (!API_TOKEN_PATTERN.test(token)) return { kind: 'invalid' };
    const presented = Buffer.from(apiTokenSha256(token), 'hex');
    let found = -1;
    for (let i = 0; i < this.#hashes.length; i++) {
      // Every entry is compared; `found` is only assigned, never branched on, inside the loop.
      const equal = timingSafeEqual(presented, this.#hashes[i]!);
      found = equal ? i : found;
    }
    const entry = this.#entries[found];
    return entry === undefined ? { kind: 'invalid' } : { kind: 'valid', name: entry.name, scopes: entry.scopes };
  }
}
