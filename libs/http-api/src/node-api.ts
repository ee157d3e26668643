import type { FastifyInstance } from 'fastify';
import { NotReadyError, silentLogger } from '@peerweave/core';
import type { ContentRoutesInit } from './content-routes-init.ts';
import { build } from './http-api.ts';
import type { HttpApiInit } from './http-api-init.ts';
import { contentRoutes } from './routes/content-routes.ts';
import { gatewayRoutes } from './routes/gateway-routes.ts';
import type { OpenApiDocument } from './routes/openapi-routes.ts';
import { peersRoutes, type PeersSource } from './routes/peers-routes.ts';
import { replicasRoutes, type ReplicasSource } from './routes/replicas-routes.ts';
import { searchRoutes, type SearchSource } from './routes/search-routes.ts';

/**
 * Every route group of a node's HTTP API and what each serves from. One place for the route set,
 * so the OpenAPI document generated at build time describes exactly the routes a node serves.
 */
export interface NodeApiInit
  extends Pick<HttpApiInit, 'logger' | 'bodyLimit' | 'metrics' | 'status' | 'readiness' | 'openApiDocument' | 'access' | 'timeouts'>,
    Required<Pick<HttpApiInit, 'getLogLevel' | 'setLogLevel'>> {
  peers: PeersSource;
  content: ContentRoutesInit;
  replicas: ReplicasSource;
  search: SearchSource;
}

/** A node's HTTP API, built and not listening. */
export function buildNodeApi(init: NodeApiInit): Promise<FastifyInstance> {
  const { peers, content, replicas, search, ...api } = init;
  return build({
    ...api,
    plugins: [peersRoutes(peers), contentRoutes(content), gatewayRoutes(content), replicasRoutes(replicas), searchRoutes(search)],
  });
}

/**
 * The node's HTTP API with sources that refuse every call with NotReadyError(`reason`): registering
 * the routes calls none, so it serves what only the schemas need (the OpenAPI document, checks that
 * every route schema compiles).
 */
export function buildRefusingNodeApi(reason: string): ReturnType<typeof buildNodeApi> {
  const unavailable = (): never => {
    throw new NotReadyError(reason);
  };
  return buildNodeApi({
    logger: silentLogger,
    metrics: { contentType: 'text/plain', text: unavailable },
    status: unavailable,
    readiness: unavailable,
    getLogLevel: unavailable,
    setLogLevel: unavailable,
    peers: { id: '', peers: unavailable, lookup: unavailable },
    content: { maxObjectBytes: 1, put: unavailable, stat: unavailable, read: unavailable, list: unavailable, remove: unavailable, getBlock: unavailable, car: unavailable },
    replicas: { locate: unavailable, providers: unavailable },
    search: { search: unavailable, status: unavailable },
  });
}

/**
 * The OpenAPI document of a node's HTTP API, generated from the route schemas without a node: the
 * app is built with sources that refuse every call (registering routes calls none), asked for
 * `/openapi.json`, closed. The build writes it beside the bundle, so a node never loads the generator.
 */
export async function generateOpenApiDocument(): Promise<OpenApiDocument> {
  const app = await buildRefusingNodeApi('only documenting the routes');
  try {
    const res = await app.inject({ url: '/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`GET /openapi.json answered ${res.statusCode}: ${res.body}`);
    return res.json<OpenApiDocument>();
  } finally {
    await app.close();
  }
}
