// Test and simulation fakes of the protocol lib: `@peerweave/protocol/testing`.
export { MemoryNetwork } from '../memory/memory-network.ts';
export type { MemoryHandler, MemoryLatency } from '../memory/memory-network-types.ts';
