import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fastify, type FastifyInstance } from 'fastify';
import { compileAllSchemas } from './http-api.ts';
import { lazySchemaCompilers } from './lazy-schema-compilers.ts';
import { buildRefusingNodeApi } from './node-api.ts';

const BODY = { type: 'object', required: ['n'], properties: { n: { type: 'integer', minimum: 1 } }, additionalProperties: false };
const REPLY = { 200: { type: 'object', properties: { n: { type: 'integer' } } } };

/** One route with a body and a response schema, compiled by Fastify's defaults or lazily. */
async function app(lazy: boolean): Promise<{ app: FastifyInstance; compileAll: () => number }> {
  const compilers = lazySchemaCompilers();
  const a = fastify(lazy ? { schemaController: compilers.schemaController } : {});
  a.post('/double', { schema: { body: BODY, response: REPLY } }, async (req) => ({ n: (req.body as { n: number }).n * 2, secret: 'x' }));
  await a.ready();
  return { app: a, compileAll: () => compilers.compileAll() };
}

describe('route schemas compiled on first use', () => {
  it('validates and serializes as Fastify does by default, compiling at the first request', async (t) => {
    const eager = await app(false);
    const lazy = await app(true);
    t.after(() => Promise.all([eager.app.close(), lazy.app.close()]));
    for (const payload of [{ n: 3 }, { n: 0 }, { n: 'x' }, { m: 1 }, { n: 2, extra: true }]) {
      const [a, b] = await Promise.all([eager.app, lazy.app].map((x) => x.inject({ method: 'POST', url: '/double', payload })));
      assert.equal(b!.statusCode, a!.statusCode, JSON.stringify(payload));
      assert.deepEqual(b!.json(), a!.json(), JSON.stringify(payload));
    }
    // Both the validator and the serializer ran, so nothing is left to compile.
    assert.equal(lazy.compileAll(), 0);
  });

  it('compiles nothing before a request needs it', async (t) => {
    const lazy = await app(true);
    t.after(() => lazy.app.close());
    assert.equal(lazy.compileAll(), 2);
    assert.equal(lazy.compileAll(), 0);
  });

  it('rejects a headers schema with a capital letter at start (Fastify would not lowercase it)', async (t) => {
    const a = fastify({ schemaController: lazySchemaCompilers().schemaController });
    t.after(() => a.close());
    a.get('/h', { schema: { headers: { type: 'object', properties: { 'X-Token': { type: 'string' } } } } }, async () => 'ok');
    await assert.rejects(async () => a.ready(), /header "X-Token" in the headers schema must be lowercase/);
  });

  it('every route schema of the node API compiles', async (t) => {
    const api = await buildRefusingNodeApi('schemas only');
    t.after(() => api.close());
    await api.ready();
    assert.ok(compileAllSchemas(api) > 20);
  });
});
