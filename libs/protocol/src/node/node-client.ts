import { ClientChannel, type ClientInit } from '../transport/client-channel.ts';
import { fromNodeInfoMessage } from './node-codec.ts';
import type { NodeInfoData } from './node-messages.ts';
import { nodeServiceDefinition } from './node-service.ts';
import { unaryCall, type CallOptions } from '../transport/unary-call.ts';

/** Client of one peer's NodeService. */
export interface NodeClient {
  /** Who answers at the address. Rejects with a PeerweaveError (DEADLINE_EXCEEDED, UNAVAILABLE, ...). */
  getInfo(options?: CallOptions): Promise<NodeInfoData>;
  /** Cancels calls in flight (they reject with ABORTED) and releases the channel. */
  close(): void;
}

/** A NodeService client for `address` (`host:port`). */
export function createNodeClient(address: string, init: ClientInit = {}): NodeClient {
  const channel = new ClientChannel(address, init);
  const getInfo = nodeServiceDefinition().GetInfo;
  return {
    async getInfo(options?: CallOptions): Promise<NodeInfoData> {
      return fromNodeInfoMessage(await unaryCall(channel, getInfo, {}, options));
    },
    close(): void {
      channel.close();
    },
  };
}
