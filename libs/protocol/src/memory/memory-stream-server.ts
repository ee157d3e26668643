/**
 * The callee's side of the in-memory block streams: a want is served by the handler's `readBlock`,
 * a put waits for the stream's next group commit through `writeBlocks` (the puts delivered
 * together go together), and answers are checked as the gRPC server checks them.
 */
import { InternalError, PeerweaveError, UnavailableError } from '@peerweave/core';
import { checkErrorCode } from '../block-streams/block-frame.ts';
import { MAX_PUT_BATCH_BLOCKS, MAX_PUT_BATCH_BYTES } from '../block-streams/block-stream-limits.ts';
import type { BlockPut, BlockPutAck, BlockStreamHandler } from '../block-streams/block-stream-messages.ts';
import { encodeAck } from '../block-streams/block-stream-methods.ts';
import { MAX_BLOCK_BYTES } from '../content/content-codec.ts';
import { INTERNAL_ERROR_MESSAGE } from '../transport/status-mapping.ts';
import { BlockErrorAnswer } from './memory-block-streams.ts';
import { endServing, errorAsSeenByCaller, FAILURE, REPLY, ServedStream, type Call, type Kind, type MemoryNode } from './memory-call.ts';

/** Sends an answer from `sender` back to the caller of `call`. */
export type SendAnswer = (kind: Kind, call: Call, value: unknown, sender: MemoryNode) => void;

export class MemoryStreamServer {
  readonly #validate: boolean;
  readonly #send: SendAnswer;

  constructor(validate: boolean, send: SendAnswer) {
    this.#validate = validate;
    this.#send = send;
  }

  /** A want or put reached its callee (running, not paused). */
  serve(call: Call, node: MemoryNode): void {
    const link = call.link!;
    let served = link.served;
    if (served === undefined) {
      served = new ServedStream(node, link);
      link.served = served;
      node.served.add(served);
    } else if (served.node !== node) {
      // The callee restarted since the stream began: its connection is gone.
      endServing(call, node);
      call.fail(new UnavailableError(`${call.to} restarted during ${call.method}`));
      return;
    }
    if (call.method === 'getBlocks') void this.#serveRead(call, node, served);
    else this.#queuePut(call, served);
  }

  async #serveRead(call: Call, node: MemoryNode, served: ServedStream): Promise<void> {
    let kind: Kind = REPLY;
    let value: unknown;
    const read = (node.handler as Partial<BlockStreamHandler>).readBlock;
    if (typeof read !== 'function') {
      kind = FAILURE;
      value = errorAsSeenByCaller(new PeerweaveError('METHOD_NOT_ALLOWED', `${node.address} does not serve getBlocks`));
    } else {
      try {
        const data: unknown = await read.call(node.handler, call.request as string, served);
        // A wrong answer is the handler's bug: INTERNAL for that block, as over gRPC.
        const valid = data === undefined || (data instanceof Uint8Array && (!this.#validate || data.length <= MAX_BLOCK_BYTES));
        value = valid ? data : new BlockErrorAnswer('INTERNAL', INTERNAL_ERROR_MESSAGE);
      } catch (err) {
        value = blockErrorAnswer(err);
      }
    }
    endServing(call, node);
    this.#send(kind, call, value, node);
  }

  /** Queues a put for the stream's next group commit: the puts delivered together go together. */
  #queuePut(call: Call, served: ServedStream): void {
    served.puts.push(call);
    this.#scheduleCommit(served);
  }

  #scheduleCommit(served: ServedStream): void {
    if (served.committing || served.commitScheduled || served.puts.length === 0) return;
    served.commitScheduled = true;
    queueMicrotask(() => {
      served.commitScheduled = false;
      void this.#commit(served);
    });
  }

  async #commit(served: ServedStream): Promise<void> {
    if (served.ended || served.committing || served.puts.length === 0) return;
    const node = served.node;
    const batch = takePutBatch(served.puts);
    served.committing = true;
    let kind: Kind = REPLY;
    let acks: unknown[] = [];
    const write = (node.handler as Partial<BlockStreamHandler>).writeBlocks;
    if (typeof write !== 'function') {
      kind = FAILURE;
      const err = errorAsSeenByCaller(new PeerweaveError('METHOD_NOT_ALLOWED', `${node.address} does not serve putBlocks`));
      acks = batch.map(() => err);
    } else {
      const blocks = batch.map((c) => c.request as BlockPut);
      let answer: readonly BlockPutAck[] | undefined;
      try {
        answer = await write.call(node.handler, blocks, served);
      } catch (err) {
        // A failed commit: each of its blocks is acknowledged with the error, as over gRPC.
        const { code, message } = blockErrorAnswer(err);
        acks = blocks.map((b) => ({ cid: b.cid, stored: false, error: code, message }) satisfies BlockPutAck);
      }
      if (answer !== undefined) {
        try {
          acks = checkAcks(blocks, answer, this.#validate);
        } catch (err) {
          // The handler's answer is wrong: our bug, and the stream's end, as over gRPC.
          kind = FAILURE;
          const seen = errorAsSeenByCaller(err);
          acks = batch.map(() => seen);
        }
      }
    }
    for (let i = 0; i < batch.length; i++) {
      const call = batch[i]!;
      endServing(call, node);
      this.#send(kind, call, acks[i], node);
    }
    served.committing = false;
    // What arrived during this commit is all there: the next one starts now.
    if (served.puts.length > 0) void this.#commit(served);
  }
}

/** The puts of one group commit: all queued, up to MAX_PUT_BATCH_BLOCKS and MAX_PUT_BATCH_BYTES. */
function takePutBatch(puts: Call[]): Call[] {
  let count = 0;
  let bytes = 0;
  while (count < puts.length && count < MAX_PUT_BATCH_BLOCKS) {
    const size = (puts[count]!.request as BlockPut).data.length;
    if (count > 0 && bytes + size > MAX_PUT_BATCH_BYTES) break;
    bytes += size;
    count++;
  }
  return puts.splice(0, count);
}

/** writeBlocks' answer checked as the gRPC server checks it: one ack per block, in order. */
function checkAcks(blocks: readonly BlockPut[], acks: readonly BlockPutAck[], validate: boolean): BlockPutAck[] {
  try {
    if (!Array.isArray(acks) || acks.length !== blocks.length) {
      throw new Error(`${Array.isArray(acks) ? acks.length : typeof acks} acks for ${blocks.length} blocks`);
    }
    for (let i = 0; i < acks.length; i++) {
      const ack = acks[i]!;
      if (validate) encodeAck(ack);
      else checkErrorCode(ack.error, 'error');
      if (ack.cid !== blocks[i]!.cid) throw new Error(`ack ${i} is for ${ack.cid}, block ${i} is ${blocks[i]!.cid}`);
    }
    return acks as BlockPutAck[];
  } catch (err) {
    throw new InternalError(`invalid writeBlocks answer: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** A handler's failure for one block, as its error frame or ack carries it (see block-stream-server.ts). */
function blockErrorAnswer(err: unknown): BlockErrorAnswer {
  if (err instanceof PeerweaveError && err.code !== 'INTERNAL') return new BlockErrorAnswer(err.code, err.message);
  return new BlockErrorAnswer('INTERNAL', INTERNAL_ERROR_MESSAGE);
}
