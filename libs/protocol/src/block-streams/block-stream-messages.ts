/**
 * The block streams of `peerweave.content.v1` as the domain sees them (issue #11): bulk block bytes
 * move on long-lived streams, one per peer pair and direction in use, instead of one unary call per
 * block. Reads are `GetBlocks` (the caller sends wants, one CID each; the callee answers each with
 * one frame, in the order asked); writes are `PutBlocks` (the caller sends blocks; the callee
 * answers each with an acknowledgement, in order, once the block is durable — blocks that arrive
 * together are committed together, one sync per batch). Block bytes travel as raw Buffers behind a
 * small header: no protobuf copy of the payload.
 *
 * The transport frames, limits and orders; the handler decides (verifies bytes against CIDs,
 * stores, refuses). Both run unchanged over gRPC (GrpcPeerTransport, block-stream-server.ts) and
 * over the in-memory network (MemoryNetwork). What one stream may cost its callee is bounded
 * (block-stream-limits.ts).
 */
import type { PeerCallContext } from '../service-types.ts';

/** One block sent on a write stream. */
export interface BlockPut {
  /** Canonical CID string. */
  readonly cid: string;
  /** The block's bytes (at most MAX_BLOCK_BYTES); the receiver checks them against `cid`. */
  readonly data: Uint8Array;
  /** Root CIDs of the objects the block belongs to (at most MAX_ROOTS_PER_BLOCK). */
  readonly roots: readonly string[];
  /** Hinted hand-off: id of the replica this copy stands in for (64 hex), or '' for a replica. */
  readonly hintFor: string;
}

/** The receiver's answer to one block of a write stream, in the order the blocks were sent. */
export interface BlockPutAck {
  readonly cid: string;
  /** True once stored durably; false when refused because every root is deleted (tombstoned). */
  readonly stored: boolean;
  /** '' when handled (stored or refused); otherwise the error code for this block (CORRUPT_BLOCK, ...). */
  readonly error: string;
  /** Human-readable detail of `error` ('' when none). */
  readonly message: string;
}

/** The serving side of the block streams: part of every ContentHandler (ContentNode provides it). */
export interface BlockStreamHandler {
  /**
   * One block for a read stream: its bytes as stored (the asker verifies them), or undefined when
   * this node does not hold it. May throw a PeerweaveError (RESOURCE_EXHAUSTED, ...): that block
   * is answered with the error, the stream stays open (anything else is answered INTERNAL and
   * logged). A few run at once per stream (MAX_CONCURRENT_BLOCK_READS); `context.signal` aborts
   * when the stream ends or its caller cancels it.
   */
  readBlock(cid: string, context: PeerCallContext): Promise<Uint8Array | undefined>;
  /**
   * Stores the blocks that arrived together on one write stream and resolves once every stored one
   * is durable (group commit: no ack before the sync). One ack per block, in order. A block whose
   * bytes do not match its CID gets error CORRUPT_BLOCK and is never stored. One call at a time
   * per stream, at most MAX_PUT_BATCH_BLOCKS / MAX_PUT_BATCH_BYTES each. A PeerweaveError thrown
   * acks every block of the batch with it; wrong acks (not one per block, in order) end the stream
   * with INTERNAL.
   */
  writeBlocks(blocks: readonly BlockPut[], context: PeerCallContext): Promise<readonly BlockPutAck[]>;
}

export interface BlockStreamCallOptions {
  /** Gives up on this block (see BlockReader.get and BlockWriter.put for what that does to the stream). */
  signal?: AbortSignal;
  /**
   * How long this block may take to arrive (read) or be acknowledged (write), from the call; the
   * transport's default deadline when absent. The stream itself has none: it lives until closed.
   */
  deadlineMs?: number;
}

/**
 * A read stream to one peer. `get` may be called many times without waiting (a window of wants in
 * flight, at most MAX_OUTSTANDING_WANTS: beyond that the peer answers RESOURCE_EXHAUSTED); answers
 * come in order. A stall past a want's deadline rejects it with DEADLINE_EXCEEDED and closes the
 * stream (every other pending want rejects too); so does a malformed frame (INVALID_ARGUMENT), the
 * stream failing (UNAVAILABLE, ...), and a get's own signal aborting (answers are matched to wants
 * by their order, so one given up on breaks the stream). A closed reader rejects every call with
 * the error that closed it: open a new one.
 */
export interface BlockReader {
  /** The block's bytes as the peer sent them (unverified: check them against the CID), or undefined when the peer lacks it. */
  get(cid: string, options?: BlockStreamCallOptions): Promise<Uint8Array | undefined>;
  /** Cancels the stream; pending gets reject with ABORTED. Idempotent. */
  close(): void;
  readonly closed: boolean;
}

/**
 * A write stream to one peer. `put` may be called many times without waiting; it resolves with the
 * block's ack (after the peer's group commit), also when the ack carries an error (CORRUPT_BLOCK,
 * ...: the caller decides), and applies back-pressure (it does not resolve before the bytes were
 * taken by the stream; puts wait while the stream is full). A failed stream, or a put's deadline
 * passing, rejects every pending put. A put's own signal rejects that put alone (if already sent,
 * the peer may still store the block).
 */
export interface BlockWriter {
  put(block: BlockPut, options?: BlockStreamCallOptions): Promise<BlockPutAck>;
  /** Ends the stream once pending puts are acknowledged (or cancels it when `abort`). Idempotent. */
  close(abort?: boolean): void;
  readonly closed: boolean;
}

/**
 * The calling side of the block streams; part of every PeerTransport. Opening never throws: a
 * stream that cannot be opened (bad address, closed transport) is returned closed, rejecting every
 * call with why. The `signal` closes the stream when it aborts.
 */
export interface BlockStreamTransport {
  openBlockReader(address: string, options?: { signal?: AbortSignal }): BlockReader;
  openBlockWriter(address: string, options?: { signal?: AbortSignal }): BlockWriter;
}
