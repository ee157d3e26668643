// Public API of the peer protocol. Only this lib imports @grpc/*; callers use the types below.
export { GrpcServer, DEFAULT_STOP_GRACE_MS, OVERALL_HEALTH } from './transport/grpc-server.ts';
export type { GrpcServerInit, GrpcStopOptions } from './transport/grpc-server.ts';
export type { ServiceBinding, BindingContext } from './service-binding.ts';
export type { ServerCallContext } from './transport/server-unary.ts';
export { createCredentials } from './transport/credentials.ts';
export type { ProtocolCredentials, CredentialsInit } from './transport/credentials.ts';
export { resolveProtoRoot, PROTO_DIR_ENV, PROTO_ROOT_MARKER } from './proto-root.ts';
export type { ResolveProtoRootOptions } from './proto-root.ts';
export {
  DEFAULT_DEADLINE_MS,
  DEFAULT_KEEPALIVE_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  FLOW_CONTROL_WINDOW_BYTES,
} from './transport/grpc-options.ts';
export type { ClientInit } from './transport/client-channel.ts';
export type { CallOptions } from './transport/unary-call.ts';
export { nodeServiceBinding, NODE_SERVICE_NAME } from './node/node-service.ts';
export type { NodeInfoData, NodeServiceHandler } from './node/node-messages.ts';
export { createNodeClient } from './node/node-client.ts';
export type { NodeClient } from './node/node-client.ts';
export { createHealthClient } from './transport/health-client.ts';
export type { HealthClient, HealthStatus } from './transport/health-client.ts';

// The peer protocol: routing (peerweave.routing.v1), content (peerweave.content.v1) and search
// (peerweave.search.v1) messages, the serving and calling sides.
export { MEMBER_STATES } from './routing/routing-messages.ts';
export type { MemberState, PeerContact, MemberUpdate, Envelope, PingRequest, PingResponse, PingReqRequest, PingReqResponse, FindNodeRequest, FindNodeResponse, LeaveRequest, LeaveResponse, RoutingMethods, RoutingMethod, RoutingHandler } from './routing/routing-messages.ts';
export type { PeerMethods, PeerMethod, PeerRequest, PeerResponse, PeerMethodHandler, PeerHandler, PeerTransport } from './peer-messages.ts';
export type { PeerCallContext, PeerCallOptions } from './service-types.ts';
export type { ContentHandler } from './content/content-messages.ts';
export type { SearchHandler } from './search/search-messages.ts';
export { MAX_ADDRESS_LENGTH, MAX_ROLE_LENGTH, MAX_UPDATES_PER_MESSAGE, MAX_CONTACTS_PER_MESSAGE, MAX_FIND_NODE_COUNT, MAX_PING_REQ_TIMEOUT_MS, ROUTING_METHODS, isRoutingMethod } from './routing/routing-codec.ts';
export { PEER_METHODS, isPeerMethod, assertValidPeerRequest, assertValidPeerResponse } from './peer-codec.ts';
export { routingServiceBinding, ROUTING_SERVICE_NAME } from './routing/routing-service.ts';
export type {
  PutBlockRequest,
  PutBlockResponse,
  GetBlockRequest,
  GetBlockResponse,
  HasBlocksRequest,
  HasBlocksResponse,
  PutRecordRequest,
  PutRecordResponse,
  GetRecordRequest,
  GetRecordResponse,
  PutTombstoneRequest,
  PutTombstoneResponse,
  SyncDigestRequest,
  SyncDigestResponse,
  SyncKeysRequest,
  SyncKeysResponse,
  AddProviderRequest,
  AddProviderResponse,
  GetProvidersRequest,
  GetProvidersResponse,
  ContentMethods,
  ContentMethod,
} from './content/content-messages.ts';
export {
  MAX_CID_LENGTH,
  MAX_BLOCK_BYTES,
  MAX_CIDS_PER_MESSAGE,
  MAX_ROOTS_PER_BLOCK,
  MAX_SYNC_KEYS,
  MAX_SYNC_TOMBSTONES,
  MAX_SYNC_RANGES,
  MAX_RANGE_PREFIX,
  RANGE_HASH_BYTES,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  MAX_NAME_LENGTH,
  MAX_CONTENT_TYPE_LENGTH,
  MAX_KEYWORDS,
  MAX_KEYWORD_LENGTH,
  MAX_PROVIDERS_PER_MESSAGE,
  CONTENT_METHODS,
  isContentMethod,
} from './content/content-codec.ts';
export { contentServiceBinding, CONTENT_SERVICE_NAME } from './content/content-service.ts';
export {
  SEARCH_MODES,
  DEFAULT_SEARCH_TTL,
  MAX_SEARCH_TTL,
  MAX_QUERY_LENGTH,
  MAX_SEARCH_LIMIT,
  MAX_INDEX_ENTRIES_PER_MESSAGE,
  MAX_SUPERNODES_PER_MESSAGE,
} from './search/search-messages.ts';
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
  SearchMethods,
  SearchMethod,
} from './search/search-messages.ts';
export { QUERY_ID_BYTES, MAX_SEARCH_HOPS, SEARCH_METHODS, isSearchMethod } from './search/search-codec.ts';
export { searchServiceBinding, SEARCH_SERVICE_NAME } from './search/search-service.ts';
export { GrpcPeerTransport, DEFAULT_IDLE_CHANNEL_MS } from './transport/grpc-peer-transport.ts';
export type { GrpcPeerTransportInit } from './transport/grpc-peer-transport.ts';

// The block streams of peerweave.content.v1 (GetBlocks, PutBlocks): bulk block bytes on long-lived
// streams. Served through ContentHandler (readBlock, writeBlocks), called through PeerTransport
// (openBlockReader, openBlockWriter).
export type {
  BlockPut,
  BlockPutAck,
  BlockStreamHandler,
  BlockStreamCallOptions,
  BlockReader,
  BlockWriter,
  BlockStreamTransport,
} from './block-streams/block-stream-messages.ts';
export {
  MAX_OUTSTANDING_WANTS,
  MAX_CONCURRENT_BLOCK_READS,
  MAX_PUT_BATCH_BLOCKS,
  MAX_PUT_BATCH_BYTES,
  MAX_QUEUED_PUT_BYTES,
  MAX_BLOCK_ERROR_CODE_LENGTH,
  MAX_BLOCK_ERROR_MESSAGE_BYTES,
} from './block-streams/block-stream-limits.ts';
export { GrpcBlockReader } from './block-streams/grpc-block-reader.ts';
export { GrpcBlockWriter } from './block-streams/grpc-block-writer.ts';
