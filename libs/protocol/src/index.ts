// The public API of the peer protocol: what other libs, the apps, the benches and the tests use.
// Only this lib imports @grpc/*; everything else goes through the names below. Layout and
// components: README.md.

// ----- gRPC server, credentials, options --------------------------------------------------------
export { GrpcServer, DEFAULT_GRPC_REFLECTION, DEFAULT_MAX_CONCURRENT_STREAMS, DEFAULT_MAX_CONNECTIONS_PER_PEER } from './transport/grpc-server.ts';
export { createCredentials, TLS_SERVER_NAME } from './transport/credentials.ts';
export type { CredentialsInit, ProtocolCredentials, TlsMaterial } from './transport/credentials.ts';
export { assertSpeaksFor, SPEAKER_OF } from './speaker-rules.ts';
export { DEFAULT_DEADLINE_MS, DEFAULT_KEEPALIVE_MS, DEFAULT_MAX_MESSAGE_BYTES } from './transport/grpc-options.ts';
export { createHealthClient } from './transport/health-client.ts';

// ----- node service (peerweave.node.v1) ----------------------------------------------------------
export { nodeServiceBinding } from './node/node-service.ts';
export { createNodeClient } from './node/node-client.ts';
export type { NodeInfoData } from './node/node-messages.ts';

// ----- the services one peer calls on another, and their union ------------------------------------
export { routingServiceBinding } from './routing/routing-service.ts';
export { contentServiceBinding } from './content/content-service.ts';
export { searchServiceBinding } from './search/search-service.ts';
export { GrpcPeerTransport } from './transport/grpc-peer-transport.ts';
export type { PeerCallContext, PeerCallOptions } from './service-types.ts';
export type {
  PeerMethod,
  PeerRequest,
  PeerResponse,
  PeerHandler,
  PeerTransport,
  ConnectionEvents,
  ConnectionControl,
  RoutingClient,
  ContentClient,
  SearchClient,
} from './peer-messages.ts';

// ----- routing (peerweave.routing.v1) --------------------------------------------------------------
export { MEMBER_STATES } from './routing/routing-messages.ts';
export type {
  MemberState,
  PeerContact,
  MemberUpdate,
  Envelope,
  PingRequest,
  PingResponse,
  PingReqRequest,
  PingReqResponse,
  LeaveRequest,
  LeaveResponse,
  RoutingHandler,
} from './routing/routing-messages.ts';
export { MAX_UPDATES_PER_MESSAGE } from './routing/routing-codec.ts';

// ----- content (peerweave.content.v1); its records are @peerweave/core's ---------------------------
export type {
  PutBlockRequest,
  GetRecordResponse,
  SyncDigestRequest,
  SyncDigestResponse,
  SyncKeysRequest,
  SyncKeysResponse,
  AddProviderRequest,
  AddProviderResponse,
  ContentMethods,
  ContentHandler,
} from './content/content-messages.ts';
export { CONTENT_METHODS } from './content/content-codec.ts';
// The block streams (GetBlocks, PutBlocks): served through ContentHandler (readBlock,
// writeBlocks), called through ContentClient (openBlockReader, openBlockWriter).
export type { BlockPut, BlockPutAck, BlockReader, BlockWriter, BlockStreamTransport } from './block-streams/block-stream-messages.ts';

// ----- search (peerweave.search.v1) ------------------------------------------------------------------
export {
  DEFAULT_SEARCH_TTL,
  MAX_SEARCH_TTL,
  MAX_QUERY_LENGTH,
  MAX_SEARCH_LIMIT,
  MAX_INDEX_ENTRIES_PER_MESSAGE,
  MAX_SUPERNODES_PER_MESSAGE,
} from './search/search-messages.ts';
export { MAX_SEARCH_HOPS } from './search/search-codec.ts';
export type {
  SearchMode,
  SearchOrigin,
  QueryRequest,
  QueryResponse,
  SearchHit,
  HitsRequest,
  HitsResponse,
  IndexEntry,
  AttachRequest,
  AttachResponse,
  PublishRequest,
  PublishResponse,
  SearchLoadRequest,
  SearchLoadResponse,
  SearchHandler,
} from './search/search-messages.ts';
