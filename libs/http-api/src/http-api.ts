import { fastify, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { VERSION } from '@peerweave/core';
import { createClientErrorHandler } from './client-error-handler.ts';
import { BEARER_SCHEME, installAccessControl } from './auth/access-control.ts';
import { installErrorHandling, sendError } from './error-handling.ts';
import { lazySchemaCompilers, type LazySchemaCompilers } from './lazy-schema-compilers.ts';
import { DEFAULT_BODY_LIMIT, type HttpApiInit } from './http-api-init.ts';
import { RequestLogController } from './request-log-controller.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { livePageRoutes } from './routes/live-page-routes.ts';
import { logLevelRoutes } from './routes/log-level-routes.ts';
import { metricsRoutes } from './routes/metrics-routes.ts';
import { openApiRoutes, type OpenApiDocument } from './routes/openapi-routes.ts';
import { statusRoutes } from './routes/status-routes.ts';
import { serverTimeoutOptions } from './server-timeouts.ts';

/** Longest path parameter the router accepts; longer ones are 414. */
const MAX_PATH_PARAM_LENGTH = 256;

/** What @fastify/swagger puts around the routes it collects. */
const OPENAPI_OPTIONS: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'Peerweave',
      version: VERSION,
      description: 'HTTP API of a Peerweave node. Every error is `{ "code", "message" }` with a stable `code`.',
    },
    tags: [
      { name: 'health', description: 'Probes for orchestrators' },
      { name: 'node', description: 'This node' },
      { name: 'operator', description: 'Observability and run-time control' },
      { name: 'network', description: 'Peers, liveness and routing' },
      { name: 'content', description: 'Objects: upload, download, metadata, listing' },
      { name: 'gateway', description: 'IPFS trustless gateway: raw blocks and CARs, verifiable against the CID' },
    ],
    components: {
      securitySchemes: {
        [BEARER_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A token from `peerweave token create`, whose SHA-256 is in the node\'s PEERWEAVE_API_TOKENS_FILE. ' +
            'Scopes: `read` < `write` < `admin` (each implies the ones before). Writes need `write`, ' +
            '`PUT /v1/log-level` needs `admin`; reads need `read` only when the node runs with PEERWEAVE_API_READ=token. ' +
            'A node without a tokens file asks for no token.',
        },
      },
    },
  },
};

/**
 * The node's HTTP API, built but not listening: the app calls `listen`, tests call `inject`.
 * Built-in routes first, then `init.plugins` in order, so other libs add route groups without
 * editing this one. Tokens and rate limits (`init.access`) guard every route, plugins' included.
 */
export async function build(init: HttpApiInit): Promise<FastifyInstance> {
  const bodyLimit = init.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const compilers = lazySchemaCompilers();
  const app = fastify({
    // Each route's validators and serializers are compiled at its first request (issue #12).
    schemaController: compilers.schemaController,
    // Fastify needs pino's shape; the core Logger is pino's subset and a pino instance at run time.
    loggerInstance: init.logger as FastifyBaseLogger,
    logController: new RequestLogController(),
    bodyLimit,
    // Room for any CID (up to 128 characters) in a path, so a bad one fails its schema with
    // INVALID_CID instead of the router's 414 at Fastify's default of 100.
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // Our onRequest hook answers during drain instead, in the error shape.
    return503OnClosing: false,
    frameworkErrors: (err, request, reply) => sendError(err, request, reply, bodyLimit),
    clientErrorHandler: createClientErrorHandler(init.logger),
    ...serverTimeoutOptions(init.timeouts),
  });
  // JSON only: text/plain bodies get 415 instead of reaching a schema as a string.
  app.removeContentTypeParser('text/plain');
  installErrorHandling(app, bodyLimit);
  await installAccessControl(app, init.access ?? {});

  let openApiDocument = init.openApiDocument;
  if (openApiDocument === undefined) {
    // Loaded only to generate: it must be registered before the routes it documents.
    const { default: fastifySwagger } = await import('@fastify/swagger');
    await app.register(fastifySwagger, OPENAPI_OPTIONS);
    openApiDocument = async () => app.swagger() as OpenApiDocument;
  }

  await app.register(healthRoutes({ readiness: init.readiness }));
  await app.register(statusRoutes({ status: init.status }));
  await app.register(metricsRoutes({ metrics: init.metrics }));
  if (init.getLogLevel !== undefined && init.setLogLevel !== undefined) {
    await app.register(
      logLevelRoutes({ getLogLevel: init.getLogLevel.bind(init), setLogLevel: init.setLogLevel.bind(init) }),
    );
  }
  await app.register(openApiRoutes(openApiDocument));
  await app.register(livePageRoutes());
  for (const plugin of init.plugins ?? []) await app.register(plugin);
  schemaCompilers.set(app, compilers);
  return app;
}

const schemaCompilers = new WeakMap<FastifyInstance, LazySchemaCompilers>();

/**
 * Compiles every route schema of an app from `build()` that no request has needed yet, after
 * `app.ready()`; throws what ajv or fast-json-stringify throws. For specs: a bad schema would
 * otherwise show only at its route's first request. The number compiled.
 */
export function compileAllSchemas(app: FastifyInstance): number {
  const compilers = schemaCompilers.get(app);
  if (compilers === undefined) throw new Error('not an app from build()');
  return compilers.compileAll();
}
