/**
 * The block streams on the in-memory network, as their caller sees them: a BlockReader and a
 * BlockWriter over a {@link MemoryStreamLink}, which MemoryNetwork implements (each want or put
 * travels like a request, with latency, loss, pauses, partitions and its own deadline; the answer
 * comes back the same way). What is left here is what a stream adds to single requests: answers
 * settle in the order asked, and anything that breaks the stream closes it for every item.
 */
import { AbortError, InvalidArgumentError, toAbortError, type PeerweaveError } from '@peerweave/core';
import { checkBlockPut, errorForBlockCode } from '../block-streams/block-frame.ts';
import type { BlockPut, BlockPutAck, BlockReader, BlockStreamCallOptions, BlockWriter } from '../block-streams/block-stream-messages.ts';
import { assertDeadlineMs } from '../transport/client-channel.ts';
import { checkCid } from '../content/content-codec.ts';

/** What a callee's readBlock failure travels as: the error frame of that block. */
export class BlockErrorAnswer {
  readonly code: string;
  readonly message: string;

  constructor(code: string, message: string) {
    this.code = code;
    this.message = message;
  }
}

/** How a memory block stream reaches its callee (made by MemoryNetwork). */
export interface MemoryStreamLink {
  /** The callee's address, for error messages. */
  readonly to: string;
  /** Check items as the wire would (MemoryNetworkInit.validateMessages). */
  readonly validate: boolean;
  readonly defaultDeadlineMs: number;
  /**
   * Sends one want (a CID) or put; resolves with the callee's answer for it (block bytes,
   * undefined, a BlockErrorAnswer, or a BlockPutAck), rejects when the stream broke
   * (UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, METHOD_NOT_ALLOWED, INTERNAL).
   */
  send(item: string | BlockPut, deadlineMs: number): Promise<unknown>;
  /** The stream is over: cancels what is in flight (the callee's signal aborts). Idempotent. */
  close(reason: PeerweaveError): void;
}

interface Item<T> {
  readonly cid: string;
  readonly resolve: (value: T) => void;
  readonly reject: (err: PeerweaveError) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  answered: boolean;
  answer: unknown;
  /** Writer only: its caller gave up; its ack is still awaited (for the order) and dropped. */
  abandoned: boolean;
}

/** What the reader and the writer share: items settled in order, one failure closing the stream. */
abstract class MemoryBlockStream<T> {
  protected readonly link: MemoryStreamLink;
  protected readonly items: Item<T>[] = [];
  protected closedBy: PeerweaveError | undefined;
  readonly #signal: AbortSignal | undefined;

  constructor(link: MemoryStreamLink, signal: AbortSignal | undefined) {
    this.link = link;
    this.#signal = signal;
    if (signal?.aborted) this.fail(toAbortError(signal));
    else signal?.addEventListener('abort', this.#onStreamAbort, { once: true });
  }

  protected abstract settle(item: Item<T>): void;
  /** Called when every item is settled; the writer may end here. */
  protected idle(): void {}

  protected send(item: Item<T>, payload: string | BlockPut, deadlineMs: number): void {
    this.items.push(item);
    this.link.send(payload, deadlineMs).then(
      (answer) => {
        item.answered = true;
        item.answer = answer;
        this.#flush();
      },
      (err: PeerweaveError) => this.fail(err),
    );
  }

  #flush(): void {
    const items = this.items;
    while (this.closedBy === undefined && items.length > 0 && items[0]!.answered) {
      const item = items.shift()!;
      release(item);
      if (!item.abandoned) this.settle(item);
    }
    if (items.length === 0 && this.closedBy === undefined) this.idle();
  }

  protected fail(reason: PeerweaveError): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = reason;
    this.#signal?.removeEventListener('abort', this.#onStreamAbort);
    for (const item of this.items.splice(0)) {
      release(item);
      if (!item.abandoned) item.reject(reason);
    }
    this.link.close(reason);
  }

  /** The checks every item gets: open stream, valid deadline, live signal. */
  protected refuse(deadlineMs: number, signal: AbortSignal | undefined): PeerweaveError | Error | undefined {
    if (this.closedBy !== undefined) return this.closedBy;
    try {
      assertDeadlineMs(deadlineMs);
    } catch (err) {
      return err as Error;
    }
    if (signal?.aborted) return toAbortError(signal);
    return undefined;
  }

  readonly #onStreamAbort = (): void => this.fail(toAbortError(this.#signal!));
}

function release<T>(item: Item<T>): void {
  if (item.onAbort !== undefined) item.signal?.removeEventListener('abort', item.onAbort);
}

/** A BlockReader on the in-memory network; behaves as GrpcBlockReader. */
export class MemoryBlockReader extends MemoryBlockStream<Uint8Array | undefined> implements BlockReader {
  get closed(): boolean {
    return this.closedBy !== undefined;
  }

  get(cid: string, options: BlockStreamCallOptions = {}): Promise<Uint8Array | undefined> {
    const deadlineMs = options.deadlineMs ?? this.link.defaultDeadlineMs;
    const refused = this.refuse(deadlineMs, options.signal);
    if (refused !== undefined) return Promise.reject(refused);
    if (this.link.validate) {
      try {
        checkCid(cid, 'cid', -1);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise((resolve, reject) => {
      const item: Item<Uint8Array | undefined> = {
        cid, resolve, reject, signal: options.signal, onAbort: undefined, answered: false, answer: undefined, abandoned: false,
      };
      if (options.signal !== undefined) {
        // Answers are matched to wants by their order: one given up on breaks the stream.
        const signal = options.signal;
        item.onAbort = () => this.fail(toAbortError(signal));
        signal.addEventListener('abort', item.onAbort, { once: true });
      }
      this.send(item, cid, deadlineMs);
    });
  }

  close(): void {
    this.fail(new AbortError(`block reader to ${this.link.to} closed`));
  }

  protected settle(item: Item<Uint8Array | undefined>): void {
    const answer = item.answer;
    if (answer instanceof BlockErrorAnswer) item.reject(errorForBlockCode(answer.code, answer.message, this.link.to));
    else item.resolve(answer as Uint8Array | undefined);
  }
}

/** A BlockWriter on the in-memory network; behaves as GrpcBlockWriter (with no flow control to wait for). */
export class MemoryBlockWriter extends MemoryBlockStream<BlockPutAck> implements BlockWriter {
  #ending = false;

  get closed(): boolean {
    return this.#ending || this.closedBy !== undefined;
  }

  put(block: BlockPut, options: BlockStreamCallOptions = {}): Promise<BlockPutAck> {
    const deadlineMs = options.deadlineMs ?? this.link.defaultDeadlineMs;
    const refused = this.#ending && this.closedBy === undefined
      ? new AbortError(`block writer to ${this.link.to} is closing`)
      : this.refuse(deadlineMs, options.signal);
    if (refused !== undefined) return Promise.reject(refused);
    if (this.link.validate) {
      try {
        checkBlockPut(block);
      } catch (err) {
        return Promise.reject(err);
      }
    } else if (block === null || typeof block !== 'object') {
      return Promise.reject(new InvalidArgumentError('block: missing'));
    }
    return new Promise((resolve, reject) => {
      const item: Item<BlockPutAck> = {
        cid: block.cid, resolve, reject, signal: options.signal, onAbort: undefined, answered: false, answer: undefined, abandoned: false,
      };
      if (options.signal !== undefined) {
        const signal = options.signal;
        item.onAbort = () => {
          if (this.closedBy !== undefined || item.abandoned) return;
          item.abandoned = true;
          reject(toAbortError(signal));
        };
        signal.addEventListener('abort', item.onAbort, { once: true });
      }
      this.send(item, block, deadlineMs);
    });
  }

  close(abort = false): void {
    if (abort) {
      this.fail(new AbortError(`block writer to ${this.link.to} closed`));
      return;
    }
    if (this.#ending || this.closedBy !== undefined) return;
    this.#ending = true;
    if (this.items.length === 0) this.idle();
  }

  protected settle(item: Item<BlockPutAck>): void {
    item.resolve(item.answer as BlockPutAck);
  }

  protected override idle(): void {
    if (!this.#ending) return;
    // Every put acknowledged after close(): the stream ends cleanly.
    this.closedBy = new AbortError(`block writer to ${this.link.to} closed`);
    this.link.close(this.closedBy);
  }
}
