import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { NotReadyError, silentLogger } from '@peerweave/core';
import type { OpenApiDocument } from '@peerweave/http-api';
import { buildHttpApp } from './http-app.ts';

/**
 * The OpenAPI document of the node's HTTP API, written by scripts/build.ts beside the bundle
 * (dist/lib/peer/openapi.json) so that a node never loads the generator (see
 * HttpApiInit.openApiDocument).
 */
export const OPENAPI_FILE = 'openapi.json';

/**
 * Generates the document from the route schemas, without a node: the app is built with sources
 * that refuse every call (registering routes calls none), asked for `/openapi.json`, closed.
 */
export async function generateOpenApiDocument(): Promise<OpenApiDocument> {
  const unavailable = (): never => {
    throw new NotReadyError('only documenting the routes');
  };
  const app = await buildHttpApp({
    logger: silentLogger,
    metrics: { contentType: 'text/plain', text: unavailable },
    status: unavailable,
    readiness: unavailable,
    getLogLevel: unavailable,
    setLogLevel: unavailable,
    peers: { id: '', peers: unavailable, lookup: unavailable },
    content: {
      maxObjectBytes: 1,
      put: unavailable,
      stat: unavailable,
      read: unavailable,
      list: unavailable,
      remove: unavailable,
      getBlock: unavailable,
      car: unavailable,
    },
    replicas: { locate: unavailable, providers: unavailable },
    search: { search: unavailable, status: unavailable },
  });
  try {
    const res = await app.inject({ url: '/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`GET /openapi.json answered ${res.statusCode}: ${res.body}`);
    return res.json<OpenApiDocument>();
  } finally {
    await app.close();
  }
}

/**
 * A loader of the document written beside the running code (`dir`: the bundle's directory), read
 * at each request of it so that nothing stays in memory; undefined when there is none (running
 * from source), and the HTTP API then generates it.
 */
export function builtOpenApiDocument(dir: URL): (() => Promise<OpenApiDocument>) | undefined {
  const file = fileURLToPath(new URL(OPENAPI_FILE, dir));
  if (!existsSync(file)) return undefined;
  return async () => JSON.parse(await readFile(file, 'utf8')) as OpenApiDocument;
}
