/**
 * SWIM's direct probes over one long-lived `PingStream` per caller and callee instead of a unary
 * `Ping` per probe. A probe is the cheapest and most frequent thing a node does (one out and, on
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
import { Metadata, status as Status, type ClientDuplexStream, type handleBidiStreamingCall, type ServiceError } from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { DeadlineExceededError, InternalError, InvalidArgumentError, toAbortError, type Logger } from '@peerweave/core';
import type { ClientChannel } from '../transport/client-channel.ts';
import type { PingFrame } from '../generated/peerweave/routing/v1/PingFrame.ts';
import type { PingFrame__Output } from '../generated/peerweave/routing/v1/PingFrame.ts';
import type { PingRequest } from '../generated/peerweave/routing/v1/PingRequest.ts';
import type { PingResponse__Output } from '../generated/peerweave/routing/v1/PingResponse.ts';
import type { PongFrame, PongFrame__Output } from '../generated/peerweave/routing/v1/PongFrame.ts';
import { PEER_CODECS } from '../peer-codec.ts';
import type { RoutingHandler } from './routing-messages.ts';
import { serverCallSignal } from '../transport/server-unary.ts';
import { errorForGrpcStatus, grpcFailureForError } from '../transport/status-mapping.ts';
import { unaryCall, type CallOptions } from '../transport/unary-call.ts';
import { type StreamRegistry } from '../transport/stream-registry.ts';

/** Pings one stream may have handled at once by its server; a caller probes one at a time. */
export const MAX_PINGS_IN_FLIGHT = 16;
/** Longest per-ping deadline a PingFrame carries (and a server honours): one minute. */
export const MAX_PING_TIMEOUT_MS = 60_000;

type AnyMethod = MethodDefinition<unknown, unknown, unknown, unknown>;

interface PendingPing {
  readonly message: PingRequest;
  readonly signal: AbortSignal | undefined;
  readonly deadlineAt: number;
  readonly resolve: (response: PingResponse__Output) => void;
  readonly reject: (err: unknown) => void;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly onAbort: () => void;
}

/**
 * The caller's end of the PingStream to one address, over that address's channel. `ping` behaves
 * as a unary Ping call would: it resolves with the response or rejects with the mapped error,
 * DEADLINE_EXCEEDED at the deadline, the signal's reason when it aborts, ABORTED once the channel
 * is closed.
 */
export class PingStreamClient {
  readonly #channel: ClientChannel;
  readonly #streamMethod: AnyMethod;
  readonly #unaryMethod: AnyMethod;
  readonly #pending = new Map<number, PendingPing>();
  #call: ClientDuplexStream<PingFrame, PongFrame__Output> | undefined;
  #seq = 0;
  #unsupported = false;
  #opened = 0;

  constructor(channel: ClientChannel, methods: { stream: AnyMethod; unary: AnyMethod }) {
    this.#channel = channel;
    this.#streamMethod = methods.stream;
    this.#unaryMethod = methods.unary;
  }

  /** Streams opened so far (1 while the peer stays up), for tests. */
  get opened(): number {
    return this.#opened;
  }

  /** True once the peer answered UNIMPLEMENTED: every ping is a unary call from then on. */
  get unsupported(): boolean {
    return this.#unsupported;
  }

  ping(message: PingRequest, options: CallOptions = {}): Promise<PingResponse__Output> {
    if (this.#unsupported) return this.#unary(message, options);
    const deadlineMs = options.deadlineMs ?? this.#channel.defaultDeadlineMs;
    if (!(Number.isFinite(deadlineMs) && deadlineMs > 0)) return this.#unary(message, options);
    const aborted = [options.signal, this.#channel.closed].find((s) => s?.aborted === true);
    if (aborted !== undefined) return Promise.reject(toAbortError(aborted));
    const call = this.#open();
    return new Promise<PingResponse__Output>((resolve, reject) => {
      const seq = this.#nextSeq();
      const onAbort = (): void => {
        if (this.#settle(seq) !== undefined) reject(toAbortError(options.signal!));
      };
      const timer = setTimeout(() => {
        if (this.#settle(seq) !== undefined) reject(new DeadlineExceededError(`ping deadline of ${deadlineMs} ms exceeded`));
      }, deadlineMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(seq, {
        message,
        signal: options.signal,
        deadlineAt: Date.now() + deadlineMs,
        resolve,
        reject,
        timer,
        onAbort,
      });
      call.write({ seq, ping: message, timeoutMs: Math.min(Math.ceil(deadlineMs), MAX_PING_TIMEOUT_MS) });
    });
  }

  #nextSeq(): number {
    do this.#seq = (this.#seq + 1) >>> 0;
    while (this.#pending.has(this.#seq));
    return this.#seq;
  }

  #open(): ClientDuplexStream<PingFrame, PongFrame__Output> {
    if (this.#call !== undefined) return this.#call;
    const call = this.#channel.client.makeBidiStreamRequest(
      this.#streamMethod.path,
      this.#streamMethod.requestSerialize as (value: PingFrame) => Buffer,
      this.#streamMethod.responseDeserialize as (bytes: Buffer) => PongFrame__Output,
      new Metadata(),
    ) as ClientDuplexStream<PingFrame, PongFrame__Output>;
    this.#call = call;
    this.#opened++;
    const onClosed = (): void => call.cancel();
    this.#channel.closed.addEventListener('abort', onClosed, { once: true });
    let over = false;
    const finish = (code: number): void => {
      if (over) return;
      over = true;
      this.#channel.closed.removeEventListener('abort', onClosed);
      if (this.#call === call) this.#call = undefined;
      if (code === Status.UNIMPLEMENTED) this.#unsupported = true;
      // Whatever was in flight is asked again, once, as a unary Ping within its own deadline.
      for (const [seq, pending] of [...this.#pending]) {
        this.#settle(seq);
        const remaining = pending.deadlineAt - Date.now();
        if (remaining <= 0) {
          pending.reject(new DeadlineExceededError('ping deadline exceeded'));
          continue;
        }
        this.#unary(pending.message, { signal: pending.signal, deadlineMs: remaining }).then(pending.resolve, pending.reject);
      }
    };
    call.on('data', (frame: PongFrame__Output) => this.#answer(frame));
    call.on('error', (err: ServiceError) => finish(err.code));
    call.on('status', (s: { code: number }) => finish(s.code));
    call.on('end', () => finish(Status.OK));
    return call;
  }

  #answer(frame: PongFrame__Output): void {
    const pending = this.#settle(frame.seq);
    if (pending === undefined) return; // Timed out or aborted meanwhile.
    if (frame.status !== Status.OK) {
      pending.reject(errorForGrpcStatus({ code: frame.status, details: frame.message }));
    } else if (frame.pong === null || frame.pong === undefined) {
      pending.reject(new InvalidArgumentError('PongFrame without pong'));
    } else {
      pending.resolve(frame.pong);
    }
  }

  /** Removes `seq` from the pings in flight (its timer and listener too) and returns it, once. */
  #settle(seq: number): PendingPing | undefined {
    const pending = this.#pending.get(seq);
    if (pending === undefined) return undefined;
    this.#pending.delete(seq);
    clearTimeout(pending.timer);
    pending.signal?.removeEventListener('abort', pending.onAbort);
    return pending;
  }

  #unary(message: PingRequest, options: CallOptions): Promise<PingResponse__Output> {
    return unaryCall(this.#channel, this.#unaryMethod, message, options) as Promise<PingResponse__Output>;
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
  return (call) => {
    const { signal, release } = serverCallSignal(call, method);
    const peer = call.getPeer();
    let inFlight = 0;
    let draining = false;
    let inputOver = false;
    let over = false;
    const entry = {
      drain: (): void => {
        draining = true;
        endIfIdle();
      },
    };
    const close = (): void => {
      if (over) return;
      over = true;
      release();
      streams.delete(entry);
    };
    const endIfIdle = (): void => {
      if (over || inFlight > 0 || !(draining || inputOver)) return;
      close();
      call.end();
    };
    const send = (frame: PongFrame): void => {
      if (!over && !call.destroyed) call.write(frame);
    };
    const fail = (seq: number, err: unknown): void => {
      const failure = grpcFailureForError(err);
      if (failure.masked) logger.error({ err, method }, 'gRPC handler failed');
      send({ seq, status: failure.code, message: failure.details });
    };
    streams.add(entry);
    call.on('data', (frame: PingFrame__Output) => {
      const seq = frame.seq >>> 0;
      if (draining) {
        send({ seq, status: Status.UNAVAILABLE, message: 'server stopping' });
        return;
      }
      if (inFlight >= MAX_PINGS_IN_FLIGHT) {
        send({ seq, status: Status.RESOURCE_EXHAUSTED, message: `more than ${MAX_PINGS_IN_FLIGHT} pings in flight on one stream` });
        return;
      }
      inFlight++;
      // Settled once: by the handler, or by the ping's deadline (or the stream's end) if the
      // handler outlives it, so that a stuck handler never holds a slot of the stream.
      let settled = false;
      const settle = (answer: () => void): void => {
        if (settled) return;
        settled = true;
        ping?.release();
        answer();
        inFlight--;
        endIfIdle();
      };
      let ping: ReturnType<typeof pingSignal> | undefined;
      try {
        if (frame.ping === null || frame.ping === undefined) throw new InvalidArgumentError('PingFrame without ping');
        const request = codec.decodeRequest(frame.ping as Parameters<typeof codec.decodeRequest>[0]);
        ping = pingSignal(signal, frame.timeoutMs, method);
        ping.signal.addEventListener('abort', () => settle(() => fail(seq, ping!.signal.reason)), { once: true });
        handler.ping(request, { signal: ping.signal, peer }).then(
          (response) => {
            let pong: PongFrame['pong'];
            try {
              pong = codec.encodeResponse(response);
            } catch (err) {
              const wrapped = err instanceof InvalidArgumentError
                ? new InternalError(`invalid ping response: ${err.message}`, { cause: err })
                : err;
              settle(() => fail(seq, wrapped));
              return;
            }
            settle(() => send({ seq, pong }));
          },
          (err: unknown) => settle(() => fail(seq, err)),
        );
      } catch (err) {
        settle(() => fail(seq, err));
      }
    });
    call.on('end', () => {
      inputOver = true;
      endIfIdle();
    });
    call.on('error', close);
    call.on('cancelled', close);
  };
}

/**
 * The signal of one ping's handling: aborts with the stream's signal, or with DEADLINE_EXCEEDED
 * after the frame's timeout (at most MAX_PING_TIMEOUT_MS), as a unary call's deadline would.
 */
function pingSignal(stream: AbortSignal, timeoutMs: number, method: string): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onStream = (): void => controller.abort(stream.reason);
  if (stream.aborted) onStream();
  else stream.addEventListener('abort', onStream, { once: true });
  const timer = timeoutMs > 0
    ? setTimeout(() => controller.abort(new DeadlineExceededError(`deadline of ${method} ping exceeded`)), Math.min(timeoutMs, MAX_PING_TIMEOUT_MS))
    : undefined;
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      stream.removeEventListener('abort', onStream);
    },
  };
}
