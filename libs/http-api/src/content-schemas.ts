import { Type, type TSchema } from 'typebox';
import { MAX_CID_LENGTH } from '@peerweave/core';
import { MEDIA_TYPE_PATTERN } from './upload-meta.ts';

export const CidParamsSchema = Type.Object(
  {
    cid: Type.String({
      pattern: `^[A-Za-z0-9]{1,${MAX_CID_LENGTH}}$`,
      description: 'CID of the object (CIDv1 base32 `bafy…`, or CIDv0 `Qm…`)',
    }),
  },
  { additionalProperties: false },
);

export const ObjectInfoSchema = Type.Object(
  {
    cid: Type.String({ description: 'CID of the root of the object DAG' }),
    name: Type.String({ description: 'File name given at upload; may be empty' }),
    contentType: Type.String({ description: 'Media type given at upload' }),
    size: Type.Integer({ minimum: 0, description: 'Bytes of the file' }),
    blocks: Type.Integer({ minimum: 0, description: 'Blocks of its DAG' }),
    keywords: Type.Array(Type.String(), { description: 'Search keywords given at upload' }),
    created: Type.String({ format: 'date-time' }),
    uploader: Type.String({ description: 'Node id of the uploader' }),
  },
  { additionalProperties: false, description: 'A stored object' },
);

export const PutOutcomeSchema = Type.Object(
  {
    cid: Type.String(),
    size: Type.Integer({ minimum: 0 }),
    blocks: Type.Integer({ minimum: 0 }),
    replicas: Type.Integer({
      minimum: 0,
      description:
        'Copies of the least-copied block when the write was acknowledged, at most r: its replicas, and stand-ins holding a hinted copy for a replica that did not answer (handed back later); at least the write quorum w',
    }),
  },
  { additionalProperties: false, description: 'Stored; `Location` is its URL' },
);

export const UploadQuerySchema = Type.Object(
  {
    name: Type.Optional(Type.String({ description: 'File name (else `X-Peerweave-Name`, else the `Content-Disposition` filename)' })),
    type: Type.Optional(
      Type.String({ pattern: MEDIA_TYPE_PATTERN, description: 'Media type (else `Content-Type`, else application/octet-stream)' }),
    ),
    keywords: Type.Optional(Type.String({ description: 'Comma-separated keywords (else `X-Peerweave-Keywords`)' })),
  },
  { additionalProperties: false },
);

/** Documentation only: no `additionalProperties: false`, which would strip the other headers. */
export const UploadHeadersSchema = Type.Object({
  'x-peerweave-name': Type.Optional(Type.String({ description: 'File name' })),
  'x-peerweave-keywords': Type.Optional(Type.String({ description: 'Comma-separated keywords' })),
  'content-disposition': Type.Optional(Type.String({ description: '`attachment; filename="…"` names the file' })),
});

export const ObjectReadHeadersSchema = Type.Object({
  range: Type.Optional(Type.String({ description: 'One range: `bytes=a-b`, `bytes=a-` or `bytes=-n`; others are ignored' })),
  'if-none-match': Type.Optional(Type.String({ description: '`"<cid>"` (or `*`) answers 304' })),
  'if-range': Type.Optional(Type.String({ description: 'Range applies only if this is `"<cid>"`' })),
});

export const ListQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    after: Type.Optional(Type.String({ minLength: 1, description: '`next` of the previous page' })),
  },
  { additionalProperties: false },
);

export const ObjectListSchema = Type.Object(
  {
    objects: Type.Array(ObjectInfoSchema),
    next: Type.Optional(Type.String({ description: 'Pass as `after` for the next page; absent on the last' })),
  },
  { additionalProperties: false, description: 'A page of objects' },
);

export const DeletedSchema = Type.Object(
  { cid: Type.String(), deleted: Type.Literal(true) },
  { additionalProperties: false, description: 'Deleted' },
);

const header = (description: string): TSchema => Type.String({ description });

/** Headers of a 200/206 carrying an object's bytes (and of HEAD). */
export const OBJECT_HEADERS = {
  'content-type': header("The object's media type"),
  'content-length': header('Bytes of the body (of the range for 206)'),
  etag: header('`"<cid>"`: content-addressed, so it never changes'),
  'accept-ranges': header('`bytes`'),
  'cache-control': header('`public, max-age=29030400, immutable`'),
  'x-content-type-options': header('`nosniff`'),
  'content-security-policy': header('`sandbox`: stored HTML cannot run scripts with the API origin'),
};

const binary = (description: string): TSchema =>
  ({ description, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } }) as unknown as TSchema;

/** The object-bytes responses of `GET`/`HEAD`, for `schema.response`. */
export function objectBytesResponses(extraHeaders: Record<string, TSchema> = {}): Record<number, TSchema> {
  return {
    200: { ...binary('The object'), headers: { ...OBJECT_HEADERS, ...extraHeaders } } as TSchema,
    206: {
      ...binary('The requested range of the object'),
      headers: { ...OBJECT_HEADERS, ...extraHeaders, 'content-range': header('`bytes a-b/size`') },
    } as TSchema,
    304: { type: 'null', description: 'Not modified: `If-None-Match` matched', headers: { etag: OBJECT_HEADERS.etag } } as TSchema,
  };
}
