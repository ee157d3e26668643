import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from 'typebox';
import { clientSignal } from '../client-signal.ts';
import { CidParamsSchema } from '../content-schemas.ts';
import { COMMON_ERROR_STATUSES, errorResponses } from '../schemas.ts';

const HexId = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Node id: 64 lower-case hex digits' });

const ReplicasSchema = Type.Object(
  {
    cid: Type.String(),
    blocks: Type.Array(
      Type.Object(
        {
          cid: Type.String({ description: 'CID of one block of the DAG' }),
          replicas: Type.Array(HexId, { description: 'The r nodes that should hold it, as this node sees the network' }),
          holders: Type.Array(HexId, { description: 'The nodes asked (replicas and the next two) that hold it as a replica or hand-off copy' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type ReplicasView = Static<typeof ReplicasSchema>;

const ProvidersSchema = Type.Object(
  {
    cid: Type.String(),
    replicas: Type.Array(HexId, { description: 'The r nodes closest to the CID, which keep its record (and provider records)' }),
    providers: Type.Array(
      Type.Object(
        {
          id: HexId,
          address: Type.String({ description: 'Peer-protocol address of the provider' }),
          expires: Type.String({ description: 'When its record lapses unless it re-announces (ISO 8601)' }),
        },
        { additionalProperties: false },
      ),
      { description: 'Nodes besides the replicas that read the object, keep its blocks in their cache and announced it' },
    ),
  },
  { additionalProperties: false },
);

export type ProvidersView = Static<typeof ProvidersSchema>;

/** The provider records of an object as replication answers them (ContentNode.providerRecords). */
export interface ProviderRecords {
  replicas: readonly string[];
  providers: readonly { id: string; address: string; expiresMs: number }[];
}

/** What the replicas and providers routes need from replication. */
export interface ReplicasSource {
  locate(cid: string, options: { signal: AbortSignal }): Promise<ReplicasView>;
  providers(cid: string, options: { signal: AbortSignal }): Promise<ProviderRecords>;
}

/** Replication's provider records as the route returns them (expiry as ISO 8601). */
export function providersView(cid: string, records: ProviderRecords): ProvidersView {
  return {
    cid,
    replicas: [...records.replicas],
    providers: records.providers.map((p) => ({ id: p.id, address: p.address, expires: new Date(p.expiresMs).toISOString() })),
  };
}

/**
 * `GET /v1/objects/:cid/replicas`: where every block of an object is, asked of the nodes that should
 * hold it (like `ipfs dht findprovs` per block). Operators and tests watch repair with it.
 * `GET /v1/objects/:cid/providers`: the provider records of an object, asked of its r closest nodes.
 */
export function replicasRoutes(source: ReplicasSource): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: Static<typeof CidParamsSchema> }>(
      '/v1/objects/:cid/replicas',
      {
        schema: {
          tags: ['content'],
          operationId: 'objectReplicas',
          summary: 'Every block of an object with its replica set and the nodes that hold it now',
          params: CidParamsSchema,
          response: { 200: ReplicasSchema, ...errorResponses(400, 404, 504, ...COMMON_ERROR_STATUSES) },
        },
      },
      async (request, reply) => source.locate(request.params.cid, { signal: clientSignal(reply) }),
    );
    app.get<{ Params: Static<typeof CidParamsSchema> }>(
      '/v1/objects/:cid/providers',
      {
        schema: {
          tags: ['content'],
          operationId: 'objectProviders',
          summary: 'The provider records of an object (nodes that cached it and serve it), like `ipfs routing findprovs`',
          params: CidParamsSchema,
          response: { 200: ProvidersSchema, ...errorResponses(400, 504, ...COMMON_ERROR_STATUSES) },
        },
      },
      async (request, reply) => providersView(request.params.cid, await source.providers(request.params.cid, { signal: clientSignal(reply) })),
    );
  };
}
