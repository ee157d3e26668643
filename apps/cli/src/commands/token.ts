import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { API_SCOPES, apiTokenSha256, createApiToken, isApiScope, type ApiScope, type ApiTokenEntry } from '@peerweave/core';
import type { CommandContext } from '../command-context.ts';
import { UsageError, localFileError } from '../errors.ts';

export const DEFAULT_TOKEN_SCOPES = 'write';
export const DEFAULT_TOKEN_NAME = 'cli';

export interface TokenCreateOptions {
  scopes: string;
  name: string;
  /** A tokens file to add the entry to (created when missing, else rewritten in place), instead of pasting it by hand. */
  addTo?: string;
}

/**
 * `peerweave token create [--scopes write,admin] [--name NAME] [--add-to FILE]`: a new bearer token
 * for the HTTP API. The token is printed once and kept nowhere; the node keeps only its SHA-256,
 * in the entry printed after it (or added to FILE), which goes into the node's
 * PEERWEAVE_API_TOKENS_FILE. Nodes re-read that file when it changes.
 */
export async function tokenCreateCommand(ctx: CommandContext, options: TokenCreateOptions): Promise<void> {
  const scopes = parseScopes(options.scopes);
  const name = options.name.trim();
  if (name === '' || name.length > 100) throw new UsageError('--name must be 1 to 100 characters');
  const token = createApiToken();
  const entry: ApiTokenEntry = { name, sha256: apiTokenSha256(token), scopes };
  let file: string | undefined;
  if (options.addTo !== undefined) {
    file = resolve(ctx.io.cwd, options.addTo);
    await addEntry(file, entry);
  }
  if (ctx.globals.json) {
    ctx.json({ token, entry, ...(file === undefined ? {} : { file }) });
    return;
  }
  ctx.out(token);
  ctx.out(JSON.stringify(entry));
  ctx.info(
    file === undefined
      ? 'The token (first line) is shown only now: keep it secret (pass it as --token or PEERWEAVE_TOKEN). Add the entry (second line) to the "tokens" array of the node\'s PEERWEAVE_API_TOKENS_FILE; nodes re-read the file within seconds.'
      : `The token (first line) is shown only now: keep it secret (pass it as --token or PEERWEAVE_TOKEN). Its entry is in ${file}; nodes re-read the file within seconds.`,
  );
}

export function parseScopes(list: string): ApiScope[] {
  const scopes = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (scopes.length === 0) throw new UsageError(`--scopes needs at least one of ${API_SCOPES.join(', ')}`);
  for (const s of scopes) if (!isApiScope(s)) throw new UsageError(`--scopes: unknown scope "${s}" (expected ${API_SCOPES.join(', ')}; admin implies write implies read)`);
  return [...new Set(scopes as ApiScope[])];
}

/**
 * Adds the entry to a tokens file, rewritten in place with one write: Compose mounts the file into
 * the nodes by bind mount, which keeps showing the old file if it is replaced by a rename. A node
 * that reads it in the middle of the write finds it malformed, keeps the tokens it has, and takes
 * the whole file at its next look (its size and mtime changed again).
 */
async function addEntry(file: string, entry: ApiTokenEntry): Promise<void> {
  let doc: { tokens: unknown[] } = { tokens: [] };
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw localFileError(err, file, 'read');
  }
  if (text !== undefined) {
    try {
      doc = JSON.parse(text) as { tokens: unknown[] };
    } catch {
      throw new UsageError(`${file} is not a tokens file (not JSON); fix it or pick another --add-to`);
    }
    if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.tokens)) throw new UsageError(`${file} is not a tokens file (expected {"tokens": [...]})`);
    if (doc.tokens.some((t) => (t as { name?: unknown }).name === entry.name)) {
      throw new UsageError(`${file} already has a token named "${entry.name}": pick another --name (remove the old entry to revoke it)`);
    }
  }
  doc.tokens.push(entry);
  try {
    await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o644 });
  } catch (err) {
    throw localFileError(err, file, 'write');
  }
}
