import type { FastifyPluginAsync } from 'fastify';
import type { MetricsSource } from '../http-api-init.ts';
import { COMMON_ERROR_STATUSES, errorResponses } from '../schemas.ts';

export function metricsRoutes(deps: { metrics: MetricsSource }): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/metrics',
      {
        // Prometheus scrapes without a token and every few seconds; the figures name no object
        // and no token (README "HTTP tokens and limits").
        config: { access: 'open' },
        schema: {
          tags: ['operator'],
          operationId: 'getMetrics',
          summary: 'Prometheus metrics in the text exposition format',
          response: {
            200: {
              description: 'Prometheus text format, version 0.0.4',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            ...errorResponses(...COMMON_ERROR_STATUSES),
          },
        },
      },
      async (_request, reply) => {
        const text = await deps.metrics.text();
        // A string with a non-JSON content type is sent as is, not through the JSON serializer.
        return reply.type(deps.metrics.contentType).send(text);
      },
    );
  };
}
