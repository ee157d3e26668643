import { VERSION, systemClock } from '@peerweave/core';
import { contentSource, type NodeApiInit, type OpenApiDocument, type Readiness } from '@peerweave/http-api';
import type { ContentNode } from '@peerweave/replication';
import type { RoutingNode } from '@peerweave/routing';
import { SELF_OWNER, type SearchNode } from '@peerweave/search';
import type { NodeBase } from './component-inits.ts';
import type { NodeStores } from './node-stores.ts';

export interface NodeApiParts extends NodeBase {
  startedAtMs: number;
  addresses: { http: string[]; grpc: string[] };
  stores: NodeStores;
  routing: RoutingNode;
  content: ContentNode;
  search: SearchNode;
  readiness(): 'starting' | 'ready' | 'stopping';
  openApiDocument: (() => Promise<OpenApiDocument>) | undefined;
}

/** Readiness as /readyz reports it: ready once routing has a contact (or needs none). */
export function readinessOf(state: 'starting' | 'ready' | 'stopping', routingReady: boolean): Readiness {
  if (state === 'ready' && routingReady) return { ready: true };
  if (state === 'ready') return { ready: false, code: 'NOT_READY', reason: 'joining: no contact yet' };
  if (state === 'stopping') return { ready: false, code: 'SHUTTING_DOWN', reason: 'node is shutting down' };
  return { ready: false, code: 'NOT_READY', reason: 'node is starting' };
}

/** What the node's HTTP API serves from, out of its components (the routes map them to their views). */
export function nodeApiInit(parts: NodeApiParts): NodeApiInit {
  const { config, identity, logger, metrics, self, startedAtMs, addresses, stores, routing, content, search } = parts;
  return {
    logger: logger.child({ component: 'http' }),
    bodyLimit: config.httpBodyLimit,
    // The tokens themselves come from the file NodeHttp watches.
    access: {
      readMode: config.apiRead,
      rateLimits: { readsPerWindow: config.httpRateReads, writesPerWindow: config.httpRateWrites, windowMs: config.httpRateWindowMs },
    },
    timeouts: {
      headersMs: config.httpHeadersTimeoutMs,
      idleMs: config.httpIdleTimeoutMs,
      requestMs: config.httpRequestTimeoutMs,
      keepAliveMs: config.httpKeepAliveTimeoutMs,
    },
    metrics,
    status: () => ({
      id: self.id,
      role: config.role,
      version: VERSION,
      uptimeSeconds: Math.max(0, (systemClock.now() - startedAtMs) / 1000),
      startedAt: new Date(startedAtMs).toISOString(),
      publicKey: Buffer.from(identity.publicKey).toString('base64'),
      addresses,
    }),
    readiness: () => readinessOf(parts.readiness(), routing.ready),
    ...(parts.openApiDocument ? { openApiDocument: parts.openApiDocument } : {}),
    peers: { id: self.id, peers: () => routing.peers(), lookup: (key, options) => routing.lookup(key, options) },
    content: contentSource(content, config.maxObjectBytes),
    replicas: {
      locate: async (cid, options) => ({ cid, blocks: await content.locate(cid, options) }),
      providers: (cid, options) => content.providerRecords(cid, options),
    },
    search: {
      search: (text, options) => search.search(text, options),
      status: () => ({
        role: config.role,
        indexEntries: stores.searchIndex.count(SELF_OWNER),
        attachedTo: search.attachedSupernodes(),
        knownSupernodes: search.knownSupernodes(),
        leaves: search.leaves().length,
        leafEntries: stores.leafIndex?.count() ?? 0,
        overlay: routing.overlayContacts(),
      }),
    },
    getLogLevel: () => logger.level,
    setLogLevel: (level) => {
      logger.level = level;
    },
  };
}
