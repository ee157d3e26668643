import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@peerweave/core';
import { build } from './http-api.ts';
import { replicasRoutes } from './routes/replicas-routes.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';

describe('replicas routes', () => {
  it('providers: replication\'s records with their expiry as ISO 8601 and the CID asked', async () => {
    const app = await build({
      logger: silentLogger,
      status: () => {
        throw new Error('unused');
      },
      readiness: () => ({ ready: true }),
      metrics: { contentType: 'text/plain', text: async () => '' },
      plugins: [
        replicasRoutes({
          locate: async (cid) => ({ cid, blocks: [] }),
          providers: async () => ({ replicas: [A], providers: [{ id: B, address: '10.0.0.2:7400', expiresMs: Date.UTC(2030, 0, 2, 3, 4, 5) }] }),
        }),
      ],
    });
    const res = await app.inject({ url: `/v1/objects/${CID}/providers` });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { cid: CID, replicas: [A], providers: [{ id: B, address: '10.0.0.2:7400', expires: '2030-01-02T03:04:05.000Z' }] });
  });
});
