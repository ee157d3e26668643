/**
 * Limits of the block streams (`GetBlocks`, `PutBlocks`; issue #11), shared by the gRPC server,
 * the gRPC client and the in-memory network. Each bounds what one stream can make its callee hold
 * in memory, whatever the caller does.
 */

/**
 * Wants a GetBlocks callee holds per stream, from arrival until their frame is written. A caller
 * keeps a window of wants in flight to hide the round trip: 32 of 256 KiB blocks (8 MiB) fill a
 * 1 Gbit/s link at 60 ms RTT. Wants beyond this are answered at once with a RESOURCE_EXHAUSTED
 * frame (in order), so a caller that overruns learns it without the callee queueing without bound.
 */
export const MAX_OUTSTANDING_WANTS = 64;

/**
 * Blocks a GetBlocks callee reads at once per stream, counting those read and waiting for their
 * turn to be written (answers go out in want order). Enough to overlap a disk read with the
 * network; more only holds more blocks in memory (at most this many × MAX_BLOCK_BYTES per stream).
 */
export const MAX_CONCURRENT_BLOCK_READS = 4;

/**
 * Most blocks one PutBlocks group commit takes: the handler syncs once per batch, so a larger batch
 * means fewer syncs, but its first block waits for the whole batch's write.
 */
export const MAX_PUT_BATCH_BLOCKS = 32;

/** Most bytes of block data one PutBlocks group commit takes (see MAX_PUT_BATCH_BLOCKS). */
export const MAX_PUT_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * Bytes of received PutBlocks blocks a callee queues per stream before it stops reading the stream;
 * it reads on after a commit. Two batches: one being committed, the next one arriving meanwhile.
 * The caller then meets HTTP/2 flow control, so a fast writer to a slow disk holds no more than this.
 */
export const MAX_QUEUED_PUT_BYTES = 16 * 1024 * 1024;

/** Longest error code in a frame or ack (our codes are at most 22 characters; room for new ones). */
export const MAX_BLOCK_ERROR_CODE_LENGTH = 64;

/** Longest error message in a frame or ack, in bytes of UTF-8; a longer one of ours is cut. */
export const MAX_BLOCK_ERROR_MESSAGE_BYTES = 1024;
