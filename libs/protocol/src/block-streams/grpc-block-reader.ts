import type { StatusObject } from '@grpc/grpc-js';
import { AbortError, DeadlineExceededError, InvalidArgumentError, PeerweaveError, toAbortError, UnavailableError } from '@peerweave/core';
import { errorForBlockCode, type BlockFrame } from './block-frame.ts';
import type { BlockReader, BlockStreamCallOptions } from './block-stream-messages.ts';
import { encodeWant, type AnswerIn, type BlockStreamDefinitions } from './block-stream-methods.ts';
import { assertDeadlineMs, type ClientChannel } from '../transport/client-channel.ts';
import type { BlockWant } from '../generated/peerweave/content/v1/BlockWant.ts';
import { openBlockCall, type BlockCall } from './grpc-block-call.ts';
import { errorForGrpcStatus } from '../transport/status-mapping.ts';

/** What a block stream of GrpcPeerTransport needs: where, over what, and who to tell when it ends. */
export interface GrpcBlockStreamInit {
  readonly address: string;
  readonly channel: ClientChannel;
  readonly methods: BlockStreamDefinitions;
  /** Closes the stream (reason: the signal's typed error) when it aborts. */
  readonly signal?: AbortSignal | undefined;
  /** Called once when the stream is over, so the channel may be released. */
  readonly onClosed: () => void;
}

interface PendingGet {
  readonly cid: string;
  readonly resolve: (data: Uint8Array | undefined) => void;
  readonly reject: (err: PeerweaveError) => void;
  readonly timer: NodeJS.Timeout;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
}

/**
 * A GetBlocks stream to one peer (BlockReader). Wants go out as `get` is called, without waiting;
 * answers come back in the same order and settle the gets in that order. Anything that breaks the
 * order closes the stream and rejects every pending get with the same error: a want's deadline
 * (DEADLINE_EXCEEDED), a get's own signal (its abort error), a malformed frame or one for another
 * CID (INVALID_ARGUMENT), the stream's failure (its status, mapped), the transport closing
 * (ABORTED). A closed reader rejects every later get with the error that closed it.
 */
export class GrpcBlockReader implements BlockReader {
  readonly #address: string;
  readonly #defaultDeadlineMs: number;
  readonly #onClosed: () => void;
  readonly #stream: BlockCall<BlockWant, AnswerIn> | undefined;
  readonly #pending: PendingGet[] = [];
  #closedBy: PeerweaveError | undefined;

  constructor(init: GrpcBlockStreamInit) {
    this.#address = init.address;
    this.#defaultDeadlineMs = init.channel.defaultDeadlineMs;
    this.#onClosed = init.onClosed;
    this.#stream = openBlockCall(init.channel, init.methods.GetBlocks, init.signal, {
      data: (answer) => this.#onAnswer(answer),
      ended: (status) => this.#onEnded(status),
      aborted: (reason) => this.#close(reason),
    });
  }

  /** A reader that is closed from the start (bad address, closed transport): every get rejects with `reason`. */
  static failed(reason: PeerweaveError): BlockReader {
    return {
      get: () => Promise.reject(reason),
      close: () => {},
      closed: true,
    };
  }

  get closed(): boolean {
    return this.#closedBy !== undefined;
  }

  /** Gets sent and not answered yet. */
  get pendingGets(): number {
    return this.#pending.length;
  }

  get(cid: string, options: BlockStreamCallOptions = {}): Promise<Uint8Array | undefined> {
    if (this.#closedBy !== undefined) return Promise.reject(this.#closedBy);
    if (this.#stream!.status !== undefined) return Promise.reject(new UnavailableError(`the block stream to ${this.#address} is ending`));
    const deadlineMs = options.deadlineMs ?? this.#defaultDeadlineMs;
    let want: BlockWant;
    try {
      assertDeadlineMs(deadlineMs);
      want = encodeWant(cid);
    } catch (err) {
      return Promise.reject(err);
    }
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(toAbortError(signal));
    return new Promise<Uint8Array | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#close(new DeadlineExceededError(`block ${cid} not answered by ${this.#address} within ${deadlineMs} ms`));
      }, deadlineMs);
      // Answers are matched to wants by their order: one given up on breaks the stream.
      const onAbort = signal === undefined ? undefined : (): void => this.#close(toAbortError(signal));
      signal?.addEventListener('abort', onAbort!, { once: true });
      this.#pending.push({ cid, resolve, reject, timer, signal, onAbort });
      this.#stream!.call.write(want);
    });
  }

  /** Cancels the stream; pending gets reject with ABORTED. Idempotent. */
  close(): void {
    this.#close(new AbortError(`block reader to ${this.#address} closed`));
  }

  #onAnswer(answer: AnswerIn): void {
    if (this.#closedBy !== undefined) return;
    if (answer instanceof PeerweaveError) {
      this.#close(new InvalidArgumentError(`${answer.message} (from ${this.#address})`, { cause: answer, details: answer.details }));
      return;
    }
    const head = this.#pending[0];
    if (head === undefined || head.cid !== answer.cid) {
      const expected = head === undefined ? 'no block' : head.cid;
      this.#close(new InvalidArgumentError(`${this.#address} answered ${answer.cid} when ${expected} was next`));
      return;
    }
    this.#pending.shift();
    settle(head);
    if (answer.error !== '') head.reject(errorForBlockCode(answer.error, answer.message, this.#address));
    else head.resolve(dataOf(answer));
  }

  /** The stream ended (its status arrived and every answer before it was read). */
  #onEnded(status: StatusObject): void {
    if (this.#closedBy !== undefined) return;
    this.#close(status.code === 0 ? new UnavailableError(`${this.#address} ended the block stream`) : errorForGrpcStatus(status, status));
  }

  #close(reason: PeerweaveError): void {
    if (this.#closedBy !== undefined) return;
    this.#closedBy = reason;
    this.#stream?.detach();
    const pending = this.#pending.splice(0);
    for (const p of pending) {
      settle(p);
      p.reject(reason);
    }
    this.#stream?.call.cancel();
    this.#onClosed();
  }
}

function settle(p: PendingGet): void {
  clearTimeout(p.timer);
  if (p.onAbort !== undefined) p.signal?.removeEventListener('abort', p.onAbort);
}

function dataOf(answer: BlockFrame): Uint8Array | undefined {
  return answer.found ? answer.data : undefined;
}
