/**
 * SWIM's direct probes over one long-lived `PingStream` per caller and callee instead of a unary
 * `Ping` per probe (the multiplexing itself is transport/call-mux.ts). A probe is the cheapest and most frequent thing a node does (one out and, on
 * average, one in per protocol period); as a unary call it costs an HTTP/2 stream, headers,
 * trailers and a deadline timer at both ends, about 1.2 ms of CPU in all on the bench VM, against
 * about 0.3 ms for a frame each way on an open stream (bench/probe-cost.ts). memberlist sends its
 * probes as UDP datagrams for the same reason.
 *
 * Client side ({@link PingStreamClient}): opened on the first ping to an address, kept while the
 * channel lives, reopened after a failure. Each ping keeps its own deadline and signal. Pings in
 * flight when the stream fails, and every ping to a peer that answers UNIMPLEMENTED (a node from
 * before the method), go out as unary Ping calls instead: the stream only ever changes the cost.
 *
 * Server side ({@link pingStreamHandler}): every frame is decoded, validated and handled exactly
 * as a unary Ping (same handler, same error mapping), and answered with a frame carrying the same
 * seq; at most MAX_PINGS_IN_FLIGHT are handled at once per stream, more are answered
 * RESOURCE_EXHAUSTED. A draining server answers new frames UNAVAILABLE and ends the stream (OK)
 * once its answers are out.
 */
import type { handleBidiStreamingCall } from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { InternalError, InvalidArgumentError, type Logger } from '@peerweave/core';
import type { ClientChannel } from '../transport/client-channel.ts';
import type { PingFrame, PingFrame__Output } from '../generated/peerweave/routing/v1/PingFrame.ts';
import type { PingRequest } from '../generated/peerweave/routing/v1/PingRequest.ts';
import type { PingResponse__Output } from '../generated/peerweave/routing/v1/PingResponse.ts';
import type { PongFrame, PongFrame__Output } from '../generated/peerweave/routing/v1/PongFrame.ts';
import { PEER_CODECS } from '../peer-codec.ts';
import { checkSpeaker } from '../speaker-rules.ts';
import type { RoutingHandler } from './routing-messages.ts';
import { MuxClient, muxStreamHandler } from '../transport/call-mux.ts';
import { unaryCall, type CallOptions } from '../transport/unary-call.ts';
import { type StreamRegistry } from '../transport/stream-registry.ts';

/** Pings one stream may have handled at once by its server; a caller probes one at a time. */
export const MAX_PINGS_IN_FLIGHT = 16;
/** Longest per-ping deadline a PingFrame carries (and a server honours): one minute. */
export const MAX_PING_TIMEOUT_MS = 60_000;

type AnyMethod = MethodDefinition<unknown, unknown, unknown, unknown>;

/**
 * The caller's end of the PingStream to one address, over that address's channel. `ping` behaves
 * as a unary Ping call would: it resolves with the response or rejects with the mapped error,
 * DEADLINE_EXCEEDED at the deadline, the signal's reason when it aborts, ABORTED once the channel
 * is closed.
 */
export class PingStreamClient extends MuxClient<PingRequest, PingResponse__Output, PingFrame, PongFrame__Output> {
  constructor(channel: ClientChannel, methods: { stream: AnyMethod; unary: AnyMethod }) {
    super(channel, {
      stream: methods.stream,
      maxInFlight: MAX_PINGS_IN_FLIGHT,
      maxTimeoutMs: MAX_PING_TIMEOUT_MS,
      frame: (seq, ping, timeoutMs) => ({ seq, ping, timeoutMs }),
      reply: (frame) => ({
        seq: frame.seq,
        status: frame.status,
        message: frame.message,
        response: () => {
          if (frame.pong === null || frame.pong === undefined) throw new InvalidArgumentError('PongFrame without pong');
          return frame.pong;
        },
      }),
      unary: (message, options) => unaryCall(channel, methods.unary, message, options) as Promise<PingResponse__Output>,
    });
  }

  ping(message: PingRequest, options: CallOptions = {}): Promise<PingResponse__Output> {
    return this.call(message, options);
  }
}

/** The grpc-js handler of PingStream, answering every frame with `handler.ping` (see the file's doc). */
export function pingStreamHandler(
  method: string,
  handler: Pick<RoutingHandler, 'ping'>,
  logger: Logger,
  streams: StreamRegistry,
): handleBidiStreamingCall<PingFrame__Output, PongFrame> {
  const codec = PEER_CODECS.ping;
  return muxStreamHandler<PingFrame__Output, PongFrame>(method, logger, streams, {
    maxInFlight: MAX_PINGS_IN_FLIGHT,
    maxTimeoutMs: MAX_PING_TIMEOUT_MS,
    what: 'pings',
    seq: (frame) => frame.seq,
    timeoutMs: (frame) => frame.timeoutMs,
    failure: (seq, status, message) => ({ seq, status, message }),
    handle: async (frame, seq, context) => {
      if (frame.ping === null || frame.ping === undefined) throw new InvalidArgumentError('PingFrame without ping');
      const request = codec.decodeRequest(frame.ping as Parameters<typeof codec.decodeRequest>[0]);
      checkSpeaker('ping', request, context);
      const response = await handler.ping(request, context);
      try {
        return { seq, pong: codec.encodeResponse(response) };
      } catch (err) {
        throw err instanceof InvalidArgumentError ? new InternalError(`invalid ping response: ${err.message}`, { cause: err }) : err;
      }
    },
  });
}
