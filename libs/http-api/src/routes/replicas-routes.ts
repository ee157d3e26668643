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

/** What the replicas route needs from replication. */
export interface ReplicasSource {
  locate(cid: string, options: { signal: AbortSignal }): Promise<ReplicasView>;
}

/**
 * `GET /v1/objects/:cid/replicas`: where every block of an object is, asked of the nodes that should
 * hold it (like `ipfs dht findprovs` per block). Operators and tests watch repair with it.
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
  };
}
