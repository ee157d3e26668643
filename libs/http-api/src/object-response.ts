import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { InvalidCidError, RangeNotSatisfiableError, isPeerweaveError } from '@peerweave/core';
import { contentRange, parseRange, unsatisfiedContentRange } from './byte-range.ts';
import { ifNoneMatchMatches, ifRangeAllows } from './conditional-request.ts';
import type { ContentRoutesInit } from './content-routes-init.ts';
import { describeValidation } from './error-reply.ts';
import { BUFFERED_BODY_MAX_BYTES, readWhole, startStream } from './object-stream.ts';
import { DEFAULT_CONTENT_TYPE, MEDIA_TYPE_PATTERN } from './upload-meta.ts';

/** 48 weeks, what IPFS gateways send: a CID's bytes never change. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=29030400, immutable';

const MEDIA_TYPE = new RegExp(MEDIA_TYPE_PATTERN);

/** Headers that describe a successful representation; an error reply must not keep them. */
const SUCCESS_ONLY_HEADERS = ['etag', 'cache-control', 'content-disposition', 'last-modified'];

/**
 * Makes the replies of an encapsulated context that fails after it set success headers (a stream
 * failing before its first byte went out) plain errors, never cached as immutable.
 */
export function stripSuccessHeadersOnError(app: FastifyInstance): void {
  app.addHook('onError', async (_request, reply, err) => {
    for (const name of SUCCESS_ONLY_HEADERS) reply.removeHeader(name);
    if (!(isPeerweaveError(err) && err.code === 'RANGE_NOT_SATISFIABLE')) reply.removeHeader('content-range');
  });
}

/**
 * A route's `schemaErrorFormatter`: a `:cid` that fails its pattern is INVALID_CID, like a CID the
 * callbacks reject; anything else keeps the usual INVALID_ARGUMENT message.
 */
export const cidSchemaErrorFormatter: NonNullable<RouteShorthandOptions['schemaErrorFormatter']> = (errors, dataVar) => {
  if (dataVar === 'params' && errors.some((e) => e.instancePath === '/cid')) {
    return new InvalidCidError('cid must be 1 to 128 letters and digits (a CIDv1 in base32 or base58btc, or a CIDv0)');
  }
  return new Error(describeValidation(dataVar, errors));
};

/**
 * `GET`/`HEAD` of an object's bytes with caching and range semantics: `If-None-Match` → 304, one
 * `Range` → 206 (416 when it lies outside), `If-Range` guarding it. HEAD answers from stat()
 * alone; GET reads only the bytes it sends.
 */
export async function sendObject(
  init: ContentRoutesInit,
  cid: string,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { head: boolean; signal: AbortSignal },
): Promise<FastifyReply> {
  const { signal } = options;
  const info = await init.stat(cid, { signal, withData: !options.head });
  const etag = `"${cid}"`;
  if (ifNoneMatchMatches(request.headers['if-none-match'], etag)) {
    return reply.code(304).header('etag', etag).header('cache-control', IMMUTABLE_CACHE_CONTROL).send();
  }

  const rangeHeader = ifRangeAllows(firstHeader(request.headers['if-range']), etag) ? request.headers.range : undefined;
  const range = parseRange(rangeHeader, info.size);
  void reply.header('accept-ranges', 'bytes');
  if (range === 'unsatisfiable') {
    void reply.header('content-range', unsatisfiedContentRange(info.size));
    throw new RangeNotSatisfiableError(`range "${rangeHeader ?? ''}" lies outside the ${info.size} bytes of ${cid}`);
  }

  const length = range?.length ?? info.size;
  let body: Buffer | Readable | undefined;
  if (!options.head) {
    const source = init.read(cid, range, { signal });
    body = length <= (init.bufferedBodyMaxBytes ?? BUFFERED_BODY_MAX_BYTES) ? await readWhole(source, length) : await startStream(source, length, signal);
  }
  void reply
    // A stored type is echoed into a header: one that is not a media type must not break it.
    .header('content-type', MEDIA_TYPE.test(info.contentType) ? info.contentType : DEFAULT_CONTENT_TYPE)
    .header('content-length', String(length))
    .header('etag', etag)
    .header('cache-control', IMMUTABLE_CACHE_CONTROL)
    .header('x-content-type-options', 'nosniff')
    // Uploaded HTML is served from the API's own origin: sandboxed, its scripts cannot call the API
    // (e.g. DELETE objects) with the viewer's access. Subdomain gateways would be the other way.
    .header('content-security-policy', OBJECT_CSP);
  if (range !== undefined) void reply.code(206).header('content-range', contentRange(range, info.size));
  return reply.send(body);
}

/** Served with every object's bytes: no scripts, forms or same-origin access for stored content. */
export const OBJECT_CSP = 'sandbox';

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
