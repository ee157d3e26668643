import { lateBound, ShuttingDownError, type Logger, type Startable } from '@peerweave/core';
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
  type NodeInfoData,
  type RoutingHandler,
  type SearchHandler,
} from '@peerweave/protocol';

export interface PeerEndpointInit {
  config: Pick<NodeConfig, 'grpcHost' | 'grpcPort' | 'grpcMaxMessageBytes' | 'grpcKeepaliveMs' | 'grpcReflection' | 'rpcDeadlineMs'>;
  logger: Logger;
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

  constructor(init: PeerEndpointInit) {
    const { config, logger } = init;
    this.#init = init;
    const credentials = createCredentials();
    this.#server = new GrpcServer({
      host: config.grpcHost,
      port: config.grpcPort,
      maxMessageBytes: config.grpcMaxMessageBytes,
      keepaliveMs: config.grpcKeepaliveMs,
      credentials,
      logger: logger.child({ component: 'grpc' }),
      reflection: config.grpcReflection,
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
    }
  }
}
