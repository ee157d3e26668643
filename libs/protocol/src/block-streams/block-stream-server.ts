/**
 * The serving side of the block streams over gRPC: the grpc-js handlers of `GetBlocks` and
 * `PutBlocks`, in front of a BlockStreamHandler. The handler decides (what it holds, what it
 * stores); this file frames, orders and bounds: every stream costs its server at most
 * MAX_OUTSTANDING_WANTS wants and MAX_CONCURRENT_BLOCK_READS blocks (reads) or
 * MAX_QUEUED_PUT_BYTES (writes), whatever the caller sends, and stops reading the stream while its
 * answers are not being taken (HTTP/2 flow control then stops the caller).
 */
import type { handleBidiStreamingCall, ServerDuplexStream } from '@grpc/grpc-js';
import { InternalError, PeerweaveError, type Logger } from '@peerweave/core';
import { checkBlockAnswer, encodeBlockFrame } from './block-frame.ts';
import { FramePool } from './frame-pool.ts';
import {
  MAX_CONCURRENT_BLOCK_READS,
  MAX_OUTSTANDING_WANTS,
  MAX_PUT_BATCH_BLOCKS,
  MAX_PUT_BATCH_BYTES,
  MAX_QUEUED_PUT_BYTES,
} from './block-stream-limits.ts';
import type { BlockPut, BlockPutAck, BlockStreamHandler } from './block-stream-messages.ts';
import { encodeAck, type PutIn, type WantIn } from './block-stream-methods.ts';
import type { PutBlocksAck } from '../generated/peerweave/content/v1/PutBlocksAck.ts';
import type { PeerCallContext } from '../service-types.ts';
import { serverCallSignal, streamCaller } from '../transport/server-unary.ts';
import { grpcFailureForError, INTERNAL_ERROR_MESSAGE } from '../transport/status-mapping.ts';
import { type StreamRegistry } from '../transport/stream-registry.ts';

/**
 * GetBlocks: reads each want's block with `handler.readBlock` (at most MAX_CONCURRENT_BLOCK_READS
 * at once) and writes one frame per want, strictly in want order. A handler's PeerweaveError
 * becomes that block's error frame and the stream goes on; any other failure is logged and sent
 * as INTERNAL "internal error". Wants beyond MAX_OUTSTANDING_WANTS are answered with a
 * RESOURCE_EXHAUSTED frame. A malformed want ends the stream with INVALID_ARGUMENT. The handler's
 * signal aborts when the caller cancels the stream or it ends.
 */
export function getBlocksHandler(
  method: string,
  handler: Pick<BlockStreamHandler, 'readBlock'>,
  logger: Logger,
  streams: StreamRegistry,
): handleBidiStreamingCall<WantIn, Buffer> {
  return (call) => {
    const caller = streamCaller(call);
    if (caller !== undefined) new GetBlocksStream(method, call, handler, logger, streams, caller.callerId).start();
  };
}

/**
 * PutBlocks: queues the blocks received and hands everything queued (up to MAX_PUT_BATCH_BLOCKS /
 * MAX_PUT_BATCH_BYTES) to one `handler.writeBlocks` call at a time, then writes its acks in order:
 * no block is acknowledged before the commit that stored it resolved. A failed commit acks each of
 * its blocks with the error; a malformed block ends the stream with INVALID_ARGUMENT; acks the
 * handler got wrong (not one per block, in order) end it with INTERNAL and are logged.
 */
export function putBlocksHandler(
  method: string,
  handler: Pick<BlockStreamHandler, 'writeBlocks'>,
  logger: Logger,
  streams: StreamRegistry,
): handleBidiStreamingCall<PutIn, PutBlocksAck> {
  return (call) => {
    const caller = streamCaller(call);
    if (caller !== undefined) new PutBlocksStream(method, call, handler, logger, streams, caller.callerId).start();
  };
}


/** What both stream servers share: the context, ending the stream once, with a status or not. */
abstract class ServedStream<In, Out> {
  protected readonly method: string;
  protected readonly call: ServerDuplexStream<In, Out>;
  protected readonly logger: Logger;
  protected readonly context: PeerCallContext;
  /** True once the stream is over for us: ended, failed or cancelled. */
  protected done = false;
  #paused = false;
  #draining = false;
  readonly #controller = new AbortController();
  readonly #releaseCallSignal: () => void;
  readonly #registry: StreamRegistry;

  constructor(method: string, call: ServerDuplexStream<In, Out>, logger: Logger, registry: StreamRegistry, callerId: string | undefined) {
    this.method = method;
    this.call = call;
    this.logger = logger;
    this.#registry = registry;
    const { signal, release } = serverCallSignal(call, method);
    this.#releaseCallSignal = release;
    const onCallAbort = (): void => this.#stop(signal.reason);
    signal.addEventListener('abort', onCallAbort, { once: true });
    this.context = callerId === undefined
      ? { signal: this.#controller.signal, peer: call.getPeer() }
      : { signal: this.#controller.signal, peer: call.getPeer(), callerId };
  }

  start(): void {
    this.call.on('data', (message: In) => {
      if (!this.done) this.onMessage(message);
    });
    this.call.on('end', () => {
      if (!this.done) this.onHalfClose();
    });
    this.#registry.add(this);
  }

  /** The server is stopping: read no more, end once what was read is answered. */
  drain(): void {
    if (this.done || this.#draining) return;
    this.#draining = true;
    this.setPaused(true);
    this.onHalfClose();
  }

  protected abstract onMessage(message: In): void;
  protected abstract onHalfClose(): void;

  /** Reads the stream or stops reading it (HTTP/2 flow control then holds the caller back). */
  protected setPaused(wanted: boolean): void {
    const paused = wanted || this.#draining;
    if (paused === this.#paused || this.done) return;
    this.#paused = paused;
    this.logger.debug({ method: this.method, peer: this.context.peer }, paused ? 'block stream paused' : 'block stream resumed');
    if (paused) this.call.pause();
    else this.call.resume();
  }

  /** Ends the stream with OK once everything was written. */
  protected finish(): void {
    if (this.done) return;
    this.#stop(undefined);
    this.call.end();
  }

  /** Ends the stream with `err`'s status (what was written before still goes out first). */
  protected fail(err: unknown): void {
    if (this.done) return;
    const failure = grpcFailureForError(err);
    if (failure.masked) this.logger.error({ err, method: this.method }, 'gRPC stream handler failed');
    this.#stop(err);
    this.call.emit('error', { code: failure.code, details: failure.details });
  }

  #stop(reason: unknown): void {
    if (this.done) return;
    this.done = true;
    this.#registry.delete(this);
    this.#releaseCallSignal();
    this.#controller.abort(reason ?? new PeerweaveError('ABORTED', `${this.method} ended`));
  }

  /** A handler's failure for one block: its code and message, or INTERNAL (logged) for anything else. */
  protected blockError(err: unknown): { error: string; message: string } {
    if (err instanceof PeerweaveError && err.code !== 'INTERNAL') return { error: err.code, message: err.message };
    if (!this.done) this.logger.error({ err, method: this.method }, 'block stream handler failed');
    return { error: 'INTERNAL', message: INTERNAL_ERROR_MESSAGE };
  }
}

interface Answer {
  readonly cid: string;
  /** The encoded frame once known. */
  frame: Buffer | undefined;
  /** False for a want beyond MAX_OUTSTANDING_WANTS (answered RESOURCE_EXHAUSTED, never read). */
  readonly counted: boolean;
  started: boolean;
}

class GetBlocksStream extends ServedStream<WantIn, Buffer> {
  readonly #handler: Pick<BlockStreamHandler, 'readBlock'>;
  /** Answers in want order; the head is the next frame to write. */
  readonly #answers: Answer[] = [];
  /** Index in #answers of the first answer whose read has not started. */
  #nextRead = 0;
  /** Wants held (counted ones in #answers). */
  #outstanding = 0;
  /** Reads started and not yet written. */
  #reading = 0;
  /** write() said no: wait for 'drain' before writing more. */
  #writeBlocked = false;
  #halfClosed = false;
  /** Memory of the frames sent, reused once each write's callback ran (frame-pool.ts). */
  readonly #frames = new FramePool();

  constructor(
    method: string,
    call: ServerDuplexStream<WantIn, Buffer>,
    handler: Pick<BlockStreamHandler, 'readBlock'>,
    logger: Logger,
    registry: StreamRegistry,
    callerId: string | undefined,
  ) {
    super(method, call, logger, registry, callerId);
    this.#handler = handler;
  }

  override start(): void {
    if (typeof this.#handler.readBlock !== 'function') {
      this.fail(new PeerweaveError('METHOD_NOT_ALLOWED', 'this node does not serve GetBlocks'));
      return;
    }
    this.call.on('drain', () => {
      this.#writeBlocked = false;
      this.#flush();
    });
    super.start();
  }

  protected onMessage(want: WantIn): void {
    if (want instanceof PeerweaveError) {
      this.fail(want);
      return;
    }
    if (this.#outstanding >= MAX_OUTSTANDING_WANTS) {
      this.logger.debug({ method: this.method, peer: this.context.peer, cid: want }, 'want beyond MAX_OUTSTANDING_WANTS refused');
      const frame = encodeBlockFrame({
        cid: want,
        error: 'RESOURCE_EXHAUSTED',
        message: `more than ${MAX_OUTSTANDING_WANTS} wants outstanding on one stream`,
      });
      this.#answers.push({ cid: want, frame, counted: false, started: true });
    } else {
      this.#outstanding++;
      this.#answers.push({ cid: want, frame: undefined, counted: true, started: false });
    }
    this.#startReads();
    this.#flush();
  }

  protected onHalfClose(): void {
    this.#halfClosed = true;
    this.#flush();
  }

  #startReads(): void {
    while (this.#reading < MAX_CONCURRENT_BLOCK_READS && this.#nextRead < this.#answers.length && !this.done) {
      const answer = this.#answers[this.#nextRead++]!;
      if (answer.started) continue;
      answer.started = true;
      this.#reading++;
      void this.#read(answer);
    }
  }

  async #read(answer: Answer): Promise<void> {
    let frame: Buffer;
    try {
      const data = await this.#handler.readBlock(answer.cid, this.context);
      frame = this.#encodeAnswer(answer.cid, data);
    } catch (err) {
      frame = encodeBlockFrame({ cid: answer.cid, ...this.blockError(err) });
    }
    answer.frame = frame;
    this.#flush();
  }

  #encodeAnswer(cid: string, data: Uint8Array | undefined): Buffer {
    try {
      return encodeBlockFrame(checkBlockAnswer(data === undefined ? { cid } : { cid, found: true, data }), this.#frames.take);
    } catch (err) {
      // The handler's answer is wrong (not bytes, above MAX_BLOCK_BYTES): our bug, not the caller's.
      throw new InternalError(`invalid readBlock answer for ${cid}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  /** Writes the answers that are ready, in order, while the stream takes them. */
  #flush(): void {
    const answers = this.#answers;
    while (!this.#writeBlocked && !this.done && answers.length > 0 && answers[0]!.frame !== undefined) {
      const answer = answers.shift()!;
      this.#nextRead = Math.max(0, this.#nextRead - 1);
      if (answer.counted) {
        this.#outstanding--;
        this.#reading--;
      }
      const frame = answer.frame!;
      // grpc-js copies the frame into its message when it sends it; after the callback nothing reads it.
      if (!this.call.write(frame, () => this.#frames.give(frame))) this.#writeBlocked = true;
    }
    if (this.done) return;
    // Paused while frames are not taken (the caller must read them first), or while a caller that
    // overruns MAX_OUTSTANDING_WANTS has made us hold as many overflow answers again.
    this.setPaused(this.#writeBlocked || answers.length >= 2 * MAX_OUTSTANDING_WANTS);
    this.#startReads();
    if (this.#halfClosed && answers.length === 0) this.finish();
  }
}

class PutBlocksStream extends ServedStream<PutIn, PutBlocksAck> {
  readonly #handler: Pick<BlockStreamHandler, 'writeBlocks'>;
  readonly #queue: BlockPut[] = [];
  /** Bytes of block data received and not yet acknowledged (queued or being committed). */
  #heldBytes = 0;
  #committing = false;
  #commitScheduled = false;
  /** write() of an ack said no: the next commit waits for 'drain'. */
  #ackBlocked = false;
  #halfClosed = false;

  constructor(
    method: string,
    call: ServerDuplexStream<PutIn, PutBlocksAck>,
    handler: Pick<BlockStreamHandler, 'writeBlocks'>,
    logger: Logger,
    registry: StreamRegistry,
    callerId: string | undefined,
  ) {
    super(method, call, logger, registry, callerId);
    this.#handler = handler;
  }

  override start(): void {
    if (typeof this.#handler.writeBlocks !== 'function') {
      this.fail(new PeerweaveError('METHOD_NOT_ALLOWED', 'this node does not serve PutBlocks'));
      return;
    }
    this.call.on('drain', () => {
      this.#ackBlocked = false;
      this.#next();
    });
    super.start();
  }

  protected onMessage(block: PutIn): void {
    if (block instanceof PeerweaveError) {
      this.fail(block);
      return;
    }
    this.#queue.push(block);
    this.#heldBytes += block.data.length;
    this.setPaused(this.#heldBytes > MAX_QUEUED_PUT_BYTES);
    this.#next();
  }

  protected onHalfClose(): void {
    this.#halfClosed = true;
    this.#next();
  }

  /**
   * Starts the next commit unless one runs. Deferred to the next turn of the event loop so that
   * the blocks read from the connection together (grpc-js hands them over one microtask apart) are
   * committed together.
   */
  #next(): void {
    if (this.done || this.#committing || this.#commitScheduled || this.#ackBlocked) return;
    if (this.#queue.length === 0) {
      if (this.#halfClosed) this.finish();
      return;
    }
    this.#commitScheduled = true;
    setImmediate(() => {
      this.#commitScheduled = false;
      if (this.done || this.#committing || this.#queue.length === 0) return;
      void this.#commit(this.#takeBatch());
    });
  }

  #takeBatch(): BlockPut[] {
    const queue = this.#queue;
    let count = 0;
    let bytes = 0;
    while (
      count < queue.length &&
      count < MAX_PUT_BATCH_BLOCKS &&
      (count === 0 || bytes + queue[count]!.data.length <= MAX_PUT_BATCH_BYTES)
    ) {
      bytes += queue[count]!.data.length;
      count++;
    }
    return queue.splice(0, count);
  }

  async #commit(batch: BlockPut[]): Promise<void> {
    this.#committing = true;
    let acks: PutBlocksAck[];
    try {
      let answer: readonly BlockPutAck[] | undefined;
      try {
        answer = await this.#handler.writeBlocks(batch, this.context);
      } catch (err) {
        const { error, message } = this.blockError(err);
        acks = batch.map((b) => ({ cid: b.cid, stored: false, error, message }));
      }
      if (answer !== undefined) acks = this.#checkAcks(batch, answer);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (this.done) return;
    for (const ack of acks!) {
      if (!this.call.write(ack)) this.#ackBlocked = true;
    }
    for (const block of batch) this.#heldBytes -= block.data.length;
    this.#committing = false;
    this.setPaused(this.#heldBytes > MAX_QUEUED_PUT_BYTES);
    this.#next();
  }

  /** One valid ack per block, in order; anything else is the handler's bug. */
  #checkAcks(batch: readonly BlockPut[], acks: readonly BlockPutAck[]): PutBlocksAck[] {
    try {
      if (!Array.isArray(acks) || acks.length !== batch.length) {
        throw new Error(`${Array.isArray(acks) ? acks.length : typeof acks} acks for ${batch.length} blocks`);
      }
      return acks.map((ack, i) => {
        const wire = encodeAck(ack);
        if (wire.cid !== batch[i]!.cid) throw new Error(`ack ${i} is for ${wire.cid}, block ${i} is ${batch[i]!.cid}`);
        return wire;
      });
    } catch (err) {
      throw new InternalError(`invalid writeBlocks answer: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}
