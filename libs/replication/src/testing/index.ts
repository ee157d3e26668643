// In-process test layer for content: `@peerweave/replication/testing`.
export { ContentCluster, createContentCluster, type ContentClusterOptions, type ContentClusterNode } from './content-cluster.ts';
