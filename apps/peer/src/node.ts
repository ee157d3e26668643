import { join } from 'node:path';
import { ShuttingDownError, VERSION, systemClock, systemRandom, type ObjectRecord } from '@peerweave/core';
import type { NodeConfig } from '@peerweave/config';
import { loadOrCreateIdentity } from '@peerweave/identity';
import { createLogger, createMetrics, registerNodeMetrics } from '@peerweave/telemetry';
import {
  GrpcPeerTransport,
  GrpcServer,
  contentServiceBinding,
  createCredentials,
  nodeServiceBinding,
  routingServiceBinding,
  searchServiceBinding,
  type IndexEntry,
  type NodeInfoData,
  type SearchOrigin,
} from '@peerweave/protocol';
import { RoutingNode, SeedResolver } from '@peerweave/routing';
import { BlockStore, ContentDb, registerFilesystemMetrics } from '@peerweave/storage';
import { ContentNode } from '@peerweave/replication';
import { SearchIndex, SearchNode, SELF_OWNER } from '@peerweave/search';
import type { ContentRoutesInit } from '@peerweave/http-api';
import { advertiseHost, hostPort } from './addresses.ts';
import { buildHttpApp } from './http-app.ts';
import { builtOpenApiDocument } from './openapi-document.ts';

export interface PeerNode {
  readonly id: string;
  /** Where the HTTP API listens (real port, also when configured as 0). */
  readonly httpUrl: string;
  readonly grpcAddress: string;
  readonly routing: RoutingNode;
  readonly content: ContentNode;
  readonly search: SearchNode;
  /** Stops taking new work, lets in-flight requests finish (up to the grace period), then closes. */
  stop(): Promise<void>;
}

/** Builds and starts every component of one node from its configuration. Apps only wire. */
export async function startNode(config: NodeConfig): Promise<PeerNode> {
  const startedAtMs = systemClock.now();
  const identity = await loadOrCreateIdentity(config.dataDir);
  const logger = createLogger({ level: config.logLevel, node: identity.id.toShortString() });
  const log = logger.child({ component: 'node' });
  const metrics = createMetrics();
  const blocks = new BlockStore({ dir: join(config.dataDir, 'blocks') });
  await blocks.open();
  const db = new ContentDb({ path: join(config.dataDir, 'peerweave.db') });
  // The records this node holds, indexed for keyword search (kept in step with `db` below).
  const searchIndex = new SearchIndex({ path: join(config.dataDir, 'search.db') });
  // A supernode's index of its leaves is soft state: leaves publish it again when they attach.
  const leafIndex = config.role === 'supernode' ? new SearchIndex({ path: ':memory:' }) : undefined;
  registerNodeMetrics(metrics, { version: VERSION, role: config.role, nodeId: identity.id.toHex(), startedAtMs });
  // Free and total bytes of the data directory's filesystem, for the disk-nearly-full alert.
  registerFilesystemMetrics(metrics, { path: config.dataDir });

  let state: 'starting' | 'ready' | 'stopping' = 'starting';
  const host = advertiseHost(config.advertiseHost);
  const addresses = { http: [] as string[], grpc: [] as string[] };

  const info = (): NodeInfoData => ({
    nodeId: identity.id.toHex(),
    publicKey: identity.publicKey,
    role: config.role,
    version: VERSION,
    httpAddresses: addresses.http,
    grpcAddresses: addresses.grpc,
    startedAtMs,
  });

  const credentials = createCredentials();
  const grpc = new GrpcServer({
    host: config.grpcHost,
    port: config.grpcPort,
    maxMessageBytes: config.grpcMaxMessageBytes,
    keepaliveMs: config.grpcKeepaliveMs,
    credentials,
    logger: logger.child({ component: 'grpc' }),
    reflection: config.grpcReflection,
  });
  const transport = new GrpcPeerTransport({
    maxMessageBytes: config.grpcMaxMessageBytes,
    keepaliveMs: config.grpcKeepaliveMs,
    defaultDeadlineMs: config.rpcDeadlineMs,
    credentials,
  });
  // The routing node needs its own advertised gRPC address, known only once the server is bound
  // (port 0 in tests); the peer service is registered now and forwards to it once it exists.
  let routing: RoutingNode | undefined;
  let content: ContentNode | undefined;
  let search: SearchNode | undefined;
  const notReady = (): never => {
    throw new ShuttingDownError('node is not serving the peer protocol');
  };
  grpc.addService(
    routingServiceBinding({
      ping: (request, context) => (routing ? routing.handler.ping(request, context) : notReady()),
      pingReq: (request, context) => (routing ? routing.handler.pingReq(request, context) : notReady()),
      findNode: (request, context) => (routing ? routing.handler.findNode(request, context) : notReady()),
      leave: (request, context) => (routing ? routing.handler.leave(request, context) : notReady()),
    }),
  );
  const contentHandler = () => content?.handler ?? notReady();
  grpc.addService(
    contentServiceBinding({
      putBlock: (request, context) => contentHandler().putBlock(request, context),
      getBlock: (request, context) => contentHandler().getBlock(request, context),
      hasBlocks: (request, context) => contentHandler().hasBlocks(request, context),
      putRecord: (request, context) => contentHandler().putRecord(request, context),
      getRecord: (request, context) => contentHandler().getRecord(request, context),
      putTombstone: (request, context) => contentHandler().putTombstone(request, context),
      syncDigest: (request, context) => contentHandler().syncDigest(request, context),
      syncKeys: (request, context) => contentHandler().syncKeys(request, context),
      addProvider: (request, context) => contentHandler().addProvider(request, context),
      getProviders: (request, context) => contentHandler().getProviders(request, context),
      pinBlocks: (request, context) => contentHandler().pinBlocks(request, context),
      readBlock: (cid, context) => contentHandler().readBlock(cid, context),
      writeBlocks: (blocks, context) => contentHandler().writeBlocks(blocks, context),
    }),
  );
  const searchHandler = () => search?.handler ?? notReady();
  grpc.addService(
    searchServiceBinding({
      query: (request, context) => searchHandler().query(request, context),
      hits: (request, context) => searchHandler().hits(request, context),
      attach: (request, context) => searchHandler().attach(request, context),
      publish: (request, context) => searchHandler().publish(request, context),
      searchLoad: (request, context) => searchHandler().searchLoad(request, context),
    }),
  );
  grpc.addService(
    nodeServiceBinding({
      getInfo: async () => {
        if (state === 'stopping') throw new ShuttingDownError('node is shutting down');
        return info();
      },
    }),
  );

  const contentApi: ContentRoutesInit = {
    maxObjectBytes: config.maxObjectBytes,
    put: (body, meta, options) => (content ? content.put(body, meta, { ...options, maxBytes: config.maxObjectBytes }) : notReady()),
    stat: (cid, options) => (content ? content.stat(cid, options) : notReady()),
    read: (cid, range, options) => (content ? content.read(cid, range, options) : notReady()),
    list: async (options) => (content ? content.list(options) : notReady()),
    remove: (cid, options) => (content ? content.remove(cid, options) : notReady()),
    getBlock: (cid, options) => (content ? content.getBlock(cid, options) : notReady()),
    car: (cid, options) => (content ? content.car(cid, options) : notReady()),
  };
  const overlayContacts = (): SearchOrigin[] => routing?.overlayContacts() ?? [];
  const openApiDocument = builtOpenApiDocument(new URL('.', import.meta.url));
  const http = await buildHttpApp({
    logger: logger.child({ component: 'http' }),
    bodyLimit: config.httpBodyLimit,
    metrics,
    status: () => ({
      id: identity.id.toHex(),
      role: config.role,
      version: VERSION,
      uptimeSeconds: Math.max(0, (systemClock.now() - startedAtMs) / 1000),
      startedAt: new Date(startedAtMs).toISOString(),
      publicKey: Buffer.from(identity.publicKey).toString('base64'),
      addresses,
    }),
    readiness: () => {
      if (state === 'ready' && routing?.ready) return { ready: true };
      if (state === 'ready') return { ready: false, code: 'NOT_READY', reason: 'joining: no contact yet' };
      if (state === 'stopping') return { ready: false, code: 'SHUTTING_DOWN', reason: 'node is shutting down' };
      return { ready: false, code: 'NOT_READY', reason: 'node is starting' };
    },
    ...(openApiDocument ? { openApiDocument } : {}),
    peers: {
      id: identity.id.toHex(),
      peers: () => routing?.peers() ?? [],
      lookup: (key, options) => (routing ? routing.lookup(key, options) : notReady()),
    },
    content: contentApi,
    replicas: {
      locate: async (cid, options) => (content ? { cid, blocks: await content.locate(cid, options) } : notReady()),
      providers: async (cid, options) => {
        if (!content) return notReady();
        const { replicas, providers } = await content.providerRecords(cid, options);
        return { cid, replicas, providers: providers.map((p) => ({ id: p.id, address: p.address, expires: new Date(p.expiresMs).toISOString() })) };
      },
    },
    search: {
      search: async (params, options) => {
        if (!search) return notReady();
        const r = await search.search(params.q, {
          signal: options.signal,
          ...(params.ttl !== undefined ? { ttl: params.ttl } : {}),
          ...(params.limit !== undefined ? { limit: params.limit } : {}),
          ...(params.mode !== undefined ? { mode: params.mode } : {}),
          ...(params.timeoutMs !== undefined ? { deadlineMs: params.timeoutMs } : {}),
        });
        return {
          query: params.q,
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
        };
      },
      status: () => ({
        role: config.role,
        indexEntries: searchIndex.count(SELF_OWNER),
        attachedTo: search?.attachedSupernodes() ?? [],
        knownSupernodes: search?.knownSupernodes() ?? [],
        leaves: search?.leaves().length ?? 0,
        leafEntries: leafIndex?.count() ?? 0,
        overlay: overlayContacts(),
      }),
    },
    getLogLevel: () => logger.level,
    setLogLevel: (level) => {
      logger.level = level;
    },
  });

  await grpc.start();
  try {
    await http.listen({ host: config.httpHost, port: config.httpPort });
  } catch (err) {
    await grpc.stop({ graceMs: 0 });
    throw err;
  }
  const httpAddress = http.server.address();
  const httpPort = typeof httpAddress === 'object' && httpAddress !== null ? httpAddress.port : config.httpPort;
  addresses.http.push(`http://${hostPort(host, httpPort)}`);
  addresses.grpc.push(hostPort(host, grpc.port));
  routing = new RoutingNode({
    self: { id: identity.id.toHex(), address: addresses.grpc[0]!, role: config.role },
    transport,
    clock: systemClock,
    random: systemRandom,
    logger,
    metrics,
    seeds: new SeedResolver({
      seeds: config.seeds,
      join: config.join,
      defaultPort: config.grpcPort === 0 ? grpc.port : config.grpcPort,
      logger: logger.child({ component: 'join' }),
    }),
    k: config.k,
    alpha: config.alpha,
    lookupDeadlineMs: config.lookupDeadlineMs,
    bucketRefreshMs: config.bucketRefreshMs,
    joinIntervalMs: config.joinIntervalMs,
    replicationFactor: config.replicationFactor,
    overlayNeighbours: config.overlayNeighbours,
    swim: {
      probeIntervalMs: config.probeIntervalMs,
      probeTimeoutMs: config.probeTimeoutMs,
      indirectChecks: config.indirectChecks,
      suspicionMult: config.suspicionMult,
      suspicionMaxTimeoutMult: config.suspicionMaxMult,
      retransmitMult: config.retransmitMult,
    },
  });
  content = new ContentNode({
    self: { id: identity.id.toHex(), address: addresses.grpc[0]!, role: config.role, incarnation: 0 },
    identity,
    routing,
    transport,
    blocks,
    db,
    clock: systemClock,
    logger,
    metrics,
    replicationFactor: config.replicationFactor,
    writeQuorum: config.writeQuorum,
    cacheBytes: config.cacheBytes,
    repairIntervalMs: config.repairIntervalMs,
    repairDelayMs: config.repairDelayMs,
    antiEntropyIntervalMs: config.antiEntropyIntervalMs,
    tombstoneTtlMs: config.tombstoneTtlMs,
    providerTtlMs: config.providerTtlMs,
    maxRequestsPerPeer: config.maxRequestsPerPeer,
    onRecords: {
      stored: (record) => {
        const entry = toIndexEntry(record);
        searchIndex.upsert(SELF_OWNER, entry);
        search?.indexChanged([entry], []);
      },
      removed: (cid) => {
        if (searchIndex.remove(SELF_OWNER, cid)) search?.indexChanged([], [cid]);
      },
    },
    blockDeadlineMs: config.rpcDeadlineMs,
  });
  search = new SearchNode({
    self: { id: identity.id.toHex(), address: addresses.grpc[0]! },
    role: config.role,
    transport,
    clock: systemClock,
    random: systemRandom,
    logger,
    metrics,
    index: searchIndex,
    ...(leafIndex ? { leafIndex } : {}),
    overlay: overlayContacts,
    supernodeCandidates: () => routing?.contactsWithRole('supernode') ?? [],
    localEntries: () => searchIndex.entries(SELF_OWNER),
  });
  reindex(searchIndex, db);
  // Deaths routing declares reach search: a leaf re-attaches elsewhere, a supernode drops the
  // entries of a dead leaf.
  const searchNode = search;
  routing.on('contact-dead', (id) => searchNode.contactDead(id));
  await routing.start();
  await content.start();
  await search.start();
  state = 'ready';
  log.info({ id: identity.id.toHex(), role: config.role, http: addresses.http[0], grpc: addresses.grpc[0], version: VERSION }, 'node started');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      state = 'stopping';
      log.info('stopping: no new work, finishing what is in flight');
      const graceMs = config.shutdownTimeoutMs;
      // Fastify's close waits for in-flight requests and closes idle keep-alive sockets; the
      // grace timer bounds it so a stuck client cannot hold the process past the orchestrator's limit.
      // Announce the leave while the peer protocol still works, then drain.
      await search?.stop();
      await content?.stop();
      await routing?.stop();
      const httpClosed = http.close();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.all([Promise.race([httpClosed, grace]), grpc.stop({ graceMs })]);
      await transport.close();
      // A last checkpoint of the block store's commit log (its blocks' files are synced and the log
      // truncated), bounded like the rest: if it cannot finish, the next start replays the log.
      const checkpoint = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([blocks.close().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'closing the block store failed')), checkpoint]);
      db.close();
      searchIndex.close();
      leafIndex?.close();
      log.info('stopped');
    })();
    return stopping;
  };

  return {
    id: identity.id.toHex(),
    httpUrl: `http://${hostPort(config.httpHost === '0.0.0.0' ? '127.0.0.1' : config.httpHost, httpPort)}`,
    grpcAddress: hostPort(config.grpcHost === '0.0.0.0' ? '127.0.0.1' : config.grpcHost, grpc.port),
    stop,
    routing,
    content,
    search,
  };
}

function toIndexEntry(r: ObjectRecord): IndexEntry {
  return { cid: r.cid, name: r.name, size: r.size, contentType: r.contentType, keywords: r.keywords };
}

/**
 * Brings the search index in line with the records the database holds, when they disagree (a
 * crash between the two writes, a lost or new search.db); a start with both in step reads nothing.
 */
function reindex(index: SearchIndex, db: ContentDb): void {
  if (index.count(SELF_OWNER) === db.recordCount()) return;
  const entries: IndexEntry[] = [];
  let after: string | undefined;
  for (;;) {
    const page = db.listRecords({ limit: 500, ...(after ? { after } : {}) });
    for (const r of page) if (!db.getTombstone(r.cid)) entries.push(toIndexEntry(r));
    if (page.length < 500) break;
    after = page.at(-1)!.cid;
  }
  index.replaceOwner(SELF_OWNER, entries);
}
