import type { QueryOf, SearchAnswer, SearchMode } from '../api-types.ts';
import type { CommandContext } from '../command-context.ts';
import { ServerError } from '../errors.ts';
import { formatBytes, formatTable } from '../format.ts';

export interface SearchCommandOptions {
  ttl?: number;
  limit?: number;
  mode?: SearchMode;
}

/** The modes `--mode` offers: those the API accepts (checked against its type). */
export const SEARCH_MODES = ['auto', 'supernode', 'flood'] as const satisfies readonly SearchMode[];

/**
 * `peerweave search WORDS...` → GET /v1/search?q=. Nodes without the search layer answer 404
 * NOT_FOUND for the route: that is said plainly rather than as "not found".
 */
export async function searchCommand(ctx: CommandContext, words: readonly string[], options: SearchCommandOptions = {}): Promise<void> {
  const client = await ctx.client();
  // The node checks the ranges (ttl at most 7, …) and answers a bad value with a code.
  const query: QueryOf<'/v1/search', 'get'> = { q: words.join(' '), ttl: options.ttl, limit: options.limit, mode: options.mode };
  let body: SearchAnswer;
  try {
    body = await client.json('get', '/v1/search', { query, signal: ctx.signal });
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
  const hits = body.hits;
  if (hits.length === 0) {
    ctx.info(`no results for "${words.join(' ')}"`);
    return;
  }
  ctx.out(
    formatTable(hits, [
      { header: 'CID', value: (h) => h.cid },
      { header: 'NAME', value: (h) => h.name },
      { header: 'SIZE', value: (h) => formatBytes(h.size), right: true },
      { header: 'SCORE', value: (h) => formatScore(h.score), right: true },
    ]),
  );
  const n = hits.length;
  ctx.info(
    `${n} result${n === 1 ? '' : 's'} from ${body.responders} node${body.responders === 1 ? '' : 's'} by ${body.mode} in ${body.tookMs} ms${body.partial ? ' (partial: the deadline passed)' : ''}`,
  );
}

/** bm25 scores span orders of magnitude (tiny in a small index): three significant digits. */
function formatScore(score: number): string {
  return Number(score.toPrecision(3)).toString();
}
