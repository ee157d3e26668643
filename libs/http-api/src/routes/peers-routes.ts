import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from 'typebox';
import { COMMON_ERROR_STATUSES, errorResponses } from '../schemas.ts';

const StateSchema = Type.Union([Type.Literal('alive'), Type.Literal('suspect'), Type.Literal('dead'), Type.Literal('left')]);
const HexId = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Node id: 64 lower-case hex digits' });

const PeerSchema = Type.Object(
  {
    id: HexId,
    address: Type.String({ description: '`host:port` of its peer protocol' }),
    role: Type.String(),
    state: StateSchema,
    incarnation: Type.Number(),
    lastSeen: Type.String({ format: 'date-time', description: 'Last message or state change' }),
    bucket: Type.Integer({ description: 'Kademlia distance bucket: 255 − common prefix length with this node' }),
    inTable: Type.Boolean({ description: 'In the routing table (false: only remembered, e.g. dead)' }),
    neighbourhood: Type.Boolean({ description: 'Among the 2·r nodes closest to this node' }),
    overlay: Type.Boolean({ description: 'An overlay neighbour used by flooded search' }),
  },
  { additionalProperties: false },
);

const PeersSchema = Type.Object(
  { self: HexId, count: Type.Integer(), peers: Type.Array(PeerSchema) },
  { additionalProperties: false },
);

const ContactSchema = Type.Object(
  { id: HexId, address: Type.String(), role: Type.String() },
  { additionalProperties: false },
);

const ClosestSchema = Type.Object(
  {
    key: HexId,
    closest: Type.Array(ContactSchema),
    hops: Type.Integer({ description: 'Depth at which the closest node was learnt (0: already known)' }),
    queried: Type.Integer({ description: 'Nodes queried by the lookup' }),
    partial: Type.Boolean({ description: 'The lookup hit its deadline; these are the closest found so far' }),
  },
  { additionalProperties: false },
);

const PeersQuery = Type.Object(
  { state: Type.Optional(StateSchema) },
  { additionalProperties: false },
);
const ClosestQuery = Type.Object(
  {
    key: Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'Key to look up: 64 hex digits (a node id or content key)' }),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
  },
  { additionalProperties: false },
);

export type PeerRow = Omit<Static<typeof PeerSchema>, 'lastSeen'> & { lastSeen: number };

/** What the peers routes need from the routing layer. */
export interface PeersSource {
  readonly id: string;
  peers(): PeerRow[];
  lookup(
    key: Uint8Array,
    options: { signal?: AbortSignal },
  ): Promise<{ closest: { id: string; address: string; role: string }[]; hops: number; queried: number; timedOut: boolean }>;
}

/** `GET /v1/peers` and `GET /v1/peers/closest`: this node's contacts, and a real network lookup. */
export function peersRoutes(source: PeersSource): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: Static<typeof PeersQuery> }>(
      '/v1/peers',
      {
        schema: {
          tags: ['network'],
          operationId: 'listPeers',
          summary: "This node's contacts with their liveness state (dead ones are remembered for a while)",
          querystring: PeersQuery,
          response: { 200: PeersSchema, ...errorResponses(400, ...COMMON_ERROR_STATUSES) },
        },
      },
      async (request) => {
        const rows = source
          .peers()
          .filter((p) => request.query.state === undefined || p.state === request.query.state)
          .sort((a, b) => a.bucket - b.bucket || a.id.localeCompare(b.id))
          .map((p) => ({ ...p, lastSeen: new Date(p.lastSeen).toISOString() }));
        return { self: source.id, count: rows.length, peers: rows };
      },
    );

    app.get<{ Querystring: Static<typeof ClosestQuery> }>(
      '/v1/peers/closest',
      {
        schema: {
          tags: ['network'],
          operationId: 'closestPeers',
          summary: 'The k nodes closest to a key, found by an iterative Kademlia lookup through the network',
          querystring: ClosestQuery,
          response: { 200: ClosestSchema, ...errorResponses(400, 504, ...COMMON_ERROR_STATUSES) },
        },
      },
      async (request) => {
        // A client that goes away cancels the lookup.
        const controller = new AbortController();
        request.raw.once('close', () => controller.abort());
        const key = request.query.key.toLowerCase();
        const result = await source.lookup(Uint8Array.from(Buffer.from(key, 'hex')), { signal: controller.signal });
        const count = request.query.count ?? result.closest.length;
        return {
          key,
          closest: result.closest.slice(0, count).map(({ id, address, role }) => ({ id, address, role })),
          hops: result.hops,
          queried: result.queried,
          partial: result.timedOut,
        };
      },
    );
  };
}
