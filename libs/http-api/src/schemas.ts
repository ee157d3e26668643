import { Type, type Static, type TSchema } from 'typebox';
import { ERROR_CODES, LOG_LEVELS, ROLES } from '@peerweave/core';
import { STATUS_CODES } from 'node:http';

/** The body of every error response; plugins reuse it through {@link errorResponses}. */
export const ErrorBodySchema = Type.Object(
  {
    code: Type.Enum(ERROR_CODES, { description: 'Stable error code; clients branch on this, never on the message.' }),
    message: Type.String({ description: 'Human-readable explanation; may change between versions.' }),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Structured, client-safe context.' })),
  },
  { additionalProperties: false },
);

/**
 * Response schemas for the given error statuses, for a route's `schema.response`, so the
 * OpenAPI document lists them and their bodies are serialized (and filtered) like any other.
 */
export function errorResponses(...statuses: readonly number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const s of statuses) out[s] = { ...ErrorBodySchema, description: STATUS_CODES[s] ?? `HTTP ${s}` } as TSchema;
  return out;
}

/**
 * Errors any route can return: 500 for a bug, 503 while the server drains on shutdown. Routes
 * spread this into their responses and add their own.
 */
export const COMMON_ERROR_STATUSES = [500, 503] as const;

/** Errors of a route that takes a JSON body, before its handler runs. */
export const BODY_ERROR_STATUSES = [400, 413, 415] as const;

export const HealthzSchema = Type.Object(
  { status: Type.Literal('ok') },
  { additionalProperties: false, description: 'The process is alive' },
);

export const ReadySchema = Type.Object(
  { ready: Type.Literal(true) },
  { additionalProperties: false, description: 'The node takes traffic' },
);

export const NodeStatusSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Node id: SHA-256 of the public key, hex.' }),
    role: Type.Enum(ROLES),
    version: Type.String(),
    uptimeSeconds: Type.Number({ minimum: 0 }),
    startedAt: Type.String({ format: 'date-time' }),
    publicKey: Type.String({ description: 'Ed25519 public key, base64.' }),
    addresses: Type.Object(
      {
        http: Type.Array(Type.String(), { description: 'Base URLs of this HTTP API.' }),
        grpc: Type.Array(Type.String(), { description: 'host:port of the peer protocol.' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'This node' },
);

/** What `GET /v1/status` returns. */
export type NodeStatus = Static<typeof NodeStatusSchema>;

export const LogLevelSchema = Type.Object(
  { level: Type.Enum(LOG_LEVELS, { description: 'Minimum level written; `silent` writes nothing.' }) },
  { additionalProperties: false, description: 'The log level' },
);
