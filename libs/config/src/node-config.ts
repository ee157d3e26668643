import { Type } from 'typebox';
import {
  ConfigError,
  LOG_LEVELS,
  MAX_ADDRESS_LENGTH,
  ROLES,
  loadConfig,
  loadPreset,
  parseList,
  type ConfigOf,
  type ConfigSpec,
  type Preset,
} from '@peerweave/core';
import {
  DEFAULT_DEADLINE_MS,
  DEFAULT_GRPC_REFLECTION,
  DEFAULT_KEEPALIVE_MS,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_MAX_CONNECTIONS_PER_PEER,
  DEFAULT_MAX_MESSAGE_BYTES,
} from '@peerweave/protocol';
import {
  DEFAULT_ALPHA,
  DEFAULT_INDIRECT_CHECKS,
  DEFAULT_JOIN_INTERVAL_MS,
  DEFAULT_K,
  DEFAULT_OVERLAY_NEIGHBOURS,
  DEFAULT_REPLICATION_FACTOR,
  DEFAULT_RETRANSMIT_MULT,
  DEFAULT_SUSPICION_CONFIRMATIONS,
  DEFAULT_SUSPICION_MAX_TIMEOUT_MULT,
  DEFAULT_SUSPICION_MULT,
} from '@peerweave/routing';
import {
  DEFAULT_CACHE_BYTES,
  DEFAULT_MAX_REQUESTS_PER_PEER,
  DEFAULT_PROVIDER_TTL_MS,
  DEFAULT_REPAIR_DELAY_MS,
  DEFAULT_REPAIR_INTERVAL_MS,
  DEFAULT_TOMBSTONE_TTL_MS,
  DEFAULT_WRITE_QUORUM,
  MAX_PROVIDER_TTL_MS,
} from '@peerweave/replication';
import {
  API_READ_MODES,
  DEFAULT_API_READ_MODE,
  DEFAULT_BODY_LIMIT,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_KEEPALIVE_TIMEOUT_MS,
  DEFAULT_RATE_READS,
  DEFAULT_RATE_WINDOW_MS,
  DEFAULT_RATE_WRITES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_TOKENS_POLL_MS,
} from '@peerweave/http-api';
import { DEFAULT_NODE_CERT_VALIDITY_MS } from '@peerweave/identity';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_MAINTENANCE_MS, DEFAULT_PUBLISH_DELAY_MS } from '@peerweave/search';

const port = Type.Integer({ minimum: 0, maximum: 65535 });
const positiveMs = Type.Integer({ minimum: 1, maximum: 86_400_000 });
const hostOrEmpty = Type.String({ maxLength: 253, pattern: '^[A-Za-z0-9.:\\-\\[\\]]*$' });

/**
 * Every setting of a node. Each field names its variable, what it accepts and its trade-off; the
 * README table is generated from this spec (`node scripts/config-table.ts`) and a test keeps them
 * equal. A default is the owning lib's `DEFAULT_*` constant (declared there once, with its
 * trade-off); only a preset that tunes a value away from it (the faster `local` and `test`, or a
 * `lan` measured on this project's clusters) states its own number here, beside the constant.
 */
export const NODE_CONFIG = {
  role: {
    env: 'PEERWEAVE_ROLE',
    accepts: '`peer` or `supernode`',
    doc: 'What the node does besides storing and serving content like every node. A `supernode` accepts up to 2 000 regular peers (leaves) that attach to it and publish their search index to it, answers searches from that index and forwards them among the other supernodes: a search reaches the whole network in a few messages instead of a flood. It costs the supernode memory (an FTS index of its leaves\' records, rebuilt when they re-attach) and query traffic. Run a few (two in Compose) on well-connected, long-lived nodes; with none, searches flood the overlay and still work.',
    schema: Type.Union(ROLES.map((r) => Type.Literal(r))),
    default: 'peer',
  },
  dataDir: {
    env: 'PEERWEAVE_DATA_DIR',
    accepts: 'a directory path',
    doc: 'Where the node keeps its key (identity survives restarts only if this survives), its blocks (`blocks/`) and its database (`peerweave.db`: records, tombstones, bookkeeping). Mount a volume here.',
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
    default: DEFAULT_BODY_LIMIT,
  },
  apiTokensFile: {
    env: 'PEERWEAVE_API_TOKENS_FILE',
    accepts: 'a file path, or empty for none',
    doc: `The HTTP API's bearer tokens: JSON \`{"tokens":[{"name","sha256","scopes"}]}\`, each the SHA-256 (hex) of a token that \`peerweave token create\` made, with scopes \`read\`, \`write\`, \`admin\` (each implies the ones before). With a file, writes (\`POST\`/\`PUT\`/\`DELETE\` of objects) need \`write\` and \`PUT /v1/log-level\` needs \`admin\`: 401 UNAUTHENTICATED without a valid token, 403 PERMISSION_DENIED without the scope. Empty: no token is asked for anything (the node logs a warning at start). Re-read within ${DEFAULT_TOKENS_POLL_MS / 1000} s of a change, so tokens rotate without a restart; a change that does not parse is logged and the tokens in force stay. A missing or malformed file stops the node at start.`,
    schema: Type.String({ maxLength: 4096 }),
    default: '',
  },
  apiRead: {
    env: 'PEERWEAVE_API_READ',
    accepts: '`open` or `token`',
    doc: '`open`: reads (objects, gateway, search, status, peers, the live page) need no token, as a public gateway. `token`: they need a token with the `read` scope too (needs PEERWEAVE_API_TOKENS_FILE); `/healthz`, `/readyz` and `/metrics` stay open either way, for probes and Prometheus, which carry no token.',
    schema: Type.Union(API_READ_MODES.map((m) => Type.Literal(m))),
    default: DEFAULT_API_READ_MODE,
  },
  httpRateReads: {
    env: 'PEERWEAVE_HTTP_RATE_READS',
    accepts: 'an integer 0..100000000 (0: no limit)',
    doc: 'Reads (GET/HEAD, any path) one client address (IPv6: its /64) may make per PEERWEAVE_HTTP_RATE_WINDOW_MS; more get 429 RESOURCE_EXHAUSTED with Retry-After until the window ends. `/healthz`, `/readyz` and `/metrics` are never limited. The default (1 000 a second) is above what the benches send one node (32 clients from one address spread over 20 nodes) and stops one client from keeping the node to itself; behind NAT, a proxy or Docker\'s port publishing every client shares one address and one budget: raise it there, or 0 to turn it off.',
    schema: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    default: DEFAULT_RATE_READS,
  },
  httpRateWrites: {
    env: 'PEERWEAVE_HTTP_RATE_WRITES',
    accepts: 'an integer 0..100000000 (0: no limit)',
    doc: 'Writes (uploads, deletes, the log level; refused ones included, so guessing tokens is limited too) one client address may make per PEERWEAVE_HTTP_RATE_WINDOW_MS; a separate, smaller budget than reads, as each write fans out to r replicas. Default 200 a second; 0 turns it off.',
    schema: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    default: DEFAULT_RATE_WRITES,
  },
  httpRateWindowMs: {
    env: 'PEERWEAVE_HTTP_RATE_WINDOW_MS',
    accepts: 'an integer number of milliseconds, 1000..3600000',
    doc: 'The fixed window both rate limits count over. Longer tolerates bursts within the budget and makes a client over it wait longer.',
    schema: Type.Integer({ minimum: 1_000, maximum: 3_600_000 }),
    default: DEFAULT_RATE_WINDOW_MS,
  },
  httpHeadersTimeoutMs: {
    env: 'PEERWEAVE_HTTP_HEADERS_TIMEOUT_MS',
    accepts: 'an integer number of milliseconds, 1000..600000',
    doc: 'Slow-loris guard: a client has this long from the first byte of a request to the end of its headers, however it trickles them; then 408 and the connection is closed. Any real client sends its headers in one round trip.',
    schema: Type.Integer({ minimum: 1_000, maximum: 600_000 }),
    default: DEFAULT_HEADERS_TIMEOUT_MS,
  },
  httpIdleTimeoutMs: {
    env: 'PEERWEAVE_HTTP_IDLE_TIMEOUT_MS',
    accepts: 'an integer number of milliseconds, 0..3600000 (0: none)',
    doc: 'A connection in the middle of a request or response on which no byte moved either way for this long is closed. Any progress resets it, so an upload or download of any size survives while bytes flow (a 1 GiB put at 9 MB/s is never cut); a client that stops sending its body, or stops reading, loses the connection. Keep it above the longest server-side wait (a search\'s 30 s deadline).',
    schema: Type.Integer({ minimum: 0, maximum: 3_600_000 }),
    default: DEFAULT_IDLE_TIMEOUT_MS,
  },
  httpRequestTimeoutMs: {
    env: 'PEERWEAVE_HTTP_REQUEST_TIMEOUT_MS',
    accepts: 'an integer number of milliseconds, 0..86400000 (0: none), at least the headers timeout',
    doc: 'Total time to receive a whole request, body included; then 408. Off by default: uploads are streamed and may take minutes, and a total limit would cut one that is progressing (the headers and idle timeouts bound slow clients instead). Set it only where every upload is small.',
    schema: Type.Integer({ minimum: 0, maximum: 86_400_000 }),
    default: DEFAULT_REQUEST_TIMEOUT_MS,
  },
  httpKeepAliveTimeoutMs: {
    env: 'PEERWEAVE_HTTP_KEEPALIVE_TIMEOUT_MS',
    accepts: 'an integer number of milliseconds, 1000..600000',
    doc: 'An idle keep-alive connection between requests is closed after this long. Above the 60 s idle timeout of common load balancers, so that they close first; shorter frees idle sockets sooner.',
    schema: Type.Integer({ minimum: 1_000, maximum: 600_000 }),
    default: DEFAULT_KEEPALIVE_TIMEOUT_MS,
  },
  grpcMaxMessageBytes: {
    env: 'PEERWEAVE_GRPC_MAX_MESSAGE_BYTES',
    accepts: 'an integer number of bytes, 2097152..67108864',
    doc: 'Largest peer-protocol message sent or received; larger ones fail with RESOURCE_EXHAUSTED. At least 2 MiB: block messages carry up to 1 MiB of data.',
    // A block message carries up to 1 MiB of data (MAX_BLOCK_BYTES) plus its fields.
    schema: Type.Integer({ minimum: 2_097_152, maximum: 67_108_864 }),
    default: DEFAULT_MAX_MESSAGE_BYTES,
  },
  grpcKeepaliveMs: {
    env: 'PEERWEAVE_GRPC_KEEPALIVE_MS',
    accepts: 'an integer number of milliseconds',
    doc: 'Periodic: the calling end of each peer connection sends an HTTP/2 PING this often, calls flowing or not (grpc-js), and drops the connection when no answer comes within this or 20 s, whichever is less; the answering end pings ten times less often, at most every 5 min (never more often than the calling end), only to reclaim the streams of a caller that vanished. SWIM\'s probes are the main connection check (a connection whose direct probe fails while the member acks through a helper is replaced at once if idle, and routing drops the connection to a member it holds dead), so these pings only find a half-open connection no probe uses and keep NAT and conntrack state alive: lan 120 s, under the 240–350 s idle timeouts of common cloud NATs and load balancers. Cost: each node holds a connection to and from every peer it probes; in the 22-container cluster 120 s measured 7–11 % less idle CPU per node than 30 s (and both ends at 30 s had cost 13–21 %). Shorter finds a dead unprobed connection sooner at the cost of idle CPU.',
    schema: positiveMs,
    default: { lan: DEFAULT_KEEPALIVE_MS, local: 10_000, test: 10_000 },
  },
  grpcMaxConcurrentStreams: {
    env: 'PEERWEAVE_GRPC_MAX_CONCURRENT_STREAMS',
    accepts: 'an integer, 8..65536',
    doc: 'HTTP/2 streams one peer connection may have open at once (announced to the peer, `grpc.max_concurrent_streams`); a peer beyond it waits for one of its streams to end. A node keeps a handful open to each peer (PingStream, Calls, a block stream per transfer direction) besides unary calls; the limit bounds the calls a hostile peer can make a node hold per connection. Lower saves memory under abuse, too low delays a busy peer.',
    schema: Type.Integer({ minimum: 8, maximum: 65_536 }),
    default: DEFAULT_MAX_CONCURRENT_STREAMS,
  },
  grpcMaxConnectionsPerPeer: {
    env: 'PEERWEAVE_GRPC_MAX_CONNECTIONS_PER_PEER',
    accepts: 'an integer, 0..100000 (0: no limit)',
    doc: 'Open peer-protocol connections from one remote IP address; a further one is closed at once, before the TLS handshake, and a warning is logged (at most once a minute). A node uses one connection to each peer; peers behind one NAT address, and test processes running many nodes on 127.0.0.1, share the limit. Bounds the sockets and handshakes one address can cost a node.',
    schema: Type.Integer({ minimum: 0, maximum: 100_000 }),
    default: DEFAULT_MAX_CONNECTIONS_PER_PEER,
  },
  rpcDeadlineMs: {
    env: 'PEERWEAVE_RPC_DEADLINE_MS',
    accepts: 'an integer number of milliseconds',
    doc: 'Default deadline of one peer-protocol call when the caller gives none. Too short fails calls to a loaded peer; too long makes a dead peer costly.',
    schema: positiveMs,
    default: { lan: DEFAULT_DEADLINE_MS, local: 2_000, test: 1_000 },
  },
  seeds: {
    env: 'PEERWEAVE_SEEDS',
    accepts: 'comma-separated `host:port` addresses of other peers',
    doc: 'Peers to join through. Any peer will do: none is special. Combine with or replace by PEERWEAVE_JOIN.',
    schema: Type.Array(Type.String({ minLength: 3, maxLength: MAX_ADDRESS_LENGTH, pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.\\-]+):[0-9]{1,5}$' }), { maxItems: 256 }),
    default: [],
    parse: parseList,
  },
  join: {
    env: 'PEERWEAVE_JOIN',
    accepts: 'a DNS name, optionally `name:port`, or empty',
    doc: 'A name whose every A/AAAA record is a peer to join through (the Compose service `peer`, a Kubernetes headless service). Re-resolved by the join rounds (PEERWEAVE_JOIN_INTERVAL_MS), so peers that start later are found and groups that formed apart merge.',
    schema: Type.String({ maxLength: 253, pattern: '^[A-Za-z0-9.\\-]*(:[0-9]{1,5})?$' }),
    default: '',
  },
  joinIntervalMs: {
    env: 'PEERWEAVE_JOIN_INTERVAL_MS',
    accepts: 'an integer number of milliseconds',
    doc: 'Periodic: how often the join name is re-resolved and the addresses not yet known pinged, with up to 3 members held dead (memberlist\'s reconnect, which heals a partition); also the longest back-off while a node has no contact. A round with nothing to contact (every address known, nobody held dead) doubles the wait before the next, up to 8 × this (40 s on lan); a round with someone to contact, or a member declared dead, brings it back to this. A quiet round costs one system DNS lookup (getaddrinfo in the thread pool, which also connects a UDP socket to each address it returns to sort them: ~100 system calls for 20 peers); a newcomer is not found by these rounds but by its own, and two groups that formed apart (started while the name resolved to only some of them) merge within the longer wait. Shorter finds late starters and heals partitions sooner.',
    schema: positiveMs,
    default: { lan: DEFAULT_JOIN_INTERVAL_MS, local: 2_000, test: 1_000 },
  },
  k: {
    env: 'PEERWEAVE_K',
    accepts: 'an integer 2..64',
    doc: 'Kademlia bucket size and lookup width. Larger tables are more robust to churn and cost more probing and memory; 20 as in Kademlia and libp2p.',
    schema: Type.Integer({ minimum: 2, maximum: 64 }),
    default: DEFAULT_K,
  },
  alpha: {
    env: 'PEERWEAVE_ALPHA',
    accepts: 'an integer 1..10',
    doc: 'Lookup requests in flight at once. Higher finds faster on a lossy network at the cost of more messages.',
    schema: Type.Integer({ minimum: 1, maximum: 10 }),
    default: DEFAULT_ALPHA,
  },
  lookupDeadlineMs: {
    env: 'PEERWEAVE_LOOKUP_DEADLINE_MS',
    accepts: 'an integer number of milliseconds',
    doc: 'Deadline of one iterative lookup; on expiry it returns the closest nodes found so far. Each query within it gets the probe timeout × 4.',
    schema: positiveMs,
    // Tighter than the lib's DEFAULT_LOOKUP_DEADLINE_MS, a budget for any network: a LAN answers sooner.
    default: { lan: 5_000, local: 3_000, test: 2_000 },
  },
  bucketRefreshMs: {
    env: 'PEERWEAVE_BUCKET_REFRESH_MS',
    accepts: 'an integer number of milliseconds',
    doc: 'Periodic (checked every quarter of it): a bucket not used for this long is refreshed by a lookup of a random id in its range, so a bucket that lookups keep using costs nothing. A refresh lookup stops after its first round (α = 3 queries) when those name no node this node does not know, and runs in full otherwise: in a network the table holds (up to ~k nodes, or the near buckets of a large one) a refresh of every bucket costs ~3 queries a bucket (in a 22-node cluster ~20 in all, where full lookups asked ~140 and measured ~0.3 s of CPU per node); in a large network the far buckets still get a full lookup each. lan uses 10 min, as libp2p kad-dht; shorter keeps far buckets fresh under churn at the cost of lookups.',
    schema: positiveMs,
    // lan: libp2p kad-dht's 10 min, longer than the lib's DEFAULT_BUCKET_REFRESH_MS for the measured CPU (see the doc).
    default: { lan: 600_000, local: 60_000, test: 60_000 },
  },
  probeIntervalMs: {
    env: 'PEERWEAVE_PROBE_INTERVAL_MS',
    accepts: 'an integer number of milliseconds',
    doc: 'Periodic, the main idle cost: the SWIM protocol period, one contact probed per period. Each probe is one PingStream frame out and one back, and on average one probe in: about 0.3 ms of CPU for both ends when warm (bench/probe-cost.ts; a unary Ping call, still used for peers without PingStream, about 0.9 ms), several times that in an idle process whose code and caches have gone cold, plus 2 × indirectChecks calls when a probe fails. lan probes every second, as memberlist\'s LAN config: 6 node processes idle measured 0.37 % of a core each probing every 500 ms and 0.26 % every 1 s; in the 22-container cluster (2026-12-07, two clusters side by side, three 120 s windows 6–10 min after start) 0.53–0.63 % per node at 1 s against 0.38–0.41 % at 2 s, so probes are about 0.34 % of a core per node there and everything else about 0.22 %. A SIGKILLed node is still declared dead within 5 s: its peers lose their connections to it and probe it at once, out of turn, so its suspicion has its confirmations at once and runs its minimum (suspicionMult × log10(N) × period: 2.7 s at 22 nodes). Shorter detects a silent failure (a partition, a frozen host) sooner at proportionally more CPU.',
    schema: positiveMs,
    // memberlist's LAN period, as the lib's DEFAULT_PROBE_INTERVAL_MS.
    default: { lan: 1_000, local: 200, test: 200 },
  },
  probeTimeoutMs: {
    env: 'PEERWEAVE_PROBE_TIMEOUT_MS',
    accepts: 'an integer number of milliseconds, below the probe interval',
    doc: 'How long a direct ping waits for its ack before indirect probes start, at least: when the acks of this node’s recent probes took longer (their smoothed round trip + 4 × its deviation, as TCP computes its retransmission timeout; acks within their period only), the deadline is that, up to twice this value, and the period grows in proportion, so a saturated machine, where every peer answers late, does not turn load into suspicions; on an idle network this value applies unchanged. Both are then stretched by Lifeguard while this node is unhealthy (× its local health score + 1; the score rises when probes fail without the helpers answering, when a probe timer or the probe loop itself wakes later than half this timeout, i.e. the event loop is too busy to read acks in time, and falls by one per acked on-time period), never beyond 8 × this value. Must exceed the network round trip (p99); the rest of the period is left for indirect probes.',
    schema: positiveMs,
    // Half the period, as the lib's DEFAULT_PROBE_TIMEOUT_MS (memberlist's LAN 500 ms).
    default: { lan: 500, local: 100, test: 100 },
  },
  indirectChecks: {
    env: 'PEERWEAVE_INDIRECT_CHECKS',
    accepts: 'an integer 0..10',
    doc: 'Contacts asked to ping a peer that missed its direct ping, before suspecting it. More rules out a bad path between two peers at the cost of messages.',
    schema: Type.Integer({ minimum: 0, maximum: 10 }),
    default: DEFAULT_INDIRECT_CHECKS,
  },
  suspicionMult: {
    env: 'PEERWEAVE_SUSPICION_MULT',
    accepts: 'an integer 1..20',
    doc: 'Suspicion timeout = mult × log10(N) × probe interval (memberlist); starts at suspicionMaxMult × that and shrinks to it as PEERWEAVE_SUSPICION_CONFIRMATIONS other peers confirm. Higher tolerates longer pauses and GC stalls but declares real deaths later. lan uses 2 with its 1 s period (2 s per log10 N: 2.7 s at 22 nodes, 8 s at 10 000), so that a SIGKILLed node is declared dead within 5 s, where memberlist\'s 4 would take 5.4 s at 22 nodes; Lifeguard\'s confirmations (PEERWEAVE_SUSPICION_CONFIRMATIONS) keep a lone accuser at the maximum. The faster presets 4.',
    schema: Type.Integer({ minimum: 1, maximum: 20 }),
    // lan: half the lib's (memberlist's) multiple, for a 5 s bound on detecting a crash (see the doc).
    default: { lan: 2, local: DEFAULT_SUSPICION_MULT, test: DEFAULT_SUSPICION_MULT },
  },
  suspicionMaxMult: {
    env: 'PEERWEAVE_SUSPICION_MAX_MULT',
    accepts: 'an integer 1..20',
    doc: 'Lifeguard: a suspicion nobody confirms lasts up to this multiple of the minimum timeout, so one slow or isolated node does not kill healthy ones alone.',
    schema: Type.Integer({ minimum: 1, maximum: 20 }),
    default: DEFAULT_SUSPICION_MAX_TIMEOUT_MULT,
  },
  suspicionConfirmations: {
    env: 'PEERWEAVE_SUSPICION_CONFIRMATIONS',
    accepts: 'an integer 0..10',
    doc: 'Lifeguard: independent accusers, besides the first, that bring a suspicion from its longest timeout down to the shortest (memberlist derives it as mult − 2: 2 at its defaults). More makes a busy moment, when a few probers fail on the same slow peer, less likely to kill it; a crashed peer is confirmed by its neighbours within a few periods anyway. 0: the shortest timeout at once.',
    schema: Type.Integer({ minimum: 0, maximum: 10 }),
    default: DEFAULT_SUSPICION_CONFIRMATIONS,
  },
  retransmitMult: {
    env: 'PEERWEAVE_RETRANSMIT_MULT',
    accepts: 'an integer 1..20',
    doc: 'Each membership update is piggybacked mult × log10(N+1) times. Higher spreads news more reliably under loss at the cost of message size.',
    schema: Type.Integer({ minimum: 1, maximum: 20 }),
    default: DEFAULT_RETRANSMIT_MULT,
  },
  replicationFactor: {
    env: 'PEERWEAVE_REPLICATION_FACTOR',
    accepts: 'an integer 1..16',
    doc: 'r: copies of every block and metadata record, on the r nodes closest to its key. The 2·r nodes closest to a node form its neighbourhood, watched first by liveness probes. More copies survive more simultaneous failures at the cost of disk and write traffic.',
    schema: Type.Integer({ minimum: 1, maximum: 16 }),
    default: DEFAULT_REPLICATION_FACTOR,
  },
  writeQuorum: {
    env: 'PEERWEAVE_WRITE_QUORUM',
    accepts: 'an integer 1..16, at most the replication factor',
    doc: 'w: replicas that must store every block (and the record) before a put is acknowledged; with fewer reachable the put fails with 503 INSUFFICIENT_REPLICAS and can be retried. w = r waits for every replica; w = 1 acknowledges a single copy, which one failure can lose.',
    schema: Type.Integer({ minimum: 1, maximum: 16 }),
    default: DEFAULT_WRITE_QUORUM,
  },
  maxObjectBytes: {
    env: 'PEERWEAVE_MAX_OBJECT_BYTES',
    accepts: 'an integer number of bytes, 1..1099511627776',
    doc: 'Largest object a put accepts; a larger body gets 413 PAYLOAD_TOO_LARGE and nothing of it is kept. Uploads are streamed, so this bounds disk, not memory.',
    schema: Type.Integer({ minimum: 1, maximum: 1_099_511_627_776 }),
    default: 10_737_418_240,
  },
  cacheBytes: {
    env: 'PEERWEAVE_CACHE_BYTES',
    accepts: 'an integer number of bytes, 0 disables',
    doc: 'Blocks a node read for a user but does not replicate are kept up to this many bytes (least recently used go first), so repeated reads are local. A one-block object\'s block is kept on its second read among the node\'s last 4 096 reads of such objects (its first read alone costs a file and a row for an object most often never read there again). Replica and hand-off copies never count against it.',
    schema: Type.Integer({ minimum: 0, maximum: 1_099_511_627_776 }),
    default: { lan: DEFAULT_CACHE_BYTES, local: DEFAULT_CACHE_BYTES, test: 16_777_216 },
  },
  repairIntervalMs: {
    env: 'PEERWEAVE_REPAIR_INTERVAL_MS',
    accepts: 'an integer number of milliseconds',
    doc: 'Periodic: how often a node re-checks that every block it replicates is on all its replicas (it also does so PEERWEAVE_REPAIR_DELAY_MS after any contact joins or dies). A pass walks every stored block and asks each replica about the unverified ones in one batched call per replica; a period in which no block was stored, moved or dropped, no contact changed and nothing was left pending is skipped without a walk. Shorter restores lost copies sooner.',
    schema: positiveMs,
    default: { lan: DEFAULT_REPAIR_INTERVAL_MS, local: 5_000, test: 2_000 },
  },
  repairDelayMs: {
    env: 'PEERWEAVE_REPAIR_DELAY_MS',
    accepts: 'an integer number of milliseconds',
    doc: 'How long after a contact joins or dies a repair pass starts (a burst of changes makes one pass). Longer avoids moving copies for a node that comes straight back (a restart); shorter restores lost copies sooner.',
    schema: positiveMs,
    default: DEFAULT_REPAIR_DELAY_MS,
  },
  antiEntropyIntervalMs: {
    env: 'PEERWEAVE_ANTI_ENTROPY_INTERVAL_MS',
    accepts: 'an integer number of milliseconds',
    doc: 'Periodic: how often a node compares digests of the keys it shares with each neighbour (256 ranges, of which only those holding something are sent: a missing one counts as empty) and exchanges only what differs, catching anything repair missed (a replica that lost data while staying alive). Costs 2 calls out and about 2 in per neighbour (2·r neighbours) per round, with an empty store no digest either way, about 10 ms of CPU per node per round against ~31 ms when all 256 went both ways (10 local nodes at a 5 s interval, 2026-12-06: 0.65 and 0.62 against 1.16 and 0.97 % of a core per node, two alternated pairs; ~0.44 % with rounds every 2 min); its digests (at most 256 per peer it shares blocks with, not the entries behind them) are kept while the store and contacts are unchanged, and the entries of a range that differs are read from the store again. lan uses 2 min: repair handles deaths and joins within seconds, this only catches silent loss. Shorter converges sooner.',
    schema: positiveMs,
    // lan: less often than the lib's DEFAULT_ANTI_ENTROPY_INTERVAL_MS, for the measured idle CPU (see the doc).
    default: { lan: 120_000, local: 15_000, test: 5_000 },
  },
  tombstoneTtlMs: {
    env: 'PEERWEAVE_TOMBSTONE_TTL_MS',
    accepts: 'an integer number of milliseconds',
    doc: 'How long a delete is remembered (Cassandra gc_grace). Repair and anti-entropy never bring back an object whose tombstone lives; storing the same bytes again is refused until it expires. Must exceed the longest time a node may be down and come back with old data.',
    schema: positiveMs,
    default: DEFAULT_TOMBSTONE_TTL_MS,
  },
  providerTtlMs: {
    env: 'PEERWEAVE_PROVIDER_TTL_MS',
    accepts: 'an integer number of milliseconds, at most 86400000',
    doc: 'Lifetime of the provider records a node announces for objects it read and keeps in its cache. Periodic: it re-announces at half of it, one announcement per cached object to its r closest nodes, only while it still holds blocks of them (nothing when the cache is empty). Shorter forgets departed providers sooner at the cost of more announcements.',
    schema: Type.Integer({ minimum: 1_000, maximum: MAX_PROVIDER_TTL_MS }),
    default: { lan: DEFAULT_PROVIDER_TTL_MS, local: DEFAULT_PROVIDER_TTL_MS, test: 60_000 },
  },
  maxRequestsPerPeer: {
    env: 'PEERWEAVE_MAX_REQUESTS_PER_PEER',
    accepts: 'an integer 1..1024',
    doc: 'Block requests (GetBlock, PutBlock) one peer may have in flight at this node; more are refused at once with RESOURCE_EXHAUSTED, and the downloader moves them to other providers. Bounds the memory one greedy peer can hold.',
    schema: Type.Integer({ minimum: 1, maximum: 1024 }),
    default: DEFAULT_MAX_REQUESTS_PER_PEER,
  },
  overlayNeighbours: {
    env: 'PEERWEAVE_OVERLAY_NEIGHBOURS',
    accepts: 'an integer 1..32',
    doc: 'Size of the bounded set of overlay neighbours (from different buckets) that flooded search uses. More raises search reach per hop and message count.',
    schema: Type.Integer({ minimum: 1, maximum: 32 }),
    default: DEFAULT_OVERLAY_NEIGHBOURS,
  },
  searchPublishDelayMs: {
    env: 'PEERWEAVE_SEARCH_PUBLISH_DELAY_MS',
    accepts: 'an integer number of milliseconds, 0..60000',
    doc: 'Linger of a node\'s publishes to its supernodes (as Kafka\'s `linger.ms`): a change of the records it holds waits this long for others, then all go to each supernode in one Publish (and while one is in flight, the next waits for it). A Publish costs about the same CPU whatever it carries (about 0.8 ms for both ends) and every put makes its holders publish to 2 supernodes each, so a busy node sends at most one per period per supernode instead of one per record (6 peers + 2 supernodes under 32 clients of 4 KiB puts: 4.6 to 5.4 publishes and 14 ms of node CPU per put one by one, 1.3 and 11 ms at 100 ms); an idle one still sends a lone change on its own. The price is freshness: a new record is searchable through the supernodes up to this much later (100 ms is inside a search\'s own 300 ms quiet period). 0 sends at the next turn of the event loop, coalescing only behind the publish in flight. Same in every preset: it batches, whatever the network size.',
    schema: Type.Integer({ minimum: 0, maximum: 60_000 }),
    default: DEFAULT_PUBLISH_DELAY_MS,
  },
  searchMaintenanceMs: {
    env: 'PEERWEAVE_SEARCH_MAINTENANCE_MS',
    accepts: 'an integer number of milliseconds, 100..3600000',
    doc: 'Periodic: the search maintenance round. A regular node attaches while it has fewer than two supernodes, sends a heartbeat that is due (PEERWEAVE_SEARCH_HEARTBEAT_MS) and checks the incarnation routing shows of each of its supernodes: one that restarted (higher incarnation) gets a publish at once, which it refuses, not knowing the node any more, so the node attaches again and sends its whole index; a supernode that failed or died is not tried again for three rounds, unless it comes back restarted. A supernode\'s round expires leaves silent for three heartbeats. A round with nothing due calls nobody (a few µs of local work), so the period only bounds how soon a restarted supernode gets its leaves back (within one round) and how late a silent leaf is dropped. Same in every preset.',
    schema: Type.Integer({ minimum: 100, maximum: 3_600_000 }),
    default: DEFAULT_MAINTENANCE_MS,
  },
  searchHeartbeatMs: {
    env: 'PEERWEAVE_SEARCH_HEARTBEAT_MS',
    accepts: 'an integer number of milliseconds, 1000..3600000',
    doc: 'Periodic: a regular node sends each of its supernodes an empty Publish when it sent it nothing for this long (any publish counts), and a supernode asks two other supernodes and one of its leaves which supernodes they know (SearchLoad, naming itself) as often, and those it was told of and did not know (at most 32 calls; while the mesh still grows, again at the next 15 s round). A heartbeat is one unary call, about 1.5 ms of CPU for both ends, so a supernode with L leaves pays L × 1.5 ms per period: with 20 leaves 0.2 % of a core at 15 s; at 60 s they still made the supernodes an idle 22-container cluster\'s busiest nodes (0.33–0.45 % of a core against 0.26–0.29 % with 600 s, the peers the same; 2026-12-07, two clusters side by side), hence 180 s. It only lets a supernode drop a leaf that vanished without routing declaring it dead (a death routing declares drops it at once), after three periods (9 min; a search may name its objects meanwhile, which stay readable from their other replicas); a restarted supernode is found by the maintenance round, not by heartbeats. Shorter drops vanished leaves sooner. Same in every preset.',
    schema: Type.Integer({ minimum: 1_000, maximum: 3_600_000 }),
    default: DEFAULT_HEARTBEAT_MS,
  },
  shutdownTimeoutMs: {
    env: 'PEERWEAVE_SHUTDOWN_TIMEOUT_MS',
    accepts: 'an integer number of milliseconds, 100..60000',
    doc: 'On SIGTERM, how long in-flight requests may run before connections are cut. Keep it below the orchestrator grace period (Docker: 10 s).',
    schema: Type.Integer({ minimum: 100, maximum: 60_000 }),
    default: { lan: 8_000, local: 3_000, test: 1_000 },
  },
  grpcReflection: {
    env: 'PEERWEAVE_GRPC_REFLECTION',
    accepts: '`true` or `false` (also `1` or `0`)',
    doc: 'Serve gRPC server reflection on the peer-protocol port, so that `grpcurl -plaintext HOST:7400 list` and `describe` work without the `.proto` files. Peers never use it; it costs memory (the reflection library and its own protocol files, loaded at start only when on). Turn it on for debugging.',
    schema: Type.Boolean(),
    default: DEFAULT_GRPC_REFLECTION,
    parse: (raw: string): unknown => (/^(true|1)$/i.test(raw) ? true : /^(false|0)$/i.test(raw) ? false : raw),
  },
  clusterCa: {
    env: 'PEERWEAVE_CLUSTER_CA',
    accepts: 'a file path (PEM: one CA certificate, or several during a rotation), or empty',
    doc: 'The cluster CA certificate (`peerweave cluster ca init`): peers admit a node whose certificate it issued. Set with PEERWEAVE_CLUSTER_CA_KEY (the node issues itself a short-lived certificate and renews it) or with PEERWEAVE_TLS_CERT (a certificate issued out of band). Empty with both others empty: no certificate, peer connections are not authenticated. A file that cannot be read stops the node at start with this variable named.',
    schema: Type.String({ maxLength: 4096 }),
    default: '',
  },
  clusterCaKey: {
    env: 'PEERWEAVE_CLUSTER_CA_KEY',
    accepts: 'a file path (PKCS#8 PEM Ed25519 key), or empty',
    doc: 'The cluster CA private key: with it the node issues itself a certificate for its own key at start and renews it at 2/3 of PEERWEAVE_CERT_VALIDITY_MS, re-reading both CA files each time. Holding this key is the admission secret (like a pre-shared network key): identical replicas need no per-node step, and whoever has it can admit any node. Keep it off nodes (and use PEERWEAVE_TLS_CERT) where that is too much trust.',
    schema: Type.String({ maxLength: 4096 }),
    default: '',
  },
  tlsCert: {
    env: 'PEERWEAVE_TLS_CERT',
    accepts: 'a file path (PEM certificate), or empty',
    doc: 'A node certificate issued out of band (`peerweave cluster ca issue`) for this node\'s key (its data directory\'s `identity.key`), for operators who keep the CA key offline. The node refuses to start unless it is valid, issued by PEERWEAVE_CLUSTER_CA and for its own key; it re-reads the file at 2/3 of the remaining time and warns until a newer one is there.',
    schema: Type.String({ maxLength: 4096 }),
    default: '',
  },
  insecure: {
    env: 'PEERWEAVE_INSECURE',
    accepts: '`true` or `false` (also `1` or `0`)',
    doc: 'Plaintext peer connections even when the node has a cluster certificate: no admission, no verified node ids, any process that reaches the gRPC port is trusted for the id it claims. Only for tests of the old behaviour and for debugging with `grpcurl -plaintext`. When false (the default), the node speaks mutual TLS with its certificate (PEERWEAVE_CLUSTER_CA with PEERWEAVE_CLUSTER_CA_KEY or PEERWEAVE_TLS_CERT) and refuses to start without one, naming both settings.',
    schema: Type.Boolean(),
    default: false,
    parse: (raw: string): unknown => (/^(true|1)$/i.test(raw) ? true : /^(false|0)$/i.test(raw) ? false : raw),
  },
  certValidityMs: {
    env: 'PEERWEAVE_CERT_VALIDITY_MS',
    accepts: 'an integer number of milliseconds, 60000..2592000000',
    doc: 'Lifetime of a self-issued node certificate; it is renewed at 2/3 of it (one Ed25519 signature, well under a millisecond). Shorter limits how long a copied node key stays admitted; a peer whose clock is off by more than a third of it may see the certificate expired.',
    schema: Type.Integer({ minimum: 60_000, maximum: 2_592_000_000 }),
    default: DEFAULT_NODE_CERT_VALIDITY_MS,
  },
} as const satisfies ConfigSpec;

export type NodeConfig = ConfigOf<typeof NODE_CONFIG> & { preset: Preset };

/** How a node gets its certificate: none (plaintext), self-issued with the CA key, or issued out of band. */
export type AdmissionMode = 'none' | 'self-issue' | 'out-of-band';

/**
 * Which admission mode a configuration asks for. Self-issue: the CA and its key (holding the key
 * is the admission secret). Out of band: the CA and a certificate issued elsewhere. Neither: none.
 * Any other combination is a ConfigError naming the missing or conflicting variable.
 */
export function admissionMode(config: Pick<NodeConfig, 'clusterCa' | 'clusterCaKey' | 'tlsCert'>): AdmissionMode {
  const ca = config.clusterCa !== '';
  const key = config.clusterCaKey !== '';
  const cert = config.tlsCert !== '';
  const CA = NODE_CONFIG.clusterCa.env;
  const KEY = NODE_CONFIG.clusterCaKey.env;
  const CERT = NODE_CONFIG.tlsCert.env;
  if (!ca && !key && !cert) return 'none';
  if (!ca) throw new ConfigError(`${key ? KEY : CERT} is set but ${CA} is not: set ${CA} to the cluster CA certificate file`, { details: { variable: CA } });
  if (key && cert) throw new ConfigError(`${KEY} and ${CERT} are both set: set ${KEY} to issue the node's own certificate, or ${CERT} for one issued out of band, not both`, { details: { variable: CERT } });
  if (!key && !cert) throw new ConfigError(`${CA} is set but neither ${KEY} (self-issued certificates) nor ${CERT} (a certificate issued out of band) is`, { details: { variable: KEY } });
  return key ? 'self-issue' : 'out-of-band';
}

/** Loads and validates a node's whole configuration from the environment, once, at start. */
export function loadNodeConfig(env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const preset = loadPreset(env);
  const config = { preset, ...loadConfig(NODE_CONFIG, env, preset) };
  if (config.writeQuorum > config.replicationFactor) {
    throw new ConfigError(
      `PEERWEAVE_WRITE_QUORUM=${config.writeQuorum} is invalid: expected at most PEERWEAVE_REPLICATION_FACTOR (${config.replicationFactor})`,
      { details: { variable: 'PEERWEAVE_WRITE_QUORUM' } },
    );
  }
  if (config.apiRead === 'token' && config.apiTokensFile === '') {
    throw new ConfigError('PEERWEAVE_API_READ=token is invalid: expected PEERWEAVE_API_TOKENS_FILE too (reads would need a token no node accepts)', {
      details: { variable: 'PEERWEAVE_API_READ' },
    });
  }
  if (config.httpRequestTimeoutMs > 0 && config.httpRequestTimeoutMs < config.httpHeadersTimeoutMs) {
    throw new ConfigError(
      `PEERWEAVE_HTTP_REQUEST_TIMEOUT_MS=${config.httpRequestTimeoutMs} is invalid: expected 0 or at least PEERWEAVE_HTTP_HEADERS_TIMEOUT_MS (${config.httpHeadersTimeoutMs})`,
      { details: { variable: 'PEERWEAVE_HTTP_REQUEST_TIMEOUT_MS' } },
    );
  }
  if (config.probeTimeoutMs >= config.probeIntervalMs) {
    throw new ConfigError(
      `PEERWEAVE_PROBE_TIMEOUT_MS=${config.probeTimeoutMs} is invalid: expected less than PEERWEAVE_PROBE_INTERVAL_MS (${config.probeIntervalMs})`,
      { details: { variable: 'PEERWEAVE_PROBE_TIMEOUT_MS' } },
    );
  }
  admissionMode(config);
  return config;
}
