import type { FastifyPluginAsync } from 'fastify';
import { PeerweaveError } from '@peerweave/core';
import type { Readiness } from '../http-api-init.ts';
import { COMMON_ERROR_STATUSES, HealthzSchema, ReadySchema, errorResponses } from '../schemas.ts';

/**
 * `/healthz`: the process is alive (a liveness probe restarts it otherwise), so it touches
 * nothing. `/readyz`: the node wants traffic (a readiness probe routes around it otherwise).
 * Both `open`: probes carry no token and must never be rate limited into a restart.
 */
export function healthRoutes(deps: { readiness: () => Readiness }): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/healthz',
      {
        config: { access: 'open' },
        schema: {
          tags: ['health'],
          operationId: 'getHealth',
          summary: 'Liveness: the process is up and serving HTTP',
          response: { 200: HealthzSchema, ...errorResponses(...COMMON_ERROR_STATUSES) },
        },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        config: { access: 'open' },
        schema: {
          tags: ['health'],
          operationId: 'getReadiness',
          summary: 'Readiness: 200 when the node takes traffic, 503 NOT_READY or SHUTTING_DOWN otherwise',
          response: { 200: ReadySchema, ...errorResponses(...COMMON_ERROR_STATUSES) },
        },
      },
      async () => {
        const r = deps.readiness();
        if (!r.ready) throw new PeerweaveError(r.code, r.reason);
        return { ready: true as const };
      },
    );
  };
}
