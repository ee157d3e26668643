import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@peerweave/core';
import { build } from './http-api.ts';
import { peersRoutes, type PeersSource } from './routes/peers-routes.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

function source(lookupImpl?: PeersSource['lookup']): PeersSource {
  return {
    id: A,
    peers: () => [
      { id: B, address: '10.0.0.2:7400', role: 'peer', state: 'alive', incarnation: 7, lastSeen: 0, bucket: 255, inTable: true, neighbourhood: true, overlay: false },
      { id: 'c'.repeat(64), address: '10.0.0.3:7400', role: 'peer', state: 'dead', incarnation: 2, lastSeen: 1000, bucket: 254, inTable: false, neighbourhood: false, overlay: false },
    ],
    lookup:
      lookupImpl ??
      (async (key) => ({
        closest: [{ id: Buffer.from(key).toString('hex'), address: 'x:1', role: 'peer' }],
        hops: 1,
        queried: 3,
        timedOut: false,
      })),
  };
}

async function app(src: PeersSource) {
  return build({
    logger: silentLogger,
    status: () => {
      throw new Error('unused');
    },
    readiness: () => ({ ready: true }),
    metrics: { contentType: 'text/plain', text: async () => '' },
    plugins: [peersRoutes(src)],
  });
}

describe('peers routes', () => {
  it('lists contacts with their state, filterable by state', async () => {
    const a = await app(source());
    const all = await a.inject({ url: '/v1/peers' });
    assert.equal(all.statusCode, 200);
    const body = all.json() as { self: string; count: number; peers: { state: string; lastSeen: string }[] };
    assert.equal(body.self, A);
    assert.equal(body.count, 2);
    assert.equal(body.peers[0]!.lastSeen, new Date(1000).toISOString());
    const dead = (await a.inject({ url: '/v1/peers?state=dead' })).json() as { count: number };
    assert.equal(dead.count, 1);
    const bad = await a.inject({ url: '/v1/peers?state=zombie' });
    assert.equal(bad.statusCode, 400);
    assert.equal((bad.json() as { code: string }).code, 'INVALID_ARGUMENT');
  });

  it('runs a lookup for /v1/peers/closest and validates the key', async () => {
    const a = await app(source());
    const ok = await a.inject({ url: `/v1/peers/closest?key=${B.toUpperCase()}` });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { key: B, closest: [{ id: B, address: 'x:1', role: 'peer' }], hops: 1, queried: 3, partial: false });
    for (const key of ['', 'xyz', 'a'.repeat(63), 'g'.repeat(64)]) {
      const bad = await a.inject({ url: `/v1/peers/closest?key=${key}` });
      assert.equal(bad.statusCode, 400, key);
      assert.equal((bad.json() as { code: string }).code, 'INVALID_ARGUMENT');
    }
  });
});
