import { Type } from 'typebox';
import { loadConfig, loadPreset, type ConfigOf, type ConfigSpec, type Preset } from './config.ts';

export const ROLES = ['peer', 'supernode'] as const;
export type Role = (typeof ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const port = Type.Integer({ minimum: 0, maximum: 65535 });
const positiveMs = Type.Integer({ minimum: 1, maximum: 86_400_000 });
const hostOrEmpty = Type.String({ maxLength: 253, pattern: '^[A-Za-z0-9.:\\-\\[\\]]*$' });

/**
 * Every setting of a node. Each field names its variable, what it accepts and its trade-off; the
 * README table is generated from this spec (`npm run docs:config`) and a test keeps them equal.
 */
export const NODE_CONFIG = {
  role: {
    env: 'PEERWEAVE_ROLE',
    accepts: '`peer` or `supernode`',
    doc: 'What the node does, reported in its status and metrics. Both roles run the same code; the supernode duties (indexing and routing searches for attached peers) belong to the search layer, which is not built yet, so today a supernode serves exactly like a peer.',
    schema: Type.Union(ROLES.map((r) => Type.Literal(r))),
    default: 'peer',
  },
  dataDir: {
    env: 'PEERWEAVE_DATA_DIR',
    accepts: 'a directory path',
    doc: 'Where the node keeps its key (identity survives restarts only if this survives) and, later, its blocks and database. Mount a volume here.',
    schema: Type.String({ minLength: 1, maxLength: 4096 }),
    default: { lan: '/data', local: '.peerweave-data', test: '.peerweave-data/test' },
  },
  httpHost: {
    env: 'PEERWEAVE_HTTP_HOST',
    accepts: 'an IP address or host name to bind',
    doc: 'Interface of the user-facing HTTP API. `0.0.0.0` inside a container; `127.0.0.1` keeps a bare-metal node private.',
    schema: Type.String({ minLength: 1, maxLength: 253 }),
    default: { lan: '0.0.0.0', local: '127.0.0.1', test: '127.0.0.1' },
  },
  httpPort: {
    env: 'PEERWEAVE_HTTP_PORT',
    accepts: 'an integer 0..65535 (0 picks a free port)',
    doc: 'Port of the HTTP API (status, metrics, content).',
    schema: port,
    default: { lan: 8080, local: 8080, test: 0 },
  },
  grpcHost: {
    env: 'PEERWEAVE_GRPC_HOST',
    accepts: 'an IP address or host name to bind',
    doc: 'Interface of the peer protocol (gRPC). Peers must reach it; users need not.',
    schema: Type.String({ minLength: 1, maxLength: 253 }),
    default: { lan: '0.0.0.0', local: '127.0.0.1', test: '127.0.0.1' },
  },
  grpcPort: {
    env: 'PEERWEAVE_GRPC_PORT',
    accepts: 'an integer 0..65535 (0 picks a free port)',
    doc: 'Port of the peer protocol.',
    schema: port,
    default: { lan: 7400, local: 7400, test: 0 },
  },
  advertiseHost: {
    env: 'PEERWEAVE_ADVERTISE_HOST',
    accepts: 'an IP address or host name, or empty for auto-detect',
    doc: 'Address other peers are told to dial. Empty picks the first non-internal IPv4 address (the container address under Compose or Kubernetes).',
    schema: hostOrEmpty,
    default: '',
  },
  logLevel: {
    env: 'PEERWEAVE_LOG_LEVEL',
    accepts: 'one of fatal, error, warn, info, debug, trace, silent',
    doc: 'Minimum level of the JSON logs on stdout. `debug` logs every peer message and costs CPU.',
    schema: Type.Union(LOG_LEVELS.map((l) => Type.Literal(l))),
    default: { lan: 'info', local: 'info', test: 'warn' },
  },
  httpBodyLimit: {
    env: 'PEERWEAVE_HTTP_BODY_LIMIT',
    accepts: 'an integer number of bytes, 1024..1073741824',
    doc: 'Largest JSON request body the HTTP API accepts; larger bodies get 413 PAYLOAD_TOO_LARGE before they are read whole.',
    schema: Type.Integer({ minimum: 1024, maximum: 1_073_741_824 }),
    default: 1_048_576,
  },
  grpcMaxMessageBytes: {
    env: 'PEERWEAVE_GRPC_MAX_MESSAGE_BYTES',
    accepts: 'an integer number of bytes, 65536..67108864',
    doc: 'Largest peer-protocol message sent or received; larger ones fail with RESOURCE_EXHAUSTED. Must exceed the 256 KiB block size with headroom.',
    schema: Type.Integer({ minimum: 65_536, maximum: 67_108_864 }),
    default: 4_194_304,
  },
  grpcKeepaliveMs: {
    env: 'PEERWEAVE_GRPC_KEEPALIVE_MS',
    accepts: 'an integer number of milliseconds',
    doc: 'Interval of HTTP/2 keepalive pings on idle peer connections. Shorter finds dead connections sooner at the cost of idle traffic.',
    schema: positiveMs,
    default: { lan: 30_000, local: 10_000, test: 10_000 },
  },
  rpcDeadlineMs: {
    env: 'PEERWEAVE_RPC_DEADLINE_MS',
    accepts: 'an integer number of milliseconds',
    doc: 'Default deadline of one peer-protocol call when the caller gives none. Too short fails calls to a loaded peer; too long makes a dead peer costly.',
    schema: positiveMs,
    default: { lan: 5_000, local: 2_000, test: 1_000 },
  },
  shutdownTimeoutMs: {
    env: 'PEERWEAVE_SHUTDOWN_TIMEOUT_MS',
    accepts: 'an integer number of milliseconds, 100..60000',
    doc: 'On SIGTERM, how long in-flight requests may run before connections are cut. Keep it below the orchestrator grace period (Docker: 10 s).',
    schema: Type.Integer({ minimum: 100, maximum: 60_000 }),
    default: { lan: 8_000, local: 3_000, test: 1_000 },
  },
} as const satisfies ConfigSpec;

export type NodeConfig = ConfigOf<typeof NODE_CONFIG> & { preset: Preset };

/** Loads and validates a node's whole configuration from the environment, once, at start. */
export function loadNodeConfig(env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const preset = loadPreset(env);
  return { preset, ...loadConfig(NODE_CONFIG, env, preset) };
}
