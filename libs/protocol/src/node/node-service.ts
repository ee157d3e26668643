import type { NodeServiceDefinition } from '../generated/peerweave/node/v1/NodeService.ts';
import { serviceBinding, serviceSpec, type ServiceBinding } from '../service-binding.ts';
import { NODE_CODECS, NODE_RPC_NAMES } from './node-codec.ts';
import type { NodeMethods, NodeServiceHandler } from './node-messages.ts';

export const NODE_SERVICE = serviceSpec<keyof NodeMethods>('peerweave.node.v1.NodeService', 'peerweave/node/v1/node.proto', NODE_RPC_NAMES);
export const NODE_SERVICE_NAME = NODE_SERVICE.serviceName;

/** The NodeService definition, typed as generated. */
export function nodeServiceDefinition(): NodeServiceDefinition {
  return NODE_SERVICE.definition() as unknown as NodeServiceDefinition;
}

/** NodeService, ready for `GrpcServer.addService` ({@link serviceBinding}). */
export function nodeServiceBinding(handler: NodeServiceHandler): ServiceBinding {
  return serviceBinding<NodeMethods>(NODE_SERVICE, NODE_CODECS, { getInfo: (_request, context) => handler.getInfo(context) });
}
