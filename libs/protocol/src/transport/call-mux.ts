/**
 * Unary calls as frames on one long-lived bidi stream per caller and callee (SWIM's PingStream,
 * the content service's Calls). As a unary call, every request costs an HTTP/2 stream, headers,
 * trailers and a deadline timer at both ends; as a frame on an open stream it costs the frame
 * (bench/probe-cost.ts measures the two). memberlist sends its probes as datagrams for the same
 * reason.
 *
 * Client side ({@link MuxClient}): the stream is opened on the first call, kept while the channel
 * lives, reopened after a failure. Each call keeps its own deadline and signal and settles as the
 * unary call would have. Calls in flight when the stream fails, every call to a peer that answers
 * UNIMPLEMENTED (a node from before the stream method), and calls beyond `maxInFlight` go out as
 * unary calls instead: the stream only ever changes the cost.
 *
 * Server side ({@link muxStreamHandler}): every frame is handled as the unary call would be (same
 * handler, same validation, same error mapping) and answered with a frame carrying the same seq, in
 * any order; at most `maxInFlight` are handled at once per stream, more are answered
 * RESOURCE_EXHAUSTED. A draining server answers new frames UNAVAILABLE and ends the stream (OK)
 * once its answers are out. A frame that is not valid protobuf ends the stream INVALID_ARGUMENT
 * (see {@link withTolerantFrames}); answers still in flight are dropped.
 */
import { Metadata, status as Status, type ClientDuplexStream, type handleBidiStreamingCall, type ServiceError } from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { DeadlineExceededError, InvalidArgumentError, PeerweaveError, toAbortError, type Logger } from '@peerweave/core';
import type { ClientChannel } from './client-channel.ts';
import { serverCallSignal, streamCaller, type ServerCallContext } from './server-unary.ts';
import { errorForGrpcStatus, grpcFailureForError } from './status-mapping.ts';
import type { CallOptions } from './unary-call.ts';
import type { StreamRegistry } from './stream-registry.ts';

type AnyMethod = MethodDefinition<unknown, unknown, unknown, unknown>;

/** A reply frame as the client reads it. */
export interface MuxReply<Req, Res> {
  readonly seq: number;
  /** A gRPC status code (0 = OK). */
  readonly status: number;
  readonly message: string;
  /** The response of an OK reply to `request`; throws (INVALID_ARGUMENT) when the frame lacks it. */
  response(request: Req): Res;
}

/** How one kind of multiplexed call is framed, on the client side. */
export interface MuxClientFrames<Req, Res, Out, In> {
  /** The bidi stream method (path and frame serializers). */
  readonly stream: AnyMethod;
  /** Calls one stream carries at once; more go out as unary calls. */
  readonly maxInFlight: number;
  /** Longest per-call deadline a frame carries. */
  readonly maxTimeoutMs: number;
  frame(seq: number, request: Req, timeoutMs: number): Out;
  reply(frame: In): MuxReply<Req, Res>;
  /** The same call as a unary one. */
  unary(request: Req, options: CallOptions): Promise<Res>;
}

interface PendingCall<Req, Res> {
  readonly request: Req;
  readonly signal: AbortSignal | undefined;
  readonly deadlineAt: number;
  readonly resolve: (response: Res) => void;
  readonly reject: (err: unknown) => void;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly onAbort: () => void;
}

/**
 * The caller's end of one multiplexed stream to one address, over that address's channel. `call`
 * behaves as the unary call would: it resolves with the response or rejects with the mapped
 * error, DEADLINE_EXCEEDED at the deadline, the signal's reason when it aborts, ABORTED once the
 * channel is closed.
 */
export class MuxClient<Req, Res, Out, In> {
  readonly #channel: ClientChannel;
  readonly #frames: MuxClientFrames<Req, Res, Out, In>;
  readonly #pending = new Map<number, PendingCall<Req, Res>>();
  #call: ClientDuplexStream<Out, In> | undefined;
  #seq = 0;
  #unsupported = false;
  #opened = 0;

  constructor(channel: ClientChannel, frames: MuxClientFrames<Req, Res, Out, In>) {
    this.#channel = channel;
    this.#frames = frames;
  }

  /** Streams opened so far (1 while the peer stays up), for tests. */
  get opened(): number {
    return this.#opened;
  }

  /** True once the peer answered UNIMPLEMENTED: every call is a unary call from then on. */
  get unsupported(): boolean {
    return this.#unsupported;
  }

  call(request: Req, options: CallOptions = {}): Promise<Res> {
    if (this.#unsupported || this.#pending.size >= this.#frames.maxInFlight) return this.#frames.unary(request, options);
    const deadlineMs = options.deadlineMs ?? this.#channel.defaultDeadlineMs;
    if (!(Number.isFinite(deadlineMs) && deadlineMs > 0)) return this.#frames.unary(request, options);
    const aborted = [options.signal, this.#channel.closed].find((s) => s?.aborted === true);
    if (aborted !== undefined) return Promise.reject(toAbortError(aborted));
    let frame: Out;
    const seq = this.#nextSeq();
    try {
      frame = this.#frames.frame(seq, request, Math.min(Math.ceil(deadlineMs), this.#frames.maxTimeoutMs));
    } catch (err) {
      return Promise.reject(err);
    }
    const stream = this.#open();
    return new Promise<Res>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.#settle(seq) !== undefined) reject(toAbortError(options.signal!));
      };
      const timer = setTimeout(() => {
        if (this.#settle(seq) !== undefined) reject(new DeadlineExceededError(`deadline of ${deadlineMs} ms exceeded`));
      }, deadlineMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(seq, { request, signal: options.signal, deadlineAt: Date.now() + deadlineMs, resolve, reject, timer, onAbort });
      stream.write(frame);
    });
  }

  #nextSeq(): number {
    do this.#seq = (this.#seq + 1) >>> 0;
    while (this.#pending.has(this.#seq));
    return this.#seq;
  }

  #open(): ClientDuplexStream<Out, In> {
    if (this.#call !== undefined) return this.#call;
    const method = this.#frames.stream;
    const call = this.#channel.client.makeBidiStreamRequest(
      method.path,
      method.requestSerialize as (value: Out) => Buffer,
      method.responseDeserialize as (bytes: Buffer) => In,
      new Metadata(),
    ) as ClientDuplexStream<Out, In>;
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
      // Whatever was in flight is asked again, once, as a unary call within its own deadline.
      for (const [seq, pending] of [...this.#pending]) {
        this.#settle(seq);
        const remaining = pending.deadlineAt - Date.now();
        if (remaining <= 0) {
          pending.reject(new DeadlineExceededError('deadline exceeded'));
          continue;
        }
        this.#frames.unary(pending.request, { signal: pending.signal, deadlineMs: remaining }).then(pending.resolve, pending.reject);
      }
    };
    call.on('data', (frame: In) => this.#answer(frame));
    call.on('error', (err: ServiceError) => finish(err.code));
    call.on('status', (s: { code: number }) => finish(s.code));
    call.on('end', () => finish(Status.OK));
    return call;
  }

  #answer(frame: In): void {
    const reply = this.#frames.reply(frame);
    const pending = this.#settle(reply.seq >>> 0);
    if (pending === undefined) return; // Timed out or aborted meanwhile.
    if (reply.status !== Status.OK) {
      pending.reject(errorForGrpcStatus({ code: reply.status, details: reply.message }));
      return;
    }
    try {
      pending.resolve(reply.response(pending.request));
    } catch (err) {
      pending.reject(err);
    }
  }

  /** Removes `seq` from the calls in flight (its timer and listener too) and returns it, once. */
  #settle(seq: number): PendingCall<Req, Res> | undefined {
    const pending = this.#pending.get(seq);
    if (pending === undefined) return undefined;
    this.#pending.delete(seq);
    clearTimeout(pending.timer);
    pending.signal?.removeEventListener('abort', pending.onAbort);
    return pending;
  }
}

/** How one kind of multiplexed call is framed and handled, on the server side. */
export interface MuxServerFrames<In, Out> {
  /** Calls one stream may have handled at once. */
  readonly maxInFlight: number;
  /** Longest per-call deadline honoured. */
  readonly maxTimeoutMs: number;
  /** What the frames carry, for messages ("pings", "calls"). */
  readonly what: string;
  seq(frame: In): number;
  timeoutMs(frame: In): number;
  /** Handles one frame as the unary call would be handled; resolves with the OK reply frame. */
  handle(frame: In, seq: number, context: ServerCallContext): Promise<Out>;
  /** The reply frame of a failed call. */
  failure(seq: number, code: number, message: string): Out;
}

/**
 * A mux stream's method whose request deserializer never throws: a malformed frame becomes an
 * InvalidArgumentError the handler answers by ending the stream with INVALID_ARGUMENT (as the
 * block streams do). Thrown from the deserializer, grpc-js would end the call with INTERNAL while
 * the handler may still write answers to frames before it, and a write after that status leaves
 * the caller without any status until its deadline.
 */
export function withTolerantFrames<M extends AnyMethod>(method: M, what: string): M {
  const deserialize = method.requestDeserialize;
  return {
    ...method,
    requestDeserialize: (bytes: Buffer): unknown => {
      try {
        return deserialize(bytes);
      } catch (err) {
        return new InvalidArgumentError(`malformed ${what} frame: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}

/** The grpc-js handler of a multiplexed stream (see the file's doc). */
export function muxStreamHandler<In, Out>(method: string, logger: Logger, streams: StreamRegistry, frames: MuxServerFrames<In, Out>): handleBidiStreamingCall<In, Out> {
  return (call) => {
    const caller = streamCaller(call);
    if (caller === undefined) return;
    const { signal, release } = serverCallSignal(call, method);
    const peer = call.getPeer();
    const { callerId } = caller;
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
    const send = (frame: Out): void => {
      if (!over && !call.destroyed) call.write(frame);
    };
    const fail = (seq: number, err: unknown): void => {
      const failure = grpcFailureForError(err);
      if (failure.masked) logger.error({ err, method }, 'gRPC handler failed');
      send(frames.failure(seq, failure.code, failure.details));
    };
    streams.add(entry);
    call.on('data', (frame: In | PeerweaveError) => {
      if (frame instanceof PeerweaveError) {
        // No more writes after this: grpc-js would send them after the status and the caller
        // would never see the status (found by npm run fuzz).
        const failure = grpcFailureForError(frame);
        close();
        call.emit('error', { code: failure.code, details: failure.details });
        return;
      }
      const seq = frames.seq(frame) >>> 0;
      if (draining) {
        send(frames.failure(seq, Status.UNAVAILABLE, 'server stopping'));
        return;
      }
      if (inFlight >= frames.maxInFlight) {
        send(frames.failure(seq, Status.RESOURCE_EXHAUSTED, `more than ${frames.maxInFlight} ${frames.what} in flight on one stream`));
        return;
      }
      inFlight++;
      // Settled once: by the handler, or by the call's deadline (or the stream's end) if the
      // handler outlives it, so that a stuck handler never holds a slot of the stream.
      let settled = false;
      const one = callSignal(signal, frames.timeoutMs(frame), frames.maxTimeoutMs, method);
      // The deadline's timer only for a handler still running once this turn of the loop is over
      // (a ping is answered within it): a timer set and cleared costs the loop a wake-up at the
      // time it was set for, which for an idle node's probes was one more wake-up a second.
      setImmediate(() => {
        if (!settled) one.arm();
      });
      const settle = (answer: () => void): void => {
        if (settled) return;
        settled = true;
        one.release();
        answer();
        inFlight--;
        endIfIdle();
      };
      one.signal.addEventListener('abort', () => settle(() => fail(seq, one.signal.reason)), { once: true });
      let handled: Promise<Out>;
      try {
        handled = frames.handle(frame, seq, callerId === undefined ? { signal: one.signal, peer } : { signal: one.signal, peer, callerId });
      } catch (err) {
        handled = Promise.reject(err);
      }
      handled.then(
        (reply) => settle(() => send(reply)),
        (err: unknown) => settle(() => fail(seq, err)),
      );
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
 * The signal of one call's handling: aborts with the stream's signal, or with DEADLINE_EXCEEDED
 * once the frame's timeout (at most `maxTimeoutMs`) has passed since it arrived, as a unary
 * call's deadline would. The deadline's timer starts with `arm` (at most once, before `release`);
 * the deadline still counts from the arrival.
 */
function callSignal(stream: AbortSignal, timeoutMs: number, maxTimeoutMs: number, method: string): { signal: AbortSignal; arm: () => void; release: () => void } {
  const controller = new AbortController();
  const onStream = (): void => controller.abort(stream.reason);
  if (stream.aborted) onStream();
  else stream.addEventListener('abort', onStream, { once: true });
  const deadlineAt = timeoutMs > 0 ? performance.now() + Math.min(timeoutMs, maxTimeoutMs) : undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    signal: controller.signal,
    arm: () => {
      if (deadlineAt === undefined) return;
      const abort = (): void => controller.abort(new DeadlineExceededError(`deadline of a ${method} call exceeded`));
      timer = setTimeout(abort, Math.max(0, deadlineAt - performance.now()));
    },
    release: () => {
      clearTimeout(timer);
      stream.removeEventListener('abort', onStream);
    },
  };
}
