// Sample search-protocol messages for this lib's specs only; not part of the public API.
import { bytes, cid, NODE_A, NODE_B } from '../content/content-test-messages.ts';
import type { SearchHandler } from './search-messages.ts';
import type { IndexEntry, QueryRequest, SearchHit, SearchMethods, SearchOrigin } from './search-messages.ts';

export { bytes, cid, NODE_A, NODE_B };

export const NODE_C = 'c3'.repeat(32);
export const QUERY_ID = '0123456789abcdef0123456789abcdef';

export const ORIGIN: SearchOrigin = { id: NODE_A, address: '10.0.0.1:7400' };
export const SUPERNODE: SearchOrigin = { id: NODE_C, address: 'super-c.example.org:7400' };

export const QUERY: QueryRequest = {
  queryId: QUERY_ID,
  text: 'holiday photos',
  ttl: 4,
  hops: 1,
  limit: 50,
  mode: 'flood',
  origin: ORIGIN,
  from: NODE_B,
};

export const ENTRY: IndexEntry = {
  cid: cid(1),
  name: 'holiday photos.tar',
  size: 3 * 1024 * 1024 * 1024,
  contentType: 'application/x-tar',
  keywords: ['holiday', 'photos', '2024'],
};

export const HIT: SearchHit = { ...ENTRY, score: 7.25, holder: NODE_B };

/** One valid request and response of every search method. */
export const SEARCH_SAMPLES: { [M in keyof SearchMethods]: SearchMethods[M] } = {
  query: { request: QUERY, response: { accepted: true, forwardedTo: ['ab'.repeat(32), 'cd'.repeat(32)] } },
  hits: {
    request: {
      queryId: QUERY_ID,
      responder: NODE_C,
      hits: [HIT, { cid: cid(2), name: '', size: 0, contentType: 'text/plain', keywords: [], score: -1.5, holder: NODE_A }],
    },
    response: { wanted: true },
  },
  attach: { request: { leaf: ORIGIN }, response: { accepted: true, leaves: 17 } },
  publish: {
    request: { leaf: NODE_A, full: true, upserts: [ENTRY, { ...ENTRY, cid: cid(5), keywords: [] }], removed: [cid(6)] },
    response: { accepted: false },
  },
  searchLoad: {
    request: { from: NODE_C, supernode: SUPERNODE },
    response: { supernode: true, leaves: 120, entries: 45_000, supernodes: [SUPERNODE, { id: NODE_B, address: '10.0.0.2:7400' }] },
  },
};

/** A handler answering every search method with its sample response and recording what it was sent. */
export function sampleSearchHandler(): SearchHandler & { received: { method: string; request: unknown; peer: string }[] } {
  const received: { method: string; request: unknown; peer: string }[] = [];
  const answer =
    <M extends keyof SearchMethods>(method: M) =>
    async (request: SearchMethods[M]['request'], context: { peer: string }): Promise<SearchMethods[M]['response']> => {
      received.push({ method, request, peer: context.peer });
      return SEARCH_SAMPLES[method].response;
    };
  return {
    received,
    query: answer('query'),
    hits: answer('hits'),
    attach: answer('attach'),
    publish: answer('publish'),
    searchLoad: answer('searchLoad'),
  };
}
