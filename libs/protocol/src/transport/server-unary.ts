import type { handleUnaryCall, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { AbortError, DeadlineExceededError, type Logger } from '@peerweave/core';
import { callerIdOf, type AuthenticatedCall } from './caller-id.ts';
import { grpcFailureForError } from './status-mapping.ts';

/** What a server-side handler gets besides the request. */
export interface ServerCallContext {
  /**
   * Aborts when the caller cancels or the call's deadline passes (reason DeadlineExceededError or
   * AbortError). Pass it to everything the handler awaits: the answer would go nowhere.
   */
  signal: AbortSignal;
  /**
   * Who called: the remote `host:port` of the connection (grpc-js `call.getPeer()`, `unknown` when
   * the socket is gone); for per-peer limits.
   */
  peer: string;
  /**
   * The caller's node id as its TLS certificate proves it (caller-id.ts); absent over plaintext.
   */
  callerId?: string;
}

/**
 * Adapts an async domain handler to a grpc-js unary handler: gives it a signal tied to the call and
 * the caller's address, sends its result, and sends its failure through the status mapping.
 * Unexpected failures go out as "internal error" and are logged here at error level, with `method`.
 */
export function unaryHandler<Req, Res>(
  method: string,
  logger: Logger,
  handle: (request: Req, context: ServerCallContext) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const { signal, release } = serverCallSignal(call, method);
    let pending: Promise<Res>;
    try {
      pending = handle(call.request, callContext(call, signal));
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (response) => {
        release();
        callback(null, response);
      },
      (err: unknown) => {
        release();
        const failure = grpcFailureForError(err);
        if (failure.masked) logger.error({ err, method }, 'gRPC handler failed');
        callback({ code: failure.code, details: failure.details });
      },
    );
  };
}

/**
 * The handler's context of a server call: its signal, the caller's address and, over mutual TLS,
 * its verified node id. Throws UNAUTHENTICATED for a TLS caller whose certificate names no node.
 */
export function callContext(call: AuthenticatedCall, signal: AbortSignal): ServerCallContext {
  const callerId = callerIdOf(call);
  const context: ServerCallContext = { signal, peer: call.getPeer() };
  if (callerId !== undefined) context.callerId = callerId;
  return context;
}

/**
 * The caller's verified id for a stream handler, read once when the stream opens (so frames on a
 * long-lived stream cost nothing more). `{ callerId: undefined }` over plaintext; undefined when the
 * caller is refused: the stream has then been ended with UNAUTHENTICATED.
 */
export function streamCaller(call: AuthenticatedCall & { emit(event: 'error', err: unknown): unknown }): { callerId: string | undefined } | undefined {
  try {
    return { callerId: callerIdOf(call) };
  } catch (err) {
    const failure = grpcFailureForError(err);
    call.emit('error', { code: failure.code, details: failure.details });
    return undefined;
  }
}

/** What {@link serverCallSignal} uses of a grpc-js server call (unary or stream). */
export interface CancellableCall {
  getDeadline(): Date | number;
  once(event: 'cancelled', listener: () => void): unknown;
  off(event: 'cancelled', listener: () => void): unknown;
}

/** A signal tied to one server call, and how to stop watching the call once it is over. */
export interface ServerCallSignal {
  readonly signal: AbortSignal;
  /** Stops the deadline timer and the cancellation listener. Idempotent. */
  release(): void;
}

/**
 * A signal that aborts when the caller cancels `call` (reason AbortError) or its deadline passes
 * (DeadlineExceededError); the handlers of unary calls and of streams share it. A stream with no
 * deadline has no timer.
 */
export function serverCallSignal(call: CancellableCall, method: string): ServerCallSignal {
  const controller = new AbortController();
  const deadline = deadlineEpochMs(call.getDeadline());
  const onDeadline = (): void => {
    controller.abort(new DeadlineExceededError(`deadline of ${method} exceeded`));
  };
  // grpc-js reports a passed deadline as a cancellation; tell the two apart by the clock.
  const onCancelled = (): void => {
    if (Date.now() >= deadline) onDeadline();
    else controller.abort(new AbortError(`${method} cancelled by the caller`));
  };
  call.once('cancelled', onCancelled);
  const timer = Number.isFinite(deadline)
    ? setTimeout(onDeadline, Math.max(0, deadline - Date.now())).unref()
    : undefined;
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      call.off('cancelled', onCancelled);
    },
  };
}

function deadlineEpochMs(deadline: Date | number): number {
  return deadline instanceof Date ? deadline.getTime() : deadline;
}
