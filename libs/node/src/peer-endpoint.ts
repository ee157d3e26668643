import { ConfigError, lateBound, ShuttingDownError, type Logger, type Startable } from '@peerweave/core';
import type { NodeConfig } from '@peerweave/config';
import {
  GrpcPeerTransport,
  GrpcServer,
  contentServiceBinding,
  createCredentials,
  nodeServiceBinding,
  routingServiceBinding,
  searchServiceBinding,
  type ContentHandler,
  type CredentialsInit,
  type ProtocolCredentials,
  type TlsMaterial,
  type NodeInfoData,
  type RoutingHandler,
  type SearchHandler,
} from '@peerweave/protocol';

/** What the endpoint reads of the node's certificates (NodeCertificates). */
export interface PeerCertificates {
  /** The CA bundle, the node's certificate and key; undefined without a cluster CA. */
  current(): TlsMaterial | undefined;
  /** Calls `listener` with every renewed certificate; returns how to stop. */
  onRenewed(listener: (material: TlsMaterial) => void): () => void;
}

/**
 * A node without a cluster certificate refuses to start unless PEERWEAVE_INSECURE=true: the peer
 * protocol is mutual TLS, and plaintext (no admission, no verified ids) only when asked for by
 * name (issue #15). Compose, the Kubernetes manifests and the e2e suites give every node a CA.
 */
export const DEFAULT_REQUIRE_MUTUAL_TLS = true;

/**
 * The transport security of the node's peer protocol: mutual TLS with the node's certificate when
 * it has one and PEERWEAVE_INSECURE is not set, plaintext otherwise. With `requireMutualTls`, a
 * node that would speak plaintext without PEERWEAVE_INSECURE=true is a ConfigError naming what to
 * set (the node stops at start).
 */
export function peerCredentialsInit(
  config: Pick<NodeConfig, 'insecure'>,
  certificates: PeerCertificates | undefined,
  requireMutualTls = DEFAULT_REQUIRE_MUTUAL_TLS,
): CredentialsInit {
  if (config.insecure) return { insecure: true };
  const tls = certificates?.current();
  if (tls !== undefined) return { tls, onRenewed: (listener) => certificates!.onRenewed(listener) };
  if (requireMutualTls) {
    throw new ConfigError(
      'peer connections need a cluster certificate: set PEERWEAVE_CLUSTER_CA with PEERWEAVE_CLUSTER_CA_KEY (or PEERWEAVE_TLS_CERT), or PEERWEAVE_INSECURE=true for plaintext',
      { details: { variable: 'PEERWEAVE_CLUSTER_CA' } },
    );
  }
  return { insecure: true };
}

export interface PeerEndpointInit {
  config: Pick<
    NodeConfig,
    'grpcHost' | 'grpcPort' | 'grpcMaxMessageBytes' | 'grpcKeepaliveMs' | 'grpcReflection' | 'rpcDeadlineMs' | 'insecure' | 'grpcMaxConcurrentStreams' | 'grpcMaxConnectionsPerPeer'
  >;
  logger: Logger;
  /** The node's cluster certificate, when it has one: the endpoint then speaks mutual TLS. */
  certificates?: PeerCertificates;
  /** What NodeService.GetInfo answers; it throws SHUTTING_DOWN once `stopping()` is true. */
  info(): NodeInfoData;
  stopping(): boolean;
  /** How long in-flight calls may still run when the server stops. */
  graceMs(): number;
}

/**
 * The node's side of the peer protocol: the gRPC server with every service, and the transport its
 * components call other peers with. The services are registered before the server listens, and the
 * routing, content and search nodes that serve them can only be built after (they advertise the
 * bound port): each service serves a late binding (`routing`, `content`, `search`), bound to the
 * component's handler once it is built; a call before that is UNAVAILABLE.
 */
export class PeerEndpoint implements Startable {
  readonly routing = lateBound<RoutingHandler>('routing');
  readonly content = lateBound<ContentHandler>('content');
  readonly search = lateBound<SearchHandler>('search');
  readonly transport: GrpcPeerTransport;
  readonly #server: GrpcServer;
  readonly #init: PeerEndpointInit;
  readonly #credentials: ProtocolCredentials;

  constructor(init: PeerEndpointInit) {
    const { config, logger } = init;
    this.#init = init;
    const credentials = createCredentials(peerCredentialsInit(config, init.certificates));
    this.#credentials = credentials;
    if (credentials.secure) logger.info('peer connections: mutual TLS with the cluster CA');
    else logger.warn({ insecure: config.insecure }, 'peer connections: plaintext, unauthenticated (no cluster certificate, or PEERWEAVE_INSECURE=true)');
    this.#server = new GrpcServer({
      host: config.grpcHost,
      port: config.grpcPort,
      maxMessageBytes: config.grpcMaxMessageBytes,
      keepaliveMs: config.grpcKeepaliveMs,
      credentials,
      logger: logger.child({ component: 'grpc' }),
      reflection: config.grpcReflection,
      maxConcurrentStreams: config.grpcMaxConcurrentStreams,
      maxConnectionsPerPeer: config.grpcMaxConnectionsPerPeer,
    });
    this.transport = new GrpcPeerTransport({
      maxMessageBytes: config.grpcMaxMessageBytes,
      keepaliveMs: config.grpcKeepaliveMs,
      defaultDeadlineMs: config.rpcDeadlineMs,
      credentials,
    });
    this.#server.addService(routingServiceBinding(this.routing.target));
    this.#server.addService(contentServiceBinding(this.content.target));
    this.#server.addService(searchServiceBinding(this.search.target));
    this.#server.addService(
      nodeServiceBinding({
        getInfo: async () => {
          if (init.stopping()) throw new ShuttingDownError('node is shutting down');
          return init.info();
        },
      }),
    );
  }

  /** The bound port (the real one when configured as 0); only once started. */
  get port(): number {
    return this.#server.port;
  }

  start(): Promise<void> {
    return this.#server.start();
  }

  /** Drains the server (in-flight calls get the grace period), then closes the outgoing channels. */
  async stop(): Promise<void> {
    try {
      await this.#server.stop({ graceMs: this.#init.graceMs() });
    } finally {
      await this.transport.close();
      this.#credentials.close();
    }
  }
}
