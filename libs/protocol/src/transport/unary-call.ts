import { Metadata } from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { toAbortError } from '@peerweave/core';
import { assertDeadlineMs, type ClientChannel } from './client-channel.ts';
import { errorForGrpcStatus } from './status-mapping.ts';

/** Options of every client call. */
export interface CallOptions {
  /**
   * Cancels the call; it then rejects with the signal's typed reason: ABORTED, or
   * DEADLINE_EXCEEDED when the signal comes from `withDeadline`.
   */
  signal?: AbortSignal;
  /** Deadline of this call, sent to the server too; defaults to the client's defaultDeadlineMs. */
  deadlineMs?: number;
}

/**
 * One unary call with the plumbing every service client shares: a deadline always (sent to the
 * server, which aborts its handler's signal when it passes), the caller's signal and the channel's
 * close cancelling the call, and failures turned into PeerweaveError through the status mapping.
 */
export function unaryCall<Req, Res, ReqOut, ResOut>(
  channel: ClientChannel,
  method: MethodDefinition<Req, Res, ReqOut, ResOut>,
  request: Req,
  options: CallOptions = {},
): Promise<ResOut> {
  const deadlineMs = options.deadlineMs ?? channel.defaultDeadlineMs;
  const signals = options.signal === undefined ? [channel.closed] : [options.signal, channel.closed];
  const abortedSignal = (): AbortSignal | undefined => signals.find((s) => s.aborted);
  try {
    assertDeadlineMs(deadlineMs);
  } catch (err) {
    return Promise.reject(err);
  }
  const early = abortedSignal();
  if (early !== undefined) return Promise.reject(toAbortError(early));
  return new Promise<ResOut>((resolve, reject) => {
    const call = channel.client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      new Metadata(),
      { deadline: Date.now() + deadlineMs },
      (err, response) => {
        for (const s of signals) s.removeEventListener('abort', onAbort);
        if (err === null) {
          resolve(response as ResOut);
          return;
        }
        const aborted = abortedSignal();
        reject(aborted === undefined ? errorForGrpcStatus(err, err) : toAbortError(aborted));
      },
    );
    const onAbort = (): void => call.cancel();
    for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
  });
}
