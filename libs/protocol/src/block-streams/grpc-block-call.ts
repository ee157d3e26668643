import { Metadata, type ClientDuplexStream, type StatusObject } from '@grpc/grpc-js';
import { toAbortError, type PeerweaveError } from '@peerweave/core';
import type { ClientChannel } from '../transport/client-channel.ts';

/** What one block stream (GetBlocks or PutBlocks) tells its owner. */
export interface BlockCallEvents<Res> {
  data(message: Res): void;
  drain?(): void;
  /** The stream is over: its status arrived and every message before it was read. Once. */
  ended(status: StatusObject): void;
  /** The caller's signal or the channel's closed signal aborted (its typed error). */
  aborted(reason: PeerweaveError): void;
}

/** An open block stream: the call, its status once it arrived, and `detach()` to stop listening to the signals. */
export interface BlockCall<Req, Res> {
  readonly call: ClientDuplexStream<Req, Res>;
  /** The stream's status, once it arrived (the stream is ending). */
  readonly status: StatusObject | undefined;
  detach(): void;
}

/**
 * Opens a long-lived bidi block stream (no call deadline: each block has its own) and wires what
 * the reader and the writer share: abort on `signal` or when the channel closes, and one `ended`
 * when both the status and the end of the messages have arrived. When a signal had already
 * aborted, nothing is opened: `aborted` is called at once and the result is undefined.
 */
export function openBlockCall<Req, Res>(
  channel: ClientChannel,
  method: { readonly path: string; requestSerialize(value: Req): Buffer; responseDeserialize(bytes: Buffer): Res },
  signal: AbortSignal | undefined,
  events: BlockCallEvents<Res>,
): BlockCall<Req, Res> | undefined {
  const signals = signal === undefined ? [channel.closed] : [signal, channel.closed];
  const already = signals.find((s) => s.aborted);
  if (already !== undefined) {
    events.aborted(toAbortError(already));
    return undefined;
  }
  const call = channel.client.makeBidiStreamRequest<Req, Res>(method.path, method.requestSerialize, method.responseDeserialize, new Metadata(), {});
  let status: StatusObject | undefined;
  let ended = false;
  const maybeEnd = (): void => {
    if (status !== undefined && ended) events.ended(status);
  };
  const onAbort = (): void => {
    const aborted = signals.find((s) => s.aborted);
    if (aborted !== undefined) events.aborted(toAbortError(aborted));
  };
  call.on('data', (message: Res) => events.data(message));
  if (events.drain) call.on('drain', () => events.drain!());
  // Every failure also arrives as 'status', handled once the messages before it were read.
  call.on('error', () => {});
  call.on('status', (s: StatusObject) => {
    status = s;
    maybeEnd();
  });
  call.on('end', () => {
    ended = true;
    maybeEnd();
  });
  for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
  return {
    call,
    get status() {
      return status;
    },
    detach: () => {
      for (const s of signals) s.removeEventListener('abort', onAbort);
    },
  };
}
