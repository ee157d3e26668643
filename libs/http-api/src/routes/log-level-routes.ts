import type { FastifyPluginAsync } from 'fastify';
import type { Static } from 'typebox';
import type { LogLevel } from '@peerweave/core';
import { BODY_ERROR_STATUSES, COMMON_ERROR_STATUSES, LogLevelSchema, errorResponses } from '../schemas.ts';

type LogLevelBody = Static<typeof LogLevelSchema>;

export function logLevelRoutes(deps: { getLogLevel: () => LogLevel; setLogLevel: (level: LogLevel) => void }): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/v1/log-level',
      {
        schema: {
          tags: ['operator'],
          operationId: 'getLogLevel',
          summary: 'The current minimum level of the JSON logs',
          response: { 200: LogLevelSchema, ...errorResponses(...COMMON_ERROR_STATUSES) },
        },
      },
      async (): Promise<LogLevelBody> => ({ level: deps.getLogLevel() }),
    );

    app.put<{ Body: LogLevelBody }>(
      '/v1/log-level',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['operator'],
          operationId: 'setLogLevel',
          summary: 'Change the log level at run time, for every component, until the next restart',
          body: LogLevelSchema,
          response: { 200: LogLevelSchema, ...errorResponses(...BODY_ERROR_STATUSES, ...COMMON_ERROR_STATUSES) },
        },
      },
      async (request): Promise<LogLevelBody> => {
        const before = deps.getLogLevel();
        deps.setLogLevel(request.body.level);
        const level = deps.getLogLevel();
        // Logged at warn so the change shows even when it raises the level above info.
        request.log.warn({ from: before, to: level }, 'log level changed');
        return { level };
      },
    );
  };
}
