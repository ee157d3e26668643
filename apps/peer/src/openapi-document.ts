import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { OpenApiDocument } from '@peerweave/http-api';

// Generated from the route schemas of the route set a node serves (libs/http-api), by the build
// (scripts/build.ts) and `npm run api:gen`.
export { generateOpenApiDocument } from '@peerweave/http-api';

/**
 * The OpenAPI document of the node's HTTP API, written by scripts/build.ts beside the bundle
 * (dist/lib/peer/openapi.json) so that a node never loads the generator (see
 * HttpApiInit.openApiDocument).
 */
export const OPENAPI_FILE = 'openapi.json';

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
