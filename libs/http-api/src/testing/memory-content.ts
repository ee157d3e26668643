// Specs only: an in-memory object store behind the content routes, and a node API built on it.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { InvalidCidError, NotFoundError, silentLogger, type LogLevel } from '@peerweave/core';
import type { ByteRange, ContentRoutesInit, ObjectInfo, PutOutcome, UploadMeta } from '../content-routes-init.ts';
import { build } from '../http-api.ts';
import type { HttpApiInit } from '../http-api-init.ts';
import { contentRoutes } from '../routes/content-routes.ts';
import { gatewayRoutes } from '../routes/gateway-routes.ts';

export class MemoryContent implements ContentRoutesInit {
  readonly objects = new Map<string, { bytes: Buffer; info: ObjectInfo }>();
  readonly calls = { put: 0, remove: 0 };

  readonly maxObjectBytes: number;

  constructor(maxObjectBytes = 1_048_576) {
    this.maxObjectBytes = maxObjectBytes;
  }

  add(bytes: Buffer | string, meta: Partial<UploadMeta> = {}): string {
    const b = Buffer.from(bytes);
    const cid = `bafkrei${createHash('sha256').update(b).digest('hex').slice(0, 52)}`;
    const info: ObjectInfo = {
      cid,
      name: meta.name ?? '',
      contentType: meta.contentType ?? 'application/octet-stream',
      size: b.byteLength,
      blocks: 1,
      keywords: meta.keywords ?? [],
      created: '2026-01-02T03:04:05.000Z',
      uploader: 'ab'.repeat(32),
    };
    this.objects.set(cid, { bytes: b, info });
    return cid;
  }

  async put(body: AsyncIterable<Uint8Array>, meta: UploadMeta): Promise<PutOutcome> {
    this.calls.put++;
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    const cid = this.add(Buffer.concat(chunks), meta);
    return { cid, size: this.objects.get(cid)!.info.size, blocks: 1, replicas: 1 };
  }

  async stat(cid: string): Promise<ObjectInfo> {
    return this.#get(cid).info;
  }

  read(cid: string, range: ByteRange | undefined): AsyncIterable<Uint8Array> {
    const get = () => this.#get(cid).bytes;
    return (async function* () {
      const bytes = get();
      yield range === undefined ? bytes : bytes.subarray(range.offset, range.offset + range.length);
    })();
  }

  async list(): Promise<{ objects: ObjectInfo[] }> {
    return { objects: [...this.objects.values()].map((o) => o.info) };
  }

  async remove(cid: string): Promise<void> {
    this.calls.remove++;
    this.#get(cid);
    this.objects.delete(cid);
  }

  async getBlock(cid: string): Promise<Uint8Array> {
    return new Uint8Array(this.#get(cid).bytes);
  }

  car(cid: string): AsyncIterable<Uint8Array> {
    const get = () => this.#get(cid).bytes;
    return (async function* () {
      yield get();
    })();
  }

  #get(cid: string): { bytes: Buffer; info: ObjectInfo } {
    if (!cid.startsWith('baf')) throw new InvalidCidError(`${cid} is not a CID`);
    const found = this.objects.get(cid);
    if (found === undefined) throw new NotFoundError(`no object ${cid}`);
    return found;
  }
}

/** The built-in routes and the content and gateway routes over `content`, not listening. */
export async function contentApp(content: MemoryContent, init: Partial<HttpApiInit> = {}): Promise<FastifyInstance> {
  let level: LogLevel = 'info';
  return build({
    logger: silentLogger,
    status: () => ({
      id: 'ab'.repeat(32),
      role: 'peer',
      version: '0.0.0',
      uptimeSeconds: 1,
      startedAt: '2026-01-02T03:04:05.000Z',
      publicKey: 'AAAA',
      addresses: { http: [], grpc: [] },
    }),
    readiness: () => ({ ready: true }),
    metrics: { contentType: 'text/plain; version=0.0.4', text: async () => 'peerweave_up 1\n' },
    getLogLevel: () => level,
    setLogLevel: (l) => {
      level = l;
    },
    plugins: [contentRoutes(content), gatewayRoutes(content)],
    ...init,
  });
}
