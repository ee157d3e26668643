import type { FastifyInstance } from 'fastify';
import {
  build,
  contentRoutes,
  gatewayRoutes,
  peersRoutes,
  replicasRoutes,
  searchRoutes,
  type ContentRoutesInit,
  type HttpApiInit,
  type PeersSource,
  type ReplicasSource,
  type SearchSource,
} from '@peerweave/http-api';

/**
 * Every route group of a node's HTTP API and what each serves from. One place for the route set,
 * so the OpenAPI document generated at build time (openapi-document.ts) describes exactly the
 * routes a node serves.
 */
export interface PeerHttpInit
  extends Pick<HttpApiInit, 'logger' | 'bodyLimit' | 'metrics' | 'status' | 'readiness' | 'openApiDocument'>,
    Required<Pick<HttpApiInit, 'getLogLevel' | 'setLogLevel'>> {
  peers: PeersSource;
  content: ContentRoutesInit;
  replicas: ReplicasSource;
  search: SearchSource;
}

/** The node's HTTP API, built and not listening. */
export function buildHttpApp(init: PeerHttpInit): Promise<FastifyInstance> {
  const { peers, content, replicas, search, ...api } = init;
  return build({
    ...api,
    plugins: [peersRoutes(peers), contentRoutes(content), gatewayRoutes(content), replicasRoutes(replicas), searchRoutes(search)],
  });
}
