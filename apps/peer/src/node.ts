// The peer app's node: the whole node as libs/node builds it, serving the OpenAPI document that the
// build wrote beside the bundle.
import type { NodeConfig } from '@peerweave/config';
import { startNode as startPeerweaveNode, type PeerweaveNode } from '@peerweave/node';
import { builtOpenApiDocument } from './openapi-document.ts';

export type PeerNode = PeerweaveNode;

/** Builds and starts every component of one node from its configuration; `stop()` stops them. */
export function startNode(config: NodeConfig): Promise<PeerNode> {
  const openApiDocument = builtOpenApiDocument(new URL('.', import.meta.url));
  return startPeerweaveNode({ config, ...(openApiDocument ? { openApiDocument } : {}) });
}
