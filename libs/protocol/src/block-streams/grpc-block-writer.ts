import type { StatusObject } from '@grpc/grpc-js';
import { AbortError, DeadlineExceededError, InvalidArgumentError, PeerweaveError, toAbortError, UnavailableError } from '@peerweave/core';
import { checkBlockPut, encodeBlockFrame } from './block-frame.ts';
import type { BlockPut, BlockPutAck, BlockStreamCallOptions, BlockWriter } from './block-stream-messages.ts';
import type { AckIn } from './block-stream-methods.ts';
import { assertDeadlineMs } from '../transport/client-channel.ts';
import type { GrpcBlockStreamInit } from './grpc-block-reader.ts';
import { openBlockCall, type BlockCall } from './grpc-block-call.ts';
import { errorForGrpcStatus } from '../transport/status-mapping.ts';

interface PendingPut {
  readonly cid: string;
  /** The block until it is written (encoded then, so a waiting put holds no copy of it). */
  block: BlockPut | undefined;
  readonly bytes: number;
  readonly resolve: (ack: BlockPutAck) => void;
  readonly reject: (err: PeerweaveError) => void;
  readonly timer: NodeJS.Timeout;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Its caller gave up after it was written: its ack is still awaited (for the order) and dropped. */
  abandoned: boolean;
}

/**
 * A PutBlocks stream to one peer (BlockWriter). A put is checked at once (an invalid block rejects
 * with INVALID_ARGUMENT and is not sent) and encoded and written as soon as the stream takes it:
 * when the stream says it is full, later puts wait for it to drain, in order, holding only a
 * reference to their block, so a slow peer holds the writer back instead of buffering without
 * bound. Each put resolves with its block's ack, acks arriving in
 * order; an ack with an error (CORRUPT_BLOCK, ...) resolves too: the caller decides. A put whose
 * own signal aborts rejects at once; if it was already sent, its ack is awaited and dropped (the
 * peer may still store the block). A put's deadline passing, a malformed ack or one for another
 * CID, the stream failing or the transport closing closes the stream and rejects every pending put
 * with that error.
 */
export class GrpcBlockWriter implements BlockWriter {
  readonly #address: string;
  readonly #defaultDeadlineMs: number;
  readonly #onClosed: () => void;
  readonly #stream: BlockCall<Buffer, AckIn> | undefined;
  /** Waiting for the stream to drain, in order. */
  readonly #waiting: PendingPut[] = [];
  /** Written, waiting for their ack, in order. */
  readonly #unacked: PendingPut[] = [];
  #blocked = false;
  #ending = false;
  #closedBy: PeerweaveError | undefined;
  #inFlightBytes = 0;
  #peakInFlightBytes = 0;

  constructor(init: GrpcBlockStreamInit) {
    this.#address = init.address;
    this.#defaultDeadlineMs = init.channel.defaultDeadlineMs;
    this.#onClosed = init.onClosed;
    this.#stream = openBlockCall(init.channel, init.methods.PutBlocks, init.signal, {
      data: (ack) => this.#onAck(ack),
      drain: () => this.#onDrain(),
      ended: (status) => this.#onEnded(status),
      aborted: (reason) => this.#close(reason),
    });
  }

  /** A writer that is closed from the start: every put rejects with `reason`. */
  static failed(reason: PeerweaveError): BlockWriter {
    return { put: () => Promise.reject(reason), close: () => {}, closed: true };
  }

  /** True once {@link close} was called or the stream failed: puts are refused. */
  get closed(): boolean {
    return this.#ending || this.#closedBy !== undefined;
  }

  /** Puts held back until the stream drains (back-pressure). */
  get waitingPuts(): number {
    return this.#waiting.length;
  }

  /** Block bytes written and not yet acknowledged. */
  get inFlightBytes(): number {
    return this.#inFlightBytes;
  }

  /** The most block bytes ever written and not yet acknowledged at once. */
  get peakInFlightBytes(): number {
    return this.#peakInFlightBytes;
  }

  put(block: BlockPut, options: BlockStreamCallOptions = {}): Promise<BlockPutAck> {
    if (this.#closedBy !== undefined) return Promise.reject(this.#closedBy);
    if (this.#ending) return Promise.reject(new AbortError(`block writer to ${this.#address} is closing`));
    if (this.#stream!.status !== undefined) return Promise.reject(new UnavailableError(`the block stream to ${this.#address} is ending`));
    const deadlineMs = options.deadlineMs ?? this.#defaultDeadlineMs;
    try {
      assertDeadlineMs(deadlineMs);
      checkBlockPut(block);
    } catch (err) {
      return Promise.reject(err);
    }
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(toAbortError(signal));
    return new Promise<BlockPutAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#close(new DeadlineExceededError(`block ${block.cid} not acknowledged by ${this.#address} within ${deadlineMs} ms`));
      }, deadlineMs);
      const p: PendingPut = { cid: block.cid, block, bytes: block.data.length, resolve, reject, timer, signal, onAbort: undefined, abandoned: false };
      if (signal !== undefined) {
        p.onAbort = () => this.#abandon(p);
        signal.addEventListener('abort', p.onAbort, { once: true });
      }
      if (this.#blocked) this.#waiting.push(p);
      else this.#write(p);
    });
  }

  /** Half-closes once every put was written (the peer ends the stream after acking them); `abort` cancels. Idempotent. */
  close(abort = false): void {
    if (abort) {
      this.#close(new AbortError(`block writer to ${this.#address} closed`));
      return;
    }
    if (this.#ending || this.#closedBy !== undefined) return;
    this.#ending = true;
    if (this.#waiting.length === 0) this.#stream?.call.end();
  }

  #write(p: PendingPut): void {
    let frame: Buffer;
    try {
      frame = encodeBlockFrame(p.block!);
    } catch (err) {
      // Checked in put(): only a block changed since can fail here. It is not sent.
      settle(p);
      p.reject(err instanceof PeerweaveError ? err : new InvalidArgumentError(String(err), { cause: err }));
      return;
    }
    p.block = undefined;
    this.#unacked.push(p);
    this.#inFlightBytes += p.bytes;
    if (this.#inFlightBytes > this.#peakInFlightBytes) this.#peakInFlightBytes = this.#inFlightBytes;
    if (!this.#stream!.call.write(frame)) this.#blocked = true;
  }

  #onDrain(): void {
    if (this.#closedBy !== undefined) return;
    this.#blocked = false;
    while (!this.#blocked && this.#waiting.length > 0) this.#write(this.#waiting.shift()!);
    if (this.#ending && this.#waiting.length === 0) this.#stream?.call.end();
  }

  /** The put's own signal aborted: it rejects now; written ones keep their place for the ack order. */
  #abandon(p: PendingPut): void {
    if (p.abandoned || this.#closedBy !== undefined) return;
    const waiting = this.#waiting.indexOf(p);
    if (waiting >= 0) this.#waiting.splice(waiting, 1);
    else p.abandoned = true;
    clearTimeout(p.timer);
    p.reject(toAbortError(p.signal!));
  }

  #onAck(ack: AckIn): void {
    if (this.#closedBy !== undefined) return;
    if (ack instanceof PeerweaveError) {
      this.#close(new InvalidArgumentError(`${ack.message} (from ${this.#address})`, { cause: ack, details: ack.details }));
      return;
    }
    const head = this.#unacked[0];
    if (head === undefined || head.cid !== ack.cid) {
      const expected = head === undefined ? 'no block' : head.cid;
      this.#close(new InvalidArgumentError(`${this.#address} acknowledged ${ack.cid} when ${expected} was next`));
      return;
    }
    this.#unacked.shift();
    this.#inFlightBytes -= head.bytes;
    if (head.abandoned) return;
    settle(head);
    head.resolve(ack);
  }

  /** The stream ended (its status arrived and every ack before it was read). */
  #onEnded(status: StatusObject): void {
    if (this.#closedBy !== undefined) return;
    const { code } = status;
    const pending = this.#waiting.length + this.#unacked.length;
    if (code === 0 && pending === 0) {
      // Every put acknowledged: a clean end, after our close() or the peer's own.
      this.#closedBy = this.#ending
        ? new AbortError(`block writer to ${this.#address} closed`)
        : new UnavailableError(`${this.#address} ended the block stream`);
      this.#release();
      return;
    }
    this.#close(
      code === 0
        ? new UnavailableError(`${this.#address} ended the block stream with ${pending} blocks unacknowledged`)
        : errorForGrpcStatus(status, status),
    );
  }

  #close(reason: PeerweaveError): void {
    if (this.#closedBy !== undefined) return;
    this.#closedBy = reason;
    const pending = [...this.#unacked.splice(0), ...this.#waiting.splice(0)];
    this.#inFlightBytes = 0;
    for (const p of pending) {
      if (p.abandoned) continue;
      settle(p);
      p.reject(reason);
    }
    this.#stream?.call.cancel();
    this.#release();
  }

  #release(): void {
    this.#stream?.detach();
    this.#onClosed();
  }
}

function settle(p: PendingPut): void {
  clearTimeout(p.timer);
  if (p.onAbort !== undefined) p.signal?.removeEventListener('abort', p.onAbort);
}
