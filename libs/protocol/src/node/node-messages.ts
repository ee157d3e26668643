/** The node service (`peerweave.node.v1.NodeService`: GetInfo) as the domain sees it. */

/** Identity and reachability of a node: the domain view of `peerweave.node.v1.NodeInfo`. */
export interface NodeInfoData {
  /** SHA-256 of publicKey, lower-case hex, 64 characters. */
  nodeId: string;
  /** Raw Ed25519 public key, 32 bytes. */
  publicKey: Uint8Array;
  /** `peer` or `supernode`. */
  role: string;
  version: string;
  /** Base URLs of the HTTP API. */
  httpAddresses: string[];
  /** `host:port` of the peer protocol. */
  grpcAddresses: string[];
  /** Start time, milliseconds since the Unix epoch. */
  startedAtMs: number;
}

/** The domain side of NodeService; node-service.ts puts it on the wire. */
export interface NodeServiceHandler {
  /** `signal` aborts when the caller cancels or the call's deadline passes. */
  getInfo(options: { signal: AbortSignal }): Promise<NodeInfoData>;
}

/** The node service's one method (its request is empty). */
export interface NodeMethods {
  getInfo: { request: Record<string, never>; response: NodeInfoData };
}
