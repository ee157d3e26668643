// Test and simulation fakes of the protocol lib: `@peerweave/protocol/testing`.
export { MemoryNetwork } from '../memory/memory-network.ts';
export type { MemoryHandler, MemoryLatency, MemoryListenOptions } from '../memory/memory-network-types.ts';
export { createTestCa, createTestNodeCertificates, type TestCa, type TestNodeCertificates } from './test-certificates.ts';
