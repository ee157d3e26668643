import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidQueryError, silentLogger } from '@peerweave/core';
import { build } from './http-api.ts';
import { searchRoutes, type SearchRequestOptions, type SearchSource } from './routes/search-routes.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

interface Asked extends Omit<SearchRequestOptions, 'signal'> {
  q: string;
}

function source(seen: Asked[]): SearchSource {
  return {
    search: async (q, { signal, ...options }) => {
      assert.ok(signal instanceof AbortSignal);
      seen.push({ q, ...options });
      if (q.trim() === '') throw new InvalidQueryError('query is empty');
      if (q.includes('"')) throw new InvalidQueryError('unbalanced quote in the query');
      // As the search lib answers: the responders themselves, not their count.
      return {
        mode: 'flood',
        partial: false,
        responders: [A, B],
        messages: 3,
        hits: [{ cid: 'bafkreiabc', name: 'holiday.jpg', size: 10, contentType: 'image/jpeg', keywords: ['beach'], score: 1.5, holders: [A], responders: [A, B] }],
      };
    },
    status: () => ({ role: 'peer', indexEntries: 1, attachedTo: [], knownSupernodes: [], leaves: 0, leafEntries: 0, overlay: [] }),
  };
}

async function app(src: SearchSource) {
  return build({
    logger: silentLogger,
    status: () => {
      throw new Error('unused');
    },
    readiness: () => ({ ready: true }),
    metrics: { contentType: 'text/plain', text: async () => '' },
    plugins: [searchRoutes(src)],
  });
}

describe('search routes', () => {
  it('passes q, ttl, limit, mode and timeoutMs (as the deadline) on and answers ranked hits with timing', async () => {
    const seen: Asked[] = [];
    const a = await app(source(seen));
    const res = await a.inject({ url: '/v1/search?q=holiday%20beach&ttl=3&limit=10&mode=flood&timeoutMs=700' });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { query: string; hits: { cid: string; responders: string[] }[]; tookMs: number; mode: string; responders: number };
    assert.equal(body.query, 'holiday beach');
    assert.equal(body.hits[0]!.cid, 'bafkreiabc');
    assert.deepEqual(body.hits[0]!.responders, [A, B]);
    assert.equal(body.responders, 2, 'the nodes that answered, counted');
    assert.equal(body.mode, 'flood');
    assert.ok(body.tookMs >= 0);
    assert.deepEqual(seen[0], { q: 'holiday beach', ttl: 3, limit: 10, mode: 'flood', deadlineMs: 700 });
  });

  it('passes only the parameters given', async () => {
    const seen: Asked[] = [];
    const a = await app(source(seen));
    assert.equal((await a.inject({ url: '/v1/search?q=x' })).statusCode, 200);
    assert.deepEqual(seen[0], { q: 'x' });
  });

  it('a TTL above the maximum is accepted (the search lib cuts it); bad parameters are 400 with a code', async () => {
    const seen: Asked[] = [];
    const a = await app(source(seen));
    assert.equal((await a.inject({ url: '/v1/search?q=x&ttl=50' })).statusCode, 200);
    assert.equal(seen[0]!.ttl, 50);
    for (const [url, code] of [
      ['/v1/search', 'INVALID_ARGUMENT'],
      ['/v1/search?q=', 'INVALID_QUERY'],
      ['/v1/search?q=%22open', 'INVALID_QUERY'],
      ['/v1/search?q=x&ttl=-1', 'INVALID_ARGUMENT'],
      ['/v1/search?q=x&limit=0', 'INVALID_ARGUMENT'],
      ['/v1/search?q=x&limit=1000', 'INVALID_ARGUMENT'],
      ['/v1/search?q=x&mode=gossip', 'INVALID_ARGUMENT'],
    ] as const) {
      const res = await a.inject({ url });
      assert.equal(res.statusCode, 400, url);
      assert.equal((res.json() as { code: string }).code, code, url);
    }
  });

  it('reports the node\'s part in search', async () => {
    const a = await app(source([]));
    const res = await a.inject({ url: '/v1/search/status' });
    assert.equal(res.statusCode, 200);
    assert.equal((res.json() as { role: string }).role, 'peer');
  });
});
