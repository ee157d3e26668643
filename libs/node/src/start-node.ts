import { VERSION, systemClock, type Startable } from '@peerweave/core';
import type { NodeConfig } from '@peerweave/config';
import type { OpenApiDocument } from '@peerweave/http-api';
import { loadOrCreateIdentity } from '@peerweave/identity';
import { ContentNode } from '@peerweave/replication';
import { RoutingNode } from '@peerweave/routing';
import { RecordIndexSync, SearchNode } from '@peerweave/search';
import { registerFilesystemMetrics } from '@peerweave/storage';
import { createLogger, createMetrics, MemoryRelease, registerNodeMetrics } from '@peerweave/telemetry';
import { advertiseHost, hostPort } from './addresses.ts';
import { contentInit, routingInit, searchInit, type NodeBase } from './component-inits.ts';
import { Lifecycle, type LifecycleWrap } from './lifecycle.ts';
import { nodeApiInit } from './node-api-init.ts';
import { NodeCertificates } from './node-certificates.ts';
import { NodeHttp } from './node-http.ts';
import { NodeStores } from './node-stores.ts';
import { PeerEndpoint } from './peer-endpoint.ts';

/** The components of a node, in start order (stop goes the other way). */
export const NODE_COMPONENTS = ['certificates', 'stores', 'grpc', 'routing', 'content', 'index-sync', 'search', 'http'] as const;
export type NodeComponentName = (typeof NODE_COMPONENTS)[number];

export interface StartNodeInit {
  config: NodeConfig;
  /** The OpenAPI document to serve (the one the build wrote); without it, generated when asked for. */
  openApiDocument?: () => Promise<OpenApiDocument>;
  /** Wraps each component before it starts (tests: a start that fails; tracing start-up). */
  wrap?: LifecycleWrap;
}

export type NodeState = 'starting' | 'ready' | 'stopping';

export interface PeerweaveNode {
  readonly id: string;
  /** Where the HTTP API listens (real port, also when configured as 0). */
  readonly httpUrl: string;
  readonly grpcAddress: string;
  readonly routing: RoutingNode;
  readonly content: ContentNode;
  readonly search: SearchNode;
  /** The node's cluster certificate (mode `none` without a cluster CA). */
  readonly certificates: NodeCertificates;
  /** Stops taking new work, lets in-flight requests finish (up to the grace period), then closes. */
  stop(): Promise<void>;
}

/**
 * Builds and starts one node from its configuration, in the manner of libp2p's `createLibp2p`:
 * identity and telemetry first, then each component built from those before it and started in
 * turn (stores → gRPC server → routing → content (replication and transfer) → index sync → search
 * → HTTP API). `stop` stops them in reverse; a start that fails midway stops what had started
 * (a routing that cannot start closes the databases and the block store) and rejects.
 */
export async function startNode(init: StartNodeInit): Promise<PeerweaveNode> {
  const { config } = init;
  const startedAtMs = systemClock.now();
  const identity = await loadOrCreateIdentity(config.dataDir);
  const id = identity.id.toHex();
  const logger = createLogger({ level: config.logLevel, node: identity.id.toShortString() });
  const log = logger.child({ component: 'node' });
  const metrics = createMetrics();
  registerNodeMetrics(metrics, { version: VERSION, role: config.role, nodeId: id, startedAtMs });
  // Free and total bytes of the data directory's filesystem, for the disk-nearly-full alert.
  registerFilesystemMetrics(metrics, { path: config.dataDir });

  let state: NodeState = 'starting';
  let stopDeadline = Infinity;
  // In-flight HTTP requests and gRPC calls share one grace period from the moment stop() is called.
  const graceMs = () => Math.max(0, Math.min(config.shutdownTimeoutMs, stopDeadline - systemClock.now()));
  const host = advertiseHost(config.advertiseHost);
  const addresses = { http: [] as string[], grpc: [] as string[] };
  const lifecycle = new Lifecycle(init.wrap ? { wrap: init.wrap } : {});
  const started = <T extends Startable>(name: NodeComponentName, component: T): Promise<T> => lifecycle.start(name, component);

  // Gives V8's pooled pages back once the node is quiet after work (issue #12; libs/telemetry).
  const releases = metrics.counter({ name: 'peerweave_memory_releases_total', help: 'Full collections run to give memory back to the OS when the node turned quiet after work.' });
  let openStores: NodeStores | undefined;
  const memoryRelease = new MemoryRelease({
    shrink: () => openStores?.releaseMemory(),
    onRelease: (e) => {
      releases.inc();
      log.info({ rssBeforeMiB: Math.round(e.rssBefore / 2 ** 20), rssAfterMiB: Math.round(e.rssAfter / 2 ** 20), ms: Math.round(e.ms) }, 'memory released after work');
    },
  });
  let node: PeerweaveNode;
  try {
    // The node's cluster certificate (issue #15): self-issued and renewed, or loaded; none without a
    // cluster CA. First, so a missing or wrong CA file stops the node before anything listens.
    const certificates = await started('certificates', new NodeCertificates({ identity, config, clock: systemClock, logger, metrics }));
    const stores = await started('stores', new NodeStores({ dataDir: config.dataDir, supernode: config.role === 'supernode', closeTimeoutMs: config.shutdownTimeoutMs, logger }));
    openStores = stores;
    const endpoint = await started(
      'grpc',
      new PeerEndpoint({
        config,
        logger,
        certificates,
        stopping: () => state === 'stopping',
        graceMs,
        info: () => ({ nodeId: id, publicKey: identity.publicKey, role: config.role, version: VERSION, httpAddresses: addresses.http, grpcAddresses: addresses.grpc, startedAtMs }),
      }),
    );
    addresses.grpc.push(hostPort(host, endpoint.port));
    const base: NodeBase = { config, identity, logger, metrics, self: { id, address: addresses.grpc[0]!, role: config.role }, transport: endpoint.transport };
    const routing = new RoutingNode(routingInit(base, endpoint.port));
    endpoint.routing.bind(routing.handler);
    // Search is built before content (and started after it): content tells the index sync of every
    // record it stores or removes, and the sync tells search, so that its supernodes hear of it.
    const search = new SearchNode(searchInit(base, stores, routing));
    endpoint.search.bind(search.handler);
    const indexSync = new RecordIndexSync({ index: stores.searchIndex, records: stores.db, onChange: (upserts, removed) => search.indexChanged(upserts, removed) });
    const content = new ContentNode(contentInit(base, stores, routing, indexSync.onRecords));
    endpoint.content.bind(content.handler);
    // Deaths routing declares reach search: a leaf re-attaches elsewhere, a supernode drops the
    // entries of a dead leaf.
    routing.on('contact-dead', (contact) => search.contactDead(contact));

    await started('routing', routing);
    await started('content', content);
    await started('index-sync', indexSync);
    await started('search', search);
    const api = nodeApiInit({ ...base, startedAtMs, addresses, stores, routing, content, search, readiness: () => state, openApiDocument: init.openApiDocument });
    const http = await started('http', new NodeHttp({ ...api, host: config.httpHost, port: config.httpPort, graceMs, tokensFile: config.apiTokensFile }));
    addresses.http.push(`http://${hostPort(host, http.port)}`);

    let stopping: Promise<void> | undefined;
    node = {
      id,
      httpUrl: `http://${hostPort(config.httpHost === '0.0.0.0' ? '127.0.0.1' : config.httpHost, http.port)}`,
      grpcAddress: hostPort(config.grpcHost === '0.0.0.0' ? '127.0.0.1' : config.grpcHost, endpoint.port),
      routing,
      content,
      search,
      certificates,
      stop: () =>
        (stopping ??= (async () => {
          state = 'stopping';
          stopDeadline = systemClock.now() + config.shutdownTimeoutMs;
          log.info('stopping: no new work, finishing what is in flight');
          memoryRelease.stop();
          await lifecycle.stop();
          log.info('stopped');
        })()),
    };
  } catch (err) {
    state = 'stopping';
    stopDeadline = systemClock.now();
    log.error({ err: (err as Error).message, started: lifecycle.started }, 'start failed; stopping what had started');
    await lifecycle.stop().catch((stopErr: unknown) => log.warn({ err: (stopErr as Error).message }, 'stopping after a failed start failed'));
    throw err;
  }
  state = 'ready';
  memoryRelease.start();
  log.info({ id, role: config.role, http: addresses.http[0], grpc: addresses.grpc[0], version: VERSION }, 'node started');
  return node;
}
