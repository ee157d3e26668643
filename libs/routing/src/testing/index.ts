// In-process test layer and simulator support: `@peerweave/routing/testing`.
export { TestCluster, createTestCluster, createSimulatedNetwork, type TestClusterOptions, type ClusterNode } from './test-cluster.ts';
