import type { FastifyPluginAsync } from 'fastify';
import { COMMON_ERROR_STATUSES, NodeStatusSchema, errorResponses, type NodeStatus } from '../schemas.ts';

export function statusRoutes(deps: { status: () => NodeStatus | Promise<NodeStatus> }): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/v1/status',
      {
        schema: {
          tags: ['node'],
          operationId: 'getStatus',
          summary: "This node's identity, role, version, uptime and addresses",
          response: { 200: NodeStatusSchema, ...errorResponses(...COMMON_ERROR_STATUSES) },
        },
      },
      async () => deps.status(),
    );
  };
}
