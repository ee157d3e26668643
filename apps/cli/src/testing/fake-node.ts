// A stand-in for a Peerweave node's HTTP API, for the CLI's specs: the routes the CLI uses, the
// same `{code, message}` errors, and several "nodes" sharing one in-memory store (as any real node
// serves any object).
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeObject {
  bytes: Buffer;
  name: string;
  contentType: string;
  keywords: string[];
  created: string;
}

/** Shared by every fake node started with it. */
export type FakeStore = Map<string, FakeObject>;

/** CID of an object that sends its headers and a first chunk, then nothing (a stalled peer). */
export const STALL_CID = 'bafystalledobject';
/** Bytes {@link STALL_CID} sends before it stalls; its Content-Length says 1 MiB. */
export const STALL_FIRST_CHUNK = 1000;

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}

const ID = (n: number): string => createHash('sha256').update(`node-${n}`).digest('hex');

/** Fake CIDs: "bafy" + hex of the SHA-256 of the bytes (the real ones are base32; shape is all that matters here). */
export function fakeCid(bytes: Buffer): string {
  return `bafy${createHash('sha256').update(bytes).digest('hex')}`;
}

export class FakeNode extends EventEmitter {
  readonly store: FakeStore;
  readonly requests: RecordedRequest[] = [];
  readonly index: number;
  readonly #server: Server;

  private constructor(store: FakeStore, index: number) {
    super();
    this.store = store;
    this.index = index;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => send(res, 500, { code: 'INTERNAL', message: String(err) }));
    });
  }

  static async start(store: FakeStore = new Map(), index = 1): Promise<FakeNode> {
    const node = new FakeNode(store, index);
    await new Promise<void>((resolve) => node.#server.listen(0, '127.0.0.1', resolve));
    return node;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    this.requests.push({ method, path, query: url.searchParams, headers: req.headers });

    if (path === '/v1/status' && method === 'GET') {
      send(res, 200, {
        id: ID(this.index),
        role: 'peer',
        version: '0.1.0',
        uptimeSeconds: 252.5,
        startedAt: new Date(Date.now() - 252_500).toISOString(),
        publicKey: 'AAAA',
        addresses: { http: [`http://10.0.0.${this.index}:8080`], grpc: [`10.0.0.${this.index}:7400`] },
      });
      return;
    }
    if (path === '/v1/peers' && method === 'GET') {
      const state = url.searchParams.get('state');
      const peers = [2, 3]
        .map((n) => ({
          id: ID(n),
          address: `10.0.0.${n}:7400`,
          role: n === 3 ? 'supernode' : 'peer',
          state: n === 3 ? 'suspect' : 'alive',
          incarnation: 1,
          lastSeen: new Date().toISOString(),
          bucket: 250 + n,
          inTable: true,
          neighbourhood: true,
          overlay: false,
        }))
        .filter((p) => state === null || p.state === state);
      send(res, 200, { self: ID(this.index), count: peers.length, peers });
      return;
    }
    if (path === '/v1/objects' && (method === 'POST' || method === 'PUT')) {
      const bytes = await readBody(req);
      const cid = fakeCid(bytes);
      const type = url.searchParams.get('type');
      if (type !== null && !/^[\w.+-]+\/[\w.+-]+/.test(type)) {
        send(res, 400, { code: 'INVALID_ARGUMENT', message: 'querystring/type must match pattern' });
        return;
      }
      this.store.set(cid, {
        bytes,
        name: url.searchParams.get('name') ?? '',
        contentType: type ?? req.headers['content-type'] ?? 'application/octet-stream',
        keywords: (url.searchParams.get('keywords') ?? '').split(',').filter((k) => k !== ''),
        created: new Date().toISOString(),
      });
      send(res, 201, { cid, size: bytes.length, blocks: Math.max(1, Math.ceil(bytes.length / 262_144)), replicas: 3 });
      return;
    }
    const m = /^\/v1\/objects\/([^/]+)(\/meta)?$/.exec(path);
    if (m) {
      const cid = decodeURIComponent(m[1]!);
      if (!/^baf[a-z0-9]+$/.test(cid)) {
        send(res, 400, { code: 'INVALID_CID', message: `"${cid}" is not a valid CID: Non-base32 character` });
        return;
      }
      if (cid === STALL_CID && method === 'GET' && !m[2]) {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(1024 * 1024) });
        res.write(Buffer.alloc(STALL_FIRST_CHUNK, 7));
        this.emit('stalling');
        return; // never ends: the client's stall guard must give up
      }
      if (cid === STALL_CID && m[2]) {
        send(res, 200, meta(cid, { bytes: Buffer.alloc(0), name: 'stalled.bin', contentType: 'application/octet-stream', keywords: [], created: '' }, 1024 * 1024));
        return;
      }
      const obj = this.store.get(cid);
      if (method === 'DELETE' && !m[2]) {
        if (!obj) {
          send(res, 404, { code: 'NOT_FOUND', message: `object ${cid} not found` });
          return;
        }
        this.store.delete(cid);
        send(res, 200, { cid, deleted: true });
        return;
      }
      if (method !== 'GET') {
        send(res, 405, { code: 'METHOD_NOT_ALLOWED', message: `${method} is not allowed on ${path}` });
        return;
      }
      if (!obj) {
        send(res, 404, { code: 'NOT_FOUND', message: `object ${cid} not found` });
        return;
      }
      if (m[2]) {
        send(res, 200, meta(cid, obj, obj.bytes.length));
        return;
      }
      res.writeHead(200, { 'content-type': obj.contentType, 'content-length': String(obj.bytes.length), etag: `"${cid}"` });
      res.end(obj.bytes);
      return;
    }
    send(res, 404, { code: 'NOT_FOUND', message: `Route ${method}:${req.url} not found` });
  }
}

function meta(cid: string, obj: FakeObject, size: number): object {
  return {
    cid,
    name: obj.name,
    contentType: obj.contentType,
    size,
    blocks: Math.max(1, Math.ceil(size / 262_144)),
    keywords: obj.keywords,
    created: obj.created,
    uploader: ID(1),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
