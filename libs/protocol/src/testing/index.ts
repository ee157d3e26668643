// Test and simulation fakes of the protocol lib: `@peerweave/protocol/testing`.
export { MemoryNetwork } from '../memory/memory-network.ts';
export { DEFAULT_MEMORY_LATENCY_MS, BLOCK_STREAM_METHODS } from '../memory/memory-network-types.ts';
export type {
  BlockStreamMethod,
  CountedMethod,
  MemoryNetworkInit,
  MemoryLatency,
  MemoryListener,
  MemoryHandler,
  MemoryNetworkStats,
  MessageCounts,
  NodeMessageCounts,
} from '../memory/memory-network-types.ts';
