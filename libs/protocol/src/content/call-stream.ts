/**
 * The content service's unary calls as frames on one `Calls` stream per caller and callee
 * (transport/call-mux.ts). A small read is a GetRecord to two replicas and a small write a PutBlock
 * to three: as unary calls each costs an HTTP/2 stream, headers and trailers at both ends, which
 * was most of the CPU of a 4 KiB read or put in a cluster (bench/.rpc numbers in the commit).
 *
 * A CallFrame carries the method's name in the service and its request message serialized by the
 * method's own serializer; the ReplyFrame carries the response message the same way, or the status
 * the unary call would have ended with. The server decodes, validates and handles every frame with
 * the same codec and handler as the unary method (service-binding.ts), so the two paths answer
 * alike.
 */
import type { handleBidiStreamingCall } from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { InternalError, InvalidArgumentError, PeerweaveError, type Logger } from '@peerweave/core';
import type { CallFrame, CallFrame__Output } from '../generated/peerweave/content/v1/CallFrame.ts';
import type { ReplyFrame, ReplyFrame__Output } from '../generated/peerweave/content/v1/ReplyFrame.ts';
import { MuxClient, muxStreamHandler } from '../transport/call-mux.ts';
import type { ClientChannel } from '../transport/client-channel.ts';
import type { StreamRegistry } from '../transport/stream-registry.ts';
import { unaryCall } from '../transport/unary-call.ts';
import { CONTENT_CODECS, CONTENT_RPC_NAMES } from './content-codec.ts';
import { checkSpeaker } from '../speaker-rules.ts';
import type { ContentHandler, ContentMethod } from './content-messages.ts';

/**
 * Calls one stream carries at once, in each direction: a put sends r, a read 2, a repair pass a
 * HasBlocks per peer; a caller with more in flight to one peer sends the rest as unary calls.
 */
export const MAX_CALLS_IN_FLIGHT = 64;
/** Longest per-call deadline a CallFrame carries (and a server honours): one minute. */
export const MAX_CALL_TIMEOUT_MS = 60_000;

type AnyMethod = MethodDefinition<unknown, unknown, unknown, unknown>;

/** One content call on the stream: which method, and its request as the codec encoded it. */
export interface ContentCall {
  readonly method: ContentMethod;
  readonly message: unknown;
}

const RPC_METHODS = new Map<string, ContentMethod>(Object.entries(CONTENT_RPC_NAMES).map(([method, rpc]) => [rpc, method as ContentMethod]));

/**
 * The caller's end of the Calls stream to one address. `call` behaves as the unary call of the same
 * method (unaryCall): it resolves with the response message (before the codec decodes it) or
 * rejects with the mapped error.
 */
export class ContentCallClient extends MuxClient<ContentCall, unknown, CallFrame, ReplyFrame__Output> {
  constructor(channel: ClientChannel, stream: AnyMethod, unary: Readonly<Record<ContentMethod, AnyMethod>>) {
    super(channel, {
      stream,
      maxInFlight: MAX_CALLS_IN_FLIGHT,
      maxTimeoutMs: MAX_CALL_TIMEOUT_MS,
      frame: (seq, call, timeoutMs) => ({ seq, method: CONTENT_RPC_NAMES[call.method], request: unary[call.method].requestSerialize(call.message), timeoutMs }),
      reply: (frame) => ({
        seq: frame.seq,
        status: frame.status,
        message: frame.message,
        response: (call) => unary[call.method].responseDeserialize(frame.response),
      }),
      unary: (call, options) => unaryCall(channel, unary[call.method], call.message, options),
    });
  }
}

/**
 * The grpc-js handler of Calls: every frame is handled as its unary method would be (the same
 * codec and handler); a method the service does not have is answered UNIMPLEMENTED.
 */
export function callStreamHandler(
  method: string,
  definition: Readonly<Record<string, AnyMethod>>,
  handler: ContentHandler,
  logger: Logger,
  streams: StreamRegistry,
): handleBidiStreamingCall<CallFrame__Output, ReplyFrame> {
  return muxStreamHandler<CallFrame__Output, ReplyFrame>(method, logger, streams, {
    maxInFlight: MAX_CALLS_IN_FLIGHT,
    maxTimeoutMs: MAX_CALL_TIMEOUT_MS,
    what: 'calls',
    seq: (frame) => frame.seq,
    timeoutMs: (frame) => frame.timeoutMs,
    failure: (seq, status, message) => ({ seq, status, message }),
    handle: async (frame, seq, context) => {
      const name = RPC_METHODS.get(frame.method);
      if (name === undefined) throw new PeerweaveError('METHOD_NOT_ALLOWED', `the content service has no method ${JSON.stringify(frame.method.slice(0, 64))}`);
      const rpc = definition[frame.method]!;
      let request: unknown;
      try {
        request = rpc.requestDeserialize(frame.request);
      } catch (err) {
        throw new InvalidArgumentError(`malformed ${frame.method} request: ${err instanceof Error ? err.message : String(err)}`);
      }
      const codec = CONTENT_CODECS[name] as unknown as { decodeRequest(m: unknown): unknown; encodeResponse(r: unknown): unknown };
      const handle = handler[name] as unknown as (request: unknown, context: unknown) => Promise<unknown>;
      const decoded = codec.decodeRequest(request);
      checkSpeaker(name, decoded, context);
      const response = await handle.call(handler, decoded, context);
      let encoded: unknown;
      try {
        encoded = codec.encodeResponse(response);
      } catch (err) {
        throw err instanceof InvalidArgumentError ? new InternalError(`invalid ${name} response: ${err.message}`, { cause: err }) : err;
      }
      return { seq, response: rpc.responseSerialize(encoded) };
    },
  });
}
