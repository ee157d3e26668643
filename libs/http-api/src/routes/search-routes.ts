import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from 'typebox';
import { clientSignal } from '../client-signal.ts';
import { COMMON_ERROR_STATUSES, errorResponses } from '../schemas.ts';

const HexId = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Node id: 64 lower-case hex digits' });
const Mode = Type.Union([Type.Literal('flood'), Type.Literal('supernode')]);

const SearchQuerySchema = Type.Object(
  {
    q: Type.String({ description: 'Words (AND), `word*` prefixes, `"a phrase"`, `OR`, `-word`; 1 to 256 characters' }),
    ttl: Type.Optional(Type.Integer({ minimum: 0, description: 'Hops a flooded query travels (default 4); above 7 it is cut to 7' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'Distinct objects wanted (default 50)' })),
    mode: Type.Optional(
      Type.Union([Type.Literal('auto'), Mode], {
        description: '`auto` (default): through a supernode when attached to one, else (or if it fails) flooding',
      }),
    ),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 30_000, description: 'Deadline (default 5000): what arrived by then is returned, marked partial' })),
  },
  { additionalProperties: false },
);

const HitSchema = Type.Object(
  {
    cid: Type.String(),
    name: Type.String(),
    size: Type.Integer(),
    contentType: Type.String(),
    keywords: Type.Array(Type.String()),
    score: Type.Number({ description: 'Relevance (negated bm25 of the best answer): higher is better' }),
    holders: Type.Array(HexId, { description: 'Nodes that hold its record' }),
    responders: Type.Array(HexId, { description: 'Nodes whose answers listed it (a supernode answers for its leaves)' }),
  },
  { additionalProperties: false },
);

const SearchResultSchema = Type.Object(
  {
    query: Type.String(),
    mode: Mode,
    partial: Type.Boolean({ description: 'The deadline ended the search while answers could still come' }),
    hits: Type.Array(HitSchema),
    responders: Type.Integer({ description: 'Nodes that answered with hits' }),
    messages: Type.Integer({ description: 'Query messages this node sent plus hit messages it received' }),
    tookMs: Type.Integer(),
  },
  { additionalProperties: false },
);

const Contact = Type.Object({ id: HexId, address: Type.String() }, { additionalProperties: false });

const SearchStatusSchema = Type.Object(
  {
    role: Type.String(),
    indexEntries: Type.Integer({ description: 'Records in this node\'s own index' }),
    attachedTo: Type.Array(Contact, { description: 'Supernodes this node is attached to (a leaf)' }),
    knownSupernodes: Type.Array(Contact),
    leaves: Type.Integer({ description: 'Leaves attached to this node (a supernode)' }),
    leafEntries: Type.Integer({ description: 'Entries in the index of its leaves (a supernode)' }),
    overlay: Type.Array(Contact, { description: 'Overlay neighbours floods go to' }),
  },
  { additionalProperties: false },
);

export type SearchView = Static<typeof SearchResultSchema>;
export type SearchStatusView = Static<typeof SearchStatusSchema>;
export type SearchParams = Static<typeof SearchQuerySchema>;

/** How one search is asked of the search lib (SearchNode.search's options). */
export interface SearchRequestOptions {
  signal: AbortSignal;
  ttl?: number;
  limit?: number;
  mode?: 'auto' | 'flood' | 'supernode';
  deadlineMs?: number;
}

/** One search as the search lib answers it (SearchNode.search); the route maps it to SearchView. */
export interface SearchOutcome {
  mode: 'flood' | 'supernode';
  partial: boolean;
  /** Nodes whose answers arrived. */
  responders: readonly string[];
  messages: number;
  hits: readonly {
    cid: string;
    name: string;
    size: number;
    contentType: string;
    keywords: readonly string[];
    score: number;
    holders: readonly string[];
    responders: readonly string[];
  }[];
}

/** What the search routes need from the search lib. */
export interface SearchSource {
  /** Throws InvalidQueryError (400 INVALID_QUERY) for an empty, over-long or unusable query. */
  search(text: string, options: SearchRequestOptions): Promise<SearchOutcome>;
  status(): SearchStatusView;
}

/** The query string as the search lib takes it (`timeoutMs` is its deadline). */
export function searchRequestOptions(params: SearchParams, signal: AbortSignal): SearchRequestOptions {
  return {
    signal,
    ...(params.ttl !== undefined ? { ttl: params.ttl } : {}),
    ...(params.limit !== undefined ? { limit: params.limit } : {}),
    ...(params.mode !== undefined ? { mode: params.mode } : {}),
    ...(params.timeoutMs !== undefined ? { deadlineMs: params.timeoutMs } : {}),
  };
}

/** The search lib's answer as the route returns it: responders counted, every list copied. */
export function searchView(query: string, r: SearchOutcome, tookMs: number): SearchView {
  return {
    query,
    mode: r.mode,
    partial: r.partial,
    responders: r.responders.length,
    messages: r.messages,
    hits: r.hits.map((h) => ({
      cid: h.cid,
      name: h.name,
      size: h.size,
      contentType: h.contentType,
      keywords: [...h.keywords],
      score: h.score,
      holders: [...h.holders],
      responders: [...h.responders],
    })),
    tookMs,
  };
}

/**
 * `GET /v1/search?q=`: keyword search of the whole network from any node, through supernodes or by
 * flooding the overlay with a TTL; `GET /v1/search/status`: this node's part in it.
 */
export function searchRoutes(source: SearchSource): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: SearchParams }>(
      '/v1/search',
      {
        schema: {
          tags: ['search'],
          operationId: 'search',
          summary: 'Objects whose name, keywords or type match the words, ranked, from the whole network',
          querystring: SearchQuerySchema,
          response: { 200: SearchResultSchema, ...errorResponses(400, ...COMMON_ERROR_STATUSES) },
        },
      },
      async (request, reply) => {
        const started = performance.now();
        const { q } = request.query;
        const result = await source.search(q, searchRequestOptions(request.query, clientSignal(reply)));
        return searchView(q, result, Math.round(performance.now() - started));
      },
    );
    app.get(
      '/v1/search/status',
      {
        schema: {
          tags: ['search'],
          operationId: 'searchStatus',
          summary: 'Role, supernode attachments, leaves and index sizes of this node',
          response: { 200: SearchStatusSchema, ...errorResponses(...COMMON_ERROR_STATUSES) },
        },
      },
      async () => source.status(),
    );
  };
}
