// Test helpers of the storage lib, for this lib's specs and for the libs built on it.
export { MemoryBlocks } from './memory-blocks.ts';
export { moduloPattern, lcgPattern, piecesOf, collect } from './sources.ts';
