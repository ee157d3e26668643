import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { PayloadTooLargeError } from '@peerweave/core';
import { clientSignal } from '../client-signal.ts';
import type { ContentRoutesInit } from '../content-routes-init.ts';
import {
  CidParamsSchema,
  DeletedSchema,
  ListQuerySchema,
  ObjectInfoSchema,
  ObjectListSchema,
  ObjectReadHeadersSchema,
  PutOutcomeSchema,
  UploadHeadersSchema,
  UploadQuerySchema,
  objectBytesResponses,
} from '../content-schemas.ts';
import { cidSchemaErrorFormatter, sendObject, stripSuccessHeadersOnError } from '../object-response.ts';
import { COMMON_ERROR_STATUSES, errorResponses } from '../schemas.ts';
import { UploadBody } from '../upload-body.ts';
import { uploadMetaOf } from '../upload-meta.ts';

type CidParams = Static<typeof CidParamsSchema>;
type UploadQuery = Static<typeof UploadQuerySchema>;
type ListQuery = Static<typeof ListQuerySchema>;

/**
 * Documentation of the raw upload body. Fastify validates a body against the `content` entry of
 * the request's own media type, and no request carries the wildcard one: nothing is validated.
 */
const UPLOAD_BODY = {
  description: 'The object bytes, streamed as they arrive, whatever the Content-Type',
  content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
};

/**
 * The object API: `POST`/`PUT /v1/objects` (raw body upload), `GET`/`HEAD /v1/objects/:cid` (bytes,
 * with ETag, ranges and immutable caching), `GET /v1/objects/:cid/meta`, `GET /v1/objects` (paged
 * listing) and `DELETE /v1/objects/:cid`.
 *
 * Bodies are never parsed here: this context drops the inherited JSON parser and passes every
 * request stream to put() untouched (a JSON file is stored as bytes), limited by
 * `maxObjectBytes` instead of the app's `bodyLimit`.
 */
export function contentRoutes(init: ContentRoutesInit): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    stripSuccessHeadersOnError(app);

    const maxObjectBytes = init.maxObjectBytes;
    const rejectDeclaredTooLarge = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > maxObjectBytes) {
        // The body is not read: close the connection rather than drain it.
        void reply.header('connection', 'close');
        throw new PayloadTooLargeError(`object of ${declared} bytes is larger than the limit of ${maxObjectBytes} bytes`);
      }
    };

    const upload = async (
      request: FastifyRequest<{ Querystring: UploadQuery }>,
      reply: FastifyReply,
    ): Promise<Static<typeof PutOutcomeSchema>> => {
      const signal = clientSignal(reply);
      const meta = uploadMetaOf(request.query, request.headers);
      const body = new UploadBody(request.body as AsyncIterable<Uint8Array> | undefined, maxObjectBytes);
      try {
        const outcome = await init.put(body, meta, { signal });
        void reply.code(201).header('location', `/v1/objects/${encodeURIComponent(outcome.cid)}`);
        return { cid: outcome.cid, size: outcome.size, blocks: outcome.blocks, replicas: outcome.replicas };
      } finally {
        // The rest of an unread body would otherwise be drained by Node before the next request.
        if (!body.complete) void reply.header('connection', 'close');
      }
    };
    for (const method of ['POST', 'PUT'] as const) {
      app.route<{ Querystring: UploadQuery }>({
        method,
        url: '/v1/objects',
        bodyLimit: maxObjectBytes,
        onRequest: rejectDeclaredTooLarge,
        schema: {
          tags: ['content'],
          operationId: method === 'POST' ? 'uploadObject' : 'uploadObjectPut',
          summary:
            method === 'POST'
              ? 'Store an object from the raw request body, chunked into a DAG and replicated'
              : 'Same as POST, so that `curl -T file` works',
          querystring: UploadQuerySchema,
          headers: UploadHeadersSchema,
          body: UPLOAD_BODY,
          response: {
            201: {
              ...PutOutcomeSchema,
              headers: { location: { type: 'string', description: '`/v1/objects/<cid>`' } },
            },
            ...errorResponses(400, 413, ...COMMON_ERROR_STATUSES),
          },
        },
        handler: upload,
      });
    }

    app.get<{ Querystring: ListQuery }>(
      '/v1/objects',
      {
        schema: {
          tags: ['content'],
          operationId: 'listObjects',
          summary: 'Objects stored on this node, a page at a time',
          querystring: ListQuerySchema,
          response: { 200: ObjectListSchema, ...errorResponses(400, ...COMMON_ERROR_STATUSES) },
        },
      },
      async (request) => {
        const { limit = 100, after } = request.query;
        const page = await init.list(after === undefined ? { limit } : { limit, after });
        return page.next === undefined ? { objects: page.objects } : { objects: page.objects, next: page.next };
      },
    );

    const readSchema = (head: boolean) => ({
      tags: ['content'],
      operationId: 'getObject',
      summary: head
        ? 'The headers of GET, from the metadata alone; the bytes are not read'
        : 'The object bytes; one `Range` gives 206, `If-None-Match` 304',
      params: CidParamsSchema,
      headers: ObjectReadHeadersSchema,
      response: {
        ...objectBytesResponses(),
        ...errorResponses(400, 404, 416, ...COMMON_ERROR_STATUSES),
      },
    });
    app.get<{ Params: CidParams }>(
      '/v1/objects/:cid',
      // Fastify's own HEAD would run this handler and stream the whole object.
      { exposeHeadRoute: false, schemaErrorFormatter: cidSchemaErrorFormatter, schema: readSchema(false) },
      async (request, reply) => sendObject(init, request.params.cid, request, reply, { head: false, signal: clientSignal(reply) }),
    );
    app.head<{ Params: CidParams }>(
      '/v1/objects/:cid',
      { schemaErrorFormatter: cidSchemaErrorFormatter, schema: readSchema(true), config: { swagger: { exposeHeadRoute: true } } },
      async (request, reply) => sendObject(init, request.params.cid, request, reply, { head: true, signal: clientSignal(reply) }),
    );

    app.get<{ Params: CidParams }>(
      '/v1/objects/:cid/meta',
      {
        schemaErrorFormatter: cidSchemaErrorFormatter,
        schema: {
          tags: ['content'],
          operationId: 'getObjectMeta',
          summary: "The object's metadata: name, type, size, blocks, keywords",
          params: CidParamsSchema,
          response: { 200: ObjectInfoSchema, ...errorResponses(400, 404, ...COMMON_ERROR_STATUSES) },
        },
      },
      async (request, reply) => init.stat(request.params.cid, { signal: clientSignal(reply) }),
    );

    app.delete<{ Params: CidParams }>(
      '/v1/objects/:cid',
      {
        schemaErrorFormatter: cidSchemaErrorFormatter,
        schema: {
          tags: ['content'],
          operationId: 'deleteObject',
          summary: 'Delete the object from this node',
          params: CidParamsSchema,
          response: { 200: DeletedSchema, ...errorResponses(400, 404, ...COMMON_ERROR_STATUSES) },
        },
      },
      async (request, reply) => {
        const { cid } = request.params;
        await init.remove(cid, { signal: clientSignal(reply) });
        return { cid, deleted: true as const };
      },
    );
  };
}
