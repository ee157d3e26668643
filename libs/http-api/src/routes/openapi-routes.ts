import type { FastifyPluginAsync } from 'fastify';
import type {} from '@fastify/swagger';
import { Type } from 'typebox';
import { COMMON_ERROR_STATUSES, errorResponses } from '../schemas.ts';

/** Checks the outline; the rest of the document passes through (additionalProperties). */
const OpenApiDocumentSchema = Type.Object(
  {
    openapi: Type.String(),
    info: Type.Object({ title: Type.String(), version: Type.String() }, { additionalProperties: true }),
    paths: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: true },
);

export function openApiRoutes(): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/openapi.json',
      {
        schema: {
          tags: ['operator'],
          operationId: 'getOpenApi',
          summary: 'This OpenAPI 3.1 document, generated from the route schemas',
          response: { 200: OpenApiDocumentSchema, ...errorResponses(...COMMON_ERROR_STATUSES) },
        },
      },
      async () => app.swagger(),
    );
  };
}
