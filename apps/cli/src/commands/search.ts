import type { CommandContext } from '../command-context.ts';
import { ServerError } from '../errors.ts';
import { formatBytes, formatTable } from '../format.ts';

/** One hit, as far as the CLI relies on it; the search layer may add fields. */
interface SearchHit {
  cid?: string;
  name?: string;
  size?: number;
  score?: number;
}

export interface SearchCommandOptions {
  ttl?: string;
  limit?: string;
  mode?: string;
}

/**
 * `peerweave search WORDS...` → GET /v1/search?q=. Nodes without the search layer answer 404
 * NOT_FOUND for the route: that is said plainly rather than as "not found".
 */
export async function searchCommand(ctx: CommandContext, words: readonly string[], options: SearchCommandOptions = {}): Promise<void> {
  const client = await ctx.client();
  const q = new URLSearchParams({ q: words.join(' ') });
  // Passed through as given: the node validates them and answers bad values with a code.
  if (options.ttl !== undefined) q.set('ttl', options.ttl);
  if (options.limit !== undefined) q.set('limit', options.limit);
  if (options.mode !== undefined) q.set('mode', options.mode);
  let body: unknown;
  try {
    body = await client.json<unknown>('GET', `/v1/search?${q}`, { signal: ctx.signal });
  } catch (err) {
    if (err instanceof ServerError && err.status === 404) {
      throw new ServerError(err.status, err.code, 'search is not available on this node');
    }
    throw err;
  }
  if (ctx.globals.json) {
    ctx.json(body);
    return;
  }
  const hits = hitsOf(body);
  if (hits === undefined) {
    ctx.out(JSON.stringify(body, null, 2));
    return;
  }
  if (hits.length === 0) {
    ctx.info(`no results for "${words.join(' ')}"`);
    return;
  }
  ctx.out(
    formatTable(hits, [
      { header: 'CID', value: (h) => h.cid ?? '' },
      { header: 'NAME', value: (h) => h.name ?? '' },
      { header: 'SIZE', value: (h) => (typeof h.size === 'number' ? formatBytes(h.size) : ''), right: true },
      { header: 'SCORE', value: (h) => (typeof h.score === 'number' ? formatScore(h.score) : ''), right: true },
    ]),
  );
  const meta = body as { responders?: unknown; mode?: unknown; tookMs?: unknown; partial?: unknown };
  if (typeof meta.responders === 'number' && typeof meta.mode === 'string' && typeof meta.tookMs === 'number') {
    const n = hits.length;
    ctx.info(
      `${n} result${n === 1 ? '' : 's'} from ${meta.responders} node${meta.responders === 1 ? '' : 's'} by ${meta.mode} in ${meta.tookMs} ms${meta.partial === true ? ' (partial: the deadline passed)' : ''}`,
    );
  }
}

/** `{results: [...]}`, `{hits: [...]}` or a bare array; undefined for anything else. */
function hitsOf(body: unknown): SearchHit[] | undefined {
  if (Array.isArray(body)) return body as SearchHit[];
  if (body !== null && typeof body === 'object') {
    const b = body as { results?: unknown; hits?: unknown };
    if (Array.isArray(b.results)) return b.results as SearchHit[];
    if (Array.isArray(b.hits)) return b.hits as SearchHit[];
  }
  return undefined;
}

/** bm25 scores span orders of magnitude (tiny in a small index): three significant digits. */
function formatScore(score: number): string {
  return Number(score.toPrecision(3)).toString();
}
