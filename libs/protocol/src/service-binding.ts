import type { Server, ServiceDefinition, UntypedHandleCall } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { InternalError, InvalidArgumentError, type Logger } from '@peerweave/core';
import type { ServerCodec } from './method-codec.ts';
import { loadProtocolPackage } from './proto-packages.ts';
import { checkSpeaker } from './speaker-rules.ts';
import type { MethodTable, ServiceHandler } from './service-types.ts';
import { unaryHandler } from './transport/server-unary.ts';

/** What a GrpcServer gives each service it carries. */
export interface BindingContext {
  /** The server's logger; handlers log unexpected failures here. */
  logger: Logger;
}

/**
 * One gRPC service ready to be carried by a GrpcServer: the wire side of a domain handler. Made by
 * {@link serviceBinding} (through `routingServiceBinding(handler)` and its siblings); the server
 * adds it, reports its health under `serviceName` and describes `packageDefinition` through
 * reflection.
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

/** A service as the wire names it: which proto file, which gRPC name, which unary methods. */
export interface ServiceSpec<M extends string> {
  /** Fully qualified name, e.g. `peerweave.routing.v1.PeerService`; also its health-check name. */
  readonly serviceName: string;
  /** Its file under the proto root, e.g. `peerweave/routing/v1/routing.proto`. */
  readonly protoFile: string;
  /** The gRPC name of each unary method, by domain name. */
  readonly rpcNames: { readonly [K in M]: string };
  /** The definition grpc-js serves and calls: loaded once from the proto root. */
  definition(): ServiceDefinition;
}

/**
 * The spec of one of our services. `adapt` changes the loaded definition once (the content
 * service gives its block streams their own serializers).
 */
export function serviceSpec<M extends string>(
  serviceName: string,
  protoFile: string,
  rpcNames: { readonly [K in M]: string },
  adapt: (definition: ServiceDefinition) => ServiceDefinition = (d) => d,
): ServiceSpec<M> {
  let definition: ServiceDefinition | undefined;
  return {
    serviceName,
    protoFile,
    rpcNames,
    definition: () => (definition ??= adapt(loadProtocolPackage(protoFile)[serviceName] as ServiceDefinition)),
  };
}

/** What a service serves beside its unary methods. */
export interface BindingExtras {
  /** Handlers of its streaming methods, by gRPC name. */
  streams?(logger: Logger): Record<string, UntypedHandleCall>;
  /** Ends its long-lived streams when the server stops (ServiceBinding.drain). */
  drain?(): void;
}

/**
 * A service ready for `GrpcServer.addService`: every unary method of `spec` decodes and validates
 * its request with `codecs` before `handler` sees it (a malformed one is answered with
 * INVALID_ARGUMENT), the handler's `signal` aborts when the caller cancels or its deadline passes,
 * a PeerweaveError it throws reaches the caller with its code, and its response is validated on
 * the way out: a response the handler got wrong is our bug, not the caller's, so it is logged and
 * answered with INTERNAL. `extras` adds the streams and their drain.
 */
export function serviceBinding<Methods extends MethodTable<Methods>>(
  spec: ServiceSpec<keyof Methods & string>,
  codecs: { readonly [M in keyof Methods]: ServerCodec<Methods[M]> },
  handler: ServiceHandler<Methods>,
  extras: BindingExtras = {},
): ServiceBinding {
  const binding: ServiceBinding = {
    serviceName: spec.serviceName,
    packageDefinition: loadProtocolPackage(spec.protoFile),
    addToServer(server: Server, { logger }: BindingContext): void {
      const handlers: Record<string, UntypedHandleCall> = { ...extras.streams?.(logger) };
      for (const method of Object.keys(spec.rpcNames) as (keyof Methods & string)[]) {
        const rpc = spec.rpcNames[method];
        handlers[rpc] = unaryMethodHandler(`${spec.serviceName}/${rpc}`, method, codecs[method], handler, logger);
      }
      server.addService(spec.definition(), handlers);
    },
  };
  if (extras.drain !== undefined) binding.drain = extras.drain;
  return binding;
}

function unaryMethodHandler<Methods extends MethodTable<Methods>, M extends keyof Methods & string>(
  path: string,
  method: M,
  codec: ServerCodec<Methods[M]>,
  handler: ServiceHandler<Methods>,
  logger: Logger,
): UntypedHandleCall {
  const handle = handler[method];
  return unaryHandler<unknown, unknown>(path, logger, async (message, context) => {
    const request = codec.decodeRequest(message as never);
    checkSpeaker(method, request, context);
    const response = await handle.call(handler, request, context);
    try {
      return codec.encodeResponse(response);
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      throw new InternalError(`invalid ${method} response: ${err.message}`, { cause: err });
    }
  });
}
