import type { FastifyPluginAsync } from 'fastify';
import type { Logger, LogLevel } from '@peerweave/core';
import type { HttpAccessInit } from './auth/access-control.ts';
import type { OpenApiDocument } from './routes/openapi-routes.ts';
import type { HttpTimeouts } from './server-timeouts.ts';
import type { NodeStatus } from './schemas.ts';

/**
 * Largest JSON request body accepted (the default of `PEERWEAVE_HTTP_BODY_LIMIT`, which the node's
 * config reads from here); a larger one gets 413 before it is read whole. JSON bodies are small
 * (uploads stream past this limit); larger lets a client hold more of the node's memory per request.
 */
export const DEFAULT_BODY_LIMIT = 1_048_576;

export type Readiness =
  | { ready: true }
  | { ready: false; code: 'NOT_READY' | 'SHUTTING_DOWN'; reason: string };

/** What `/metrics` serves; the telemetry lib's MetricsRegistry is one. */
export interface MetricsSource {
  readonly contentType: string;
  text(): Promise<string>;
}

export interface HttpApiInit {
  /**
   * Fastify logs through it (as `loggerInstance`), request by request with a `reqId`. At run time
   * this is a pino logger from the telemetry lib; anything with the core Logger's methods works.
   */
  logger: Logger;
  /**
   * Largest request body in bytes; larger bodies get 413 PAYLOAD_TOO_LARGE before they are read
   * whole. A route may set its own `bodyLimit`. Default {@link DEFAULT_BODY_LIMIT}.
   */
  bodyLimit?: number;
  /** Called on every `GET /v1/status`; may be async. */
  status(): NodeStatus | Promise<NodeStatus>;
  /** Called on every `GET /readyz`; keep it cheap, orchestrators poll it every few seconds. */
  readiness(): Readiness;
  metrics: MetricsSource;
  /**
   * Both or neither: with both, `GET`/`PUT /v1/log-level` are served (an operator turns on debug
   * logs without a restart, like Kubo's `ipfs log level`); with neither, those paths are 404.
   */
  getLogLevel?(): LogLevel;
  setLogLevel?(level: LogLevel): void;
  /**
   * Route groups of other libs, registered after the built-in routes, each in its own
   * encapsulated context. They inherit the error handler, the OpenAPI collection and the JSON
   * parser; give every route request and response schemas and list its errors with
   * `errorResponses()`.
   */
  plugins?: readonly FastifyPluginAsync[];
  /**
   * What `GET /openapi.json` serves, asked on every request of it: a document generated ahead of
   * time from these same routes (the peer's build writes one beside the bundle). Then
   * `@fastify/swagger`, its YAML library and its `$ref` resolver are never loaded, and no route is
   * collected for it: ~3 MiB of an idle node's RSS (measured). Omitted: `@fastify/swagger` is loaded by
   * build() and generates the document from the route schemas (tests, and the generation itself).
   */
  openApiDocument?: () => Promise<OpenApiDocument>;
  /**
   * Bearer tokens and per-client rate limits (src/auth/access-control.ts). Omitted: no tokens (every
   * route open) and the default rate limits.
   */
  access?: HttpAccessInit;
  /** Server timeouts against slow clients (src/server-timeouts.ts); omitted: the defaults. */
  timeouts?: HttpTimeouts;
}
