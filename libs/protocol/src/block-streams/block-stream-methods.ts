/**
 * How the two block streams of ContentService are (de)serialized. The frames carrying block bytes
 * (GetBlocks answers, PutBlocks blocks) use block-frame.ts instead of protobufjs: the sending side
 * encodes each frame itself (so an invalid one is refused in our code, not inside grpc-js) and
 * the method's serializer passes the Buffer on; the receiving side's deserializer decodes and
 * validates. Wants and acks are small and keep the loader's codec, with our checks on top.
 *
 * Deserializers never throw: grpc-js would answer a throw with INTERNAL (server) or cancel the call
 * (client), whereas a peer's malformed message is INVALID_ARGUMENT. They return the PeerweaveError
 * instead, and the stream handlers end the stream with it.
 */
import type { MethodDefinition } from '@grpc/proto-loader';
import { InvalidArgumentError, markOwnBuffer, type PeerweaveError } from '@peerweave/core';
import { asInvalidArgument, blockPutOfFrame, checkBlockAnswer, checkErrorCode, cutMessage, decodeBlockFrame, type BlockFrame } from './block-frame.ts';
import { MAX_BLOCK_ERROR_MESSAGE_BYTES } from './block-stream-limits.ts';
import type { BlockPut, BlockPutAck } from './block-stream-messages.ts';
import { checkBoolean, invalid } from '../codec-support.ts';
import { checkCid } from '../content/content-codec.ts';
import type { BlockWant } from '../generated/peerweave/content/v1/BlockWant.ts';
import type { ContentServiceDefinition } from '../generated/peerweave/content/v1/ContentService.ts';
import type { PutBlocksAck, PutBlocksAck__Output } from '../generated/peerweave/content/v1/PutBlocksAck.ts';

/** A want as the GetBlocks server receives it: the CID, or why it was refused. */
export type WantIn = string | PeerweaveError;
/** A GetBlocks answer as the client receives it. */
export type AnswerIn = BlockFrame | PeerweaveError;
/** A PutBlocks block as the server receives it. */
export type PutIn = BlockPut | PeerweaveError;
/** A PutBlocks ack as the client receives it. */
export type AckIn = BlockPutAck | PeerweaveError;

/** The two block streams with their serializers: frames go out already encoded (block-frame.ts). */
export interface BlockStreamDefinitions {
  readonly GetBlocks: MethodDefinition<BlockWant, Buffer, WantIn, AnswerIn>;
  readonly PutBlocks: MethodDefinition<Buffer, PutBlocksAck, PutIn, AckIn>;
}

/** `definition` (as loaded) with the block streams' own serializers in place of the loader's. */
export function withBlockStreamCodecs(definition: ContentServiceDefinition): ContentServiceDefinition {
  const getBlocks = definition.GetBlocks;
  const putBlocks = definition.PutBlocks;
  // The loader's `requestType` / `responseType` stay (reflection and tools read them); only the
  // functions that turn bytes into values change.
  const streams = {
    GetBlocks: {
      ...getBlocks,
      requestDeserialize: (bytes: Buffer): WantIn => {
        try {
          return checkCid(getBlocks.requestDeserialize(bytes).cid, 'cid', -1);
        } catch (err) {
          return asInvalidArgument(err, 'BlockWant');
        }
      },
      responseSerialize: passEncoded,
      responseDeserialize: (bytes: Buffer): AnswerIn => {
        try {
          const frame = checkBlockAnswer(decodeBlockFrame(bytes));
          // grpc-js reassembles every message into a new Buffer (Buffer.concat in its stream
          // decoder): the block's bytes, a view of it, are the only use of that memory.
          markOwnBuffer(frame.data);
          return frame;
        } catch (err) {
          return asInvalidArgument(err, 'BlockFrame');
        }
      },
    },
    PutBlocks: {
      ...putBlocks,
      requestSerialize: passEncoded,
      requestDeserialize: (bytes: Buffer): PutIn => {
        try {
          return blockPutOfFrame(decodeBlockFrame(bytes));
        } catch (err) {
          return asInvalidArgument(err, 'BlockFrame');
        }
      },
      responseDeserialize: (bytes: Buffer): AckIn => {
        try {
          return decodeAck(putBlocks.responseDeserialize(bytes));
        } catch (err) {
          return asInvalidArgument(err, 'PutBlocksAck');
        }
      },
    },
  };
  return { ...definition, ...(streams satisfies Record<keyof BlockStreamDefinitions, object>) } as unknown as ContentServiceDefinition;
}

/** The block streams of a definition made by {@link withBlockStreamCodecs}, with their real types. */
export function blockStreamDefinitions(definition: ContentServiceDefinition): BlockStreamDefinitions {
  return definition as unknown as BlockStreamDefinitions;
}

/** Frames are encoded by their sender (encodeBlockFrame); the serializer hands the bytes on. */
function passEncoded(frame: Buffer): Buffer {
  if (!Buffer.isBuffer(frame)) throw new InvalidArgumentError('a block stream frame must be encoded with encodeBlockFrame');
  return frame;
}

/** An ack as it goes on the wire: checked, its message cut to MAX_BLOCK_ERROR_MESSAGE_BYTES. */
export function encodeAck(ack: BlockPutAck): PutBlocksAck {
  if (ack === null || typeof ack !== 'object') invalid('ack', -1, '', 'missing');
  return checkAckShape({
    cid: checkCid(ack.cid, 'cid', -1),
    stored: checkBoolean(ack.stored, 'stored'),
    error: checkErrorCode(ack.error, 'error'),
    message: cutMessage(ack.message, 'message'),
  });
}

/** An ack a peer sent, checked as {@link encodeAck} checks ours. */
export function decodeAck(message: PutBlocksAck__Output): BlockPutAck {
  if (Buffer.byteLength(message.message, 'utf8') > MAX_BLOCK_ERROR_MESSAGE_BYTES) {
    invalid('message', -1, '', `at most ${MAX_BLOCK_ERROR_MESSAGE_BYTES} bytes`);
  }
  return checkAckShape({
    cid: checkCid(message.cid, 'cid', -1),
    stored: message.stored,
    error: checkErrorCode(message.error, 'error'),
    message: message.message,
  });
}

function checkAckShape<A extends { stored: boolean; error: string }>(ack: A): A {
  if (ack.stored && ack.error !== '') invalid('stored', -1, '', 'a block acknowledged with an error is not stored');
  return ack;
}

/** The want the client sends for `cid` (checked). */
export function encodeWant(cid: string): BlockWant {
  return { cid: checkCid(cid, 'cid', -1) };
}
