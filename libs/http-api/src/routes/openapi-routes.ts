import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from 'typebox';
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

/** An OpenAPI 3.x document, as `GET /openapi.json` serves it. */
export type OpenApiDocument = Static<typeof OpenApiDocumentSchema>;

/** `GET /openapi.json`: the document `load` gives (see HttpApiInit.openApiDocument). */
export function openApiRoutes(load: () => Promise<OpenApiDocument>): FastifyPluginAsync {
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
      () => load(),
    );
  };
}
