import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from 'typebox';
import { NotAcceptableError } from '@peerweave/core';
import { clientSignal } from '../client-signal.ts';
import { ifNoneMatchMatches } from '../conditional-request.ts';
import type { ContentRoutesInit } from '../content-routes-init.ts';
import { CidParamsSchema, OBJECT_HEADERS, ObjectReadHeadersSchema, objectBytesResponses } from '../content-schemas.ts';
import { CAR_TYPE, RAW_BLOCK_TYPE, negotiateGatewayFormat } from '../media-negotiation.ts';
import { IMMUTABLE_CACHE_CONTROL, cidSchemaErrorFormatter, sendObject, stripSuccessHeadersOnError } from '../object-response.ts';
import { startStream } from '../object-stream.ts';
import { COMMON_ERROR_STATUSES, errorResponses } from '../schemas.ts';

/** What the CAR responses are: CARv1, blocks in depth-first order, each block once. */
export const CAR_CONTENT_TYPE = `${CAR_TYPE}; version=1; order=dfs; dups=n`;

const GatewayQuerySchema = Type.Object(
  {
    format: Type.Optional(
      Type.String({ description: '`raw` (one block) or `car` (the DAG); wins over `Accept`. Other formats are 406.' }),
    ),
  },
  { additionalProperties: false },
);

const GatewayHeadersSchema = Type.Object({
  ...ObjectReadHeadersSchema.properties,
  accept: Type.Optional(
    Type.String({
      description: `\`${RAW_BLOCK_TYPE}\`, \`${CAR_TYPE}\`, or \`*/*\` / \`text/html\` for the file itself; anything else alone is 406`,
    }),
  ),
});

type CidParams = Static<typeof CidParamsSchema>;
type GatewayQuery = Static<typeof GatewayQuerySchema>;

const header = (description: string): TSchema => Type.String({ description });
const GATEWAY_HEADERS = {
  'x-ipfs-path': header('`/ipfs/<cid>`'),
  'x-ipfs-roots': header('`<cid>`'),
  vary: header('`Accept`'),
};
const verifiable = (type: string, etag: string, filename: string): Record<string, unknown> => ({
  schema: {
    type: 'string',
    format: 'binary',
    description: `content type \`${type}\`, ETag \`${etag}\`, \`Content-Disposition: attachment; filename="${filename}"\``,
  },
});

/**
 * A subset of the IPFS trustless gateway (https://specs.ipfs.tech/http-gateways/trustless-gateway/):
 * `GET`/`HEAD /ipfs/:cid` gives one raw block (`Accept: application/vnd.ipld.raw` or `?format=raw`)
 * or the DAG as a CARv1 (`application/vnd.ipld.car` or `?format=car`), both verifiable by the
 * client against the CID. A browser or a wildcard `Accept` gets the file itself, as
 * `GET /v1/objects/:cid`.
 * Paths below the CID (`/ipfs/:cid/a/b`) and `dag-scope`/`entity-bytes` are not supported.
 */
export function gatewayRoutes(init: ContentRoutesInit): FastifyPluginAsync {
  return async (app) => {
    stripSuccessHeadersOnError(app);

    const serve =
      (head: boolean) =>
      async (request: FastifyRequest<{ Params: CidParams; Querystring: GatewayQuery }>, reply: FastifyReply): Promise<FastifyReply> => {
        const { cid } = request.params;
        void reply.header('vary', 'Accept').header('x-content-type-options', 'nosniff');
        const format = negotiateGatewayFormat(request.headers.accept, request.query.format);
        if (format === undefined) {
          const asked = request.query.format !== undefined ? `format=${request.query.format}` : `Accept: ${request.headers.accept ?? ''}`;
          throw new NotAcceptableError(
            `cannot produce ${asked.slice(0, 200)}; ask for ${RAW_BLOCK_TYPE}, ${CAR_TYPE} or */* (or format=raw|car)`,
          );
        }
        const signal = clientSignal(reply);
        void reply.header('x-ipfs-path', `/ipfs/${cid}`).header('x-ipfs-roots', cid);
        if (format === 'file') return sendObject(init, cid, request, reply, { head, signal });

        const etag = `"${cid}.${format}"`;
        const notModified = ifNoneMatchMatches(request.headers['if-none-match'], etag);
        let body: Uint8Array | NodeJS.ReadableStream | undefined;
        if (format === 'raw') {
          const block = await init.getBlock(cid, { signal });
          void reply.header('content-length', String(block.byteLength));
          body = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
        } else if (head || notModified) {
          // Whether GET would find the DAG, without walking it; a CAR's length is not known ahead.
          await init.getBlock(cid, { signal });
        } else {
          body = await startStream(init.car(cid, { signal }), undefined, signal);
        }
        if (notModified) {
          reply.removeHeader('content-length');
          return reply.code(304).header('etag', etag).header('cache-control', IMMUTABLE_CACHE_CONTROL).send();
        }
        void reply
          .header('content-type', format === 'raw' ? RAW_BLOCK_TYPE : CAR_CONTENT_TYPE)
          .header('etag', etag)
          .header('cache-control', IMMUTABLE_CACHE_CONTROL)
          .header('content-disposition', `attachment; filename="${cid}.${format === 'raw' ? 'bin' : 'car'}"`);
        return reply.send(head ? undefined : body);
      };

    const schema = (head: boolean) => {
      const responses = objectBytesResponses(GATEWAY_HEADERS);
      return {
        tags: ['gateway'],
        operationId: 'ipfsGateway',
        summary: head
          ? 'The headers of GET /ipfs/{cid}; neither the file nor the DAG is read'
          : 'Trustless gateway: a raw block or a CAR by `Accept` or `?format=`, else the file itself',
        params: CidParamsSchema,
        querystring: GatewayQuerySchema,
        headers: GatewayHeadersSchema,
        response: {
          ...responses,
          200: {
            description: 'A raw block, a CARv1 of the DAG, or the file',
            headers: {
              ...OBJECT_HEADERS,
              ...GATEWAY_HEADERS,
              'content-disposition': header('`attachment; filename="<cid>.bin"` or `"<cid>.car"` (raw block and CAR only)'),
            },
            content: {
              [RAW_BLOCK_TYPE]: verifiable(RAW_BLOCK_TYPE, '"<cid>.raw"', '<cid>.bin'),
              [CAR_TYPE]: verifiable(CAR_CONTENT_TYPE, '"<cid>.car"', '<cid>.car'),
              '*/*': { schema: { type: 'string', format: 'binary', description: 'The file, with its own content type' } },
            },
          } as unknown as TSchema,
          ...errorResponses(400, 404, 406, 416, ...COMMON_ERROR_STATUSES),
        },
      };
    };
    app.get<{ Params: CidParams; Querystring: GatewayQuery }>(
      '/ipfs/:cid',
      { exposeHeadRoute: false, schemaErrorFormatter: cidSchemaErrorFormatter, schema: schema(false) },
      serve(false),
    );
    app.head<{ Params: CidParams; Querystring: GatewayQuery }>(
      '/ipfs/:cid',
      { schemaErrorFormatter: cidSchemaErrorFormatter, schema: schema(true), config: { swagger: { exposeHeadRoute: true } } },
      serve(true),
    );
  };
}
