import { ServerInterceptingCall, type ServerInterceptor, type status as Status } from '@grpc/grpc-js';

/**
 * Every call a GrpcServer is running (ours, health watches, reflection streams), so that a forced
 * stop can end them. Needed because grpc-js 1.14 `forceShutdown()` only destroys the HTTP/2
 * sessions it tracks for channelz: with `grpc.enable_channelz: 0` it tracks none, leaving open
 * connections and their calls running until the clients' deadlines. Ending every call lets each
 * session's graceful close (started by tryShutdown) complete.
 */
export class InFlightCalls {
  readonly #calls = new Set<ServerInterceptingCall>();

  /** Number of calls running now. */
  get size(): number {
    return this.#calls.size;
  }

  /** The server interceptor that registers each call until it ends or is cancelled. */
  readonly interceptor: ServerInterceptor = (_method, next) => {
    const call: ServerInterceptingCall = new ServerInterceptingCall(next, {
      start: (startNext) => startNext({ onCancel: () => this.#calls.delete(call) }),
      sendStatus: (status, statusNext) => {
        this.#calls.delete(call);
        statusNext(status);
      },
    });
    this.#calls.add(call);
    return call;
  };

  /** Ends every running call with `code`; their handlers then see a cancellation. */
  endAll(code: Status, details: string): void {
    for (const call of [...this.#calls]) call.sendStatus({ code, details });
    this.#calls.clear();
  }
}
