// Real nodes for the CLI's specs: whole content nodes (routing, replication, a block store and
// SQLite on disk) over the in-memory network (@peerweave/replication/testing), each serving the
// node's HTTP API (@peerweave/http-api with its content, gateway, peers and replicas routes) on
// 127.0.0.1. What the CLI meets is the node's own contract, not an imitation of it.
//
// The CLI's scope may not import the node's libs (lint: scope:client → scope:shared); this file is
// test support only, and the one place that crosses, on purpose.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { NotReadyError, silentLogger } from '@peerweave/core';
/* eslint-disable @nx/enforce-module-boundaries */
import { build, contentRoutes, gatewayRoutes, peersRoutes, replicasRoutes, type ContentRoutesInit } from '@peerweave/http-api';
import { createContentCluster, type ContentCluster, type ContentClusterNode } from '@peerweave/replication/testing';
/* eslint-enable @nx/enforce-module-boundaries */

/** Largest object a put may store (the node's PEERWEAVE_MAX_OBJECT_BYTES). */
const MAX_OBJECT_BYTES = 64 * 1024 * 1024;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
}

/** One node of the cluster and its HTTP API, listening. */
export interface InProcessNode {
  readonly member: ContentClusterNode;
  readonly http: FastifyInstance;
  readonly url: string;
  /** Clock time the node started at, ms (its status reports uptime from it). */
  readonly startedAtMs: number;
  /** Every request its HTTP API received, in order. */
  readonly requests: RecordedRequest[];
}

/**
 * `size` content nodes over the in-memory network, each with the HTTP API a node serves. The
 * cluster's clock is manual: messages need no clock time, so puts and reads complete; timers
 * (failure detection, repair) move only when a spec advances it. Search is not served: a node
 * without the search layer answers its route with 404.
 */
export class InProcessNodes {
  readonly cluster: ContentCluster;
  readonly nodes: InProcessNode[];
  readonly #byPort = new Map<number, InProcessNode>();
  readonly #record = (message: unknown): void => {
    const { request } = message as { request: IncomingMessage };
    const node = this.#byPort.get(request.socket.localPort ?? -1);
    if (node === undefined) return;
    const url = new URL(request.url ?? '/', 'http://node');
    node.requests.push({ method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: request.headers });
  };

  private constructor(cluster: ContentCluster) {
    this.cluster = cluster;
    this.nodes = [];
  }

  static async start(size: number): Promise<InProcessNodes> {
    const cluster = await createContentCluster(size);
    const nodes = new InProcessNodes(cluster);
    try {
      for (const member of cluster.nodes) await nodes.#serve(member);
    } catch (err) {
      await nodes.stop();
      throw err;
    }
    subscribe('http.server.request.start', nodes.#record);
    return nodes;
  }

  async #serve(member: ContentClusterNode): Promise<void> {
    const startedAtMs = this.cluster.clock.now();
    const addresses = { http: [] as string[], grpc: [member.address] };
    const content: ContentRoutesInit = {
      maxObjectBytes: MAX_OBJECT_BYTES,
      put: (body, meta, options) => member.content.put(body, meta, { ...options, maxBytes: MAX_OBJECT_BYTES }),
      stat: (cid, options) => member.content.stat(cid, options),
      read: (cid, range, options) => member.content.read(cid, range, options),
      list: async (options) => member.content.list(options),
      remove: (cid, options) => member.content.remove(cid, options),
      getBlock: (cid, options) => member.content.getBlock(cid, options),
      car: (cid, options) => member.content.car(cid, options),
    };
    const unavailable = (): never => {
      throw new NotReadyError('not served by the in-process node');
    };
    const http = await build({
      logger: silentLogger,
      metrics: { contentType: 'text/plain', text: unavailable },
      status: () => ({
        id: member.id,
        role: 'peer',
        version: '0.0.0-test',
        uptimeSeconds: (this.cluster.clock.now() - startedAtMs) / 1000,
        startedAt: new Date(startedAtMs).toISOString(),
        publicKey: Buffer.from(member.identity.publicKey).toString('base64'),
        addresses,
      }),
      readiness: () => ({ ready: true }),
      plugins: [
        peersRoutes({ id: member.id, peers: () => member.routing.peers(), lookup: (key, options) => member.routing.lookup(key, options) }),
        contentRoutes(content),
        gatewayRoutes(content),
        replicasRoutes({
          locate: async (cid, options) => ({ cid, blocks: await member.content.locate(cid, options) }),
          providers: unavailable,
        }),
      ],
    });
    await http.listen({ host: '127.0.0.1', port: 0 });
    const { port } = http.server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    addresses.http.push(url);
    const node: InProcessNode = { member, http, url, startedAtMs, requests: [] };
    this.nodes.push(node);
    this.#byPort.set(port, node);
  }

  async stop(): Promise<void> {
    unsubscribe('http.server.request.start', this.#record);
    await Promise.all(
      this.nodes.map(async (n) => {
        n.http.server.closeAllConnections();
        await n.http.close();
      }),
    );
    await this.cluster.stop();
  }
}
