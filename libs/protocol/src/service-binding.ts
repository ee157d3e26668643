import type { Server } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import type { Logger } from '@peerweave/core';

/** What a GrpcServer gives each service it carries. */
export interface BindingContext {
  /** The server's logger; handlers log unexpected failures here. */
  logger: Logger;
}

/**
 * One gRPC service ready to be carried by a GrpcServer: the wire side of a domain handler. Made by
 * a `xServiceBinding(handler)` factory; the server adds it, reports its health under
 * `serviceName` and describes `packageDefinition` through reflection.
 */
export interface ServiceBinding {
  /** Fully qualified name, e.g. `peerweave.node.v1.NodeService`; also its health-check name. */
  readonly serviceName: string;
  /** The loaded protocol package that defines the service, for reflection. */
  readonly packageDefinition: PackageDefinition;
  addToServer(server: Server, context: BindingContext): void;
  /**
   * Called once when the server starts stopping: long-lived streams stop taking new work and end
   * (status OK) once what they took is answered, instead of holding the stop for its whole grace
   * period. Optional: services of unary calls need none.
   */
  drain?(): void;
}
