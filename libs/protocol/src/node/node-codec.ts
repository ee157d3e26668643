/** Domain ⇄ wire mapping of the node service. */
import type { NodeInfo, NodeInfo__Output } from '../generated/peerweave/node/v1/NodeInfo.ts';
import type { ServerCodec } from '../method-codec.ts';
import type { NodeInfoData, NodeMethods } from './node-messages.ts';

/** The gRPC method name of each node method. */
export const NODE_RPC_NAMES = { getInfo: 'GetInfo' } as const;

/** Only the fields the protocol defines go on the wire, whatever else the object carries. */
export function toNodeInfoMessage(data: NodeInfoData): NodeInfo {
  return {
    nodeId: data.nodeId,
    publicKey: data.publicKey,
    role: data.role,
    version: data.version,
    httpAddresses: data.httpAddresses,
    grpcAddresses: data.grpcAddresses,
    startedAtMs: data.startedAtMs,
  };
}

export function fromNodeInfoMessage(message: NodeInfo__Output): NodeInfoData {
  return {
    nodeId: message.nodeId,
    // A copy, not a view: a Buffer from grpc-js may sit in a shared pool slab it would keep alive.
    publicKey: new Uint8Array(message.publicKey),
    role: message.role,
    version: message.version,
    httpAddresses: message.httpAddresses,
    grpcAddresses: message.grpcAddresses,
    startedAtMs: message.startedAtMs,
  };
}

/** What the serving side needs: GetInfo's request carries nothing. */
export const NODE_CODECS: { readonly [M in keyof NodeMethods]: ServerCodec<NodeMethods[M]> } = {
  getInfo: { decodeRequest: () => ({}), encodeResponse: toNodeInfoMessage },
};
