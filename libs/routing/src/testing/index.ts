// In-process test layer and simulator support: `@peerweave/routing/testing`.
export { TestCluster, createTestCluster, type TestClusterOptions, type ClusterNode } from './test-cluster.ts';
