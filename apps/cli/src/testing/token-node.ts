// A node's HTTP API with bearer tokens in force, over an in-memory object store, for the CLI's
// token specs (the whole in-process cluster is not needed to see 401/403). Test support only: it
// crosses into the node's libs on purpose, as in-process-nodes.ts does.
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { NotFoundError, silentLogger, type ApiTokenEntry } from '@peerweave/core';
/* eslint-disable @nx/enforce-module-boundaries */
import { ApiTokens, build, contentRoutes, type ContentRoutesInit, type ObjectInfo } from '@peerweave/http-api';
/* eslint-enable @nx/enforce-module-boundaries */

export interface TokenNode {
  readonly url: string;
  readonly objects: Map<string, Buffer>;
  close(): Promise<void>;
}

export async function startTokenNode(entries: readonly ApiTokenEntry[]): Promise<TokenNode> {
  const objects = new Map<string, Buffer>();
  const info = (cid: string): ObjectInfo => {
    const bytes = objects.get(cid);
    if (bytes === undefined) throw new NotFoundError(`no object ${cid}`);
    return { cid, name: '', contentType: 'application/octet-stream', size: bytes.length, blocks: 1, keywords: [], created: '2026-01-02T03:04:05.000Z', uploader: 'ab'.repeat(32) };
  };
  const content: ContentRoutesInit = {
    maxObjectBytes: 1_048_576,
    put: async (body) => {
      const chunks: Uint8Array[] = [];
      for await (const c of body) chunks.push(c);
      const bytes = Buffer.concat(chunks);
      const cid = `bafkrei${createHash('sha256').update(bytes).digest('hex').slice(0, 52)}`;
      objects.set(cid, bytes);
      return { cid, size: bytes.length, blocks: 1, replicas: 1 };
    },
    stat: async (cid) => info(cid),
    read: (cid) =>
      (async function* () {
        info(cid);
        yield objects.get(cid)!;
      })(),
    list: async () => ({ objects: [...objects.keys()].map(info) }),
    remove: async (cid) => {
      info(cid);
      objects.delete(cid);
    },
    getBlock: async (cid) => (info(cid), objects.get(cid)!),
    car: (cid) =>
      (async function* () {
        info(cid);
        yield objects.get(cid)!;
      })(),
  };
  const tokens = ApiTokens.of(entries);
  const app: FastifyInstance = await build({
    logger: silentLogger,
    metrics: { contentType: 'text/plain', text: async () => '' },
    status: () => ({ id: 'ab'.repeat(32), role: 'peer', version: '0.0.0-test', uptimeSeconds: 1, startedAt: '2026-01-02T03:04:05.000Z', publicKey: 'AAAA', addresses: { http: [], grpc: [] } }),
    readiness: () => ({ ready: true }),
    plugins: [contentRoutes(content)],
    access: { tokens: () => tokens },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, objects, close: () => app.close() };
}
