// Test helpers of the search lib: `@peerweave/search/testing`.
export { MemoryIndex, MemoryLeafIndex, words } from './memory-index.ts';
export {
  SearchCluster,
  createSearchCluster,
  syntheticOverlay,
  type SearchClusterOptions,
  type SearchClusterNode,
  type OverlayKind,
} from './search-cluster.ts';
export { placeFiles, measure, type Workload, type WorkloadOptions, type Measurement } from './workload.ts';
