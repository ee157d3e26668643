import { Client, connectivityState as ConnectivityState } from '@grpc/grpc-js';
import { AbortError, InvalidArgumentError } from '@peerweave/core';
import { createCredentials, TLS_SERVER_NAME, type ProtocolCredentials } from './credentials.ts';
import {
  DEFAULT_DEADLINE_MS,
  DEFAULT_KEEPALIVE_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  channelOptions,
} from './grpc-options.ts';

/** Settings of a client of the peer protocol; each defaults to its DEFAULT_* constant. */
export interface ClientInit {
  /** Largest message sent or accepted (NodeConfig.grpcMaxMessageBytes). */
  maxMessageBytes?: number;
  /** Interval of keepalive pings on an idle connection (NodeConfig.grpcKeepaliveMs). */
  keepaliveMs?: number;
  /** Deadline of a call that names none (NodeConfig.rpcDeadlineMs). */
  defaultDeadlineMs?: number;
  /** Defaults to {@link createCredentials}(). */
  credentials?: ProtocolCredentials;
}

/**
 * The connection side every service client is built on: a grpc-js client for one `host:port` with
 * every channel option set explicitly, the default deadline of its calls, and a `closed` signal
 * that cancels whatever is in flight when the client is closed. grpc-js shares one connection among
 * channels of the same address and options, so one per peer per service costs no extra socket.
 */
export class ClientChannel {
  readonly client: Client;
  readonly defaultDeadlineMs: number;
  readonly #closed = new AbortController();
  #verifiedId: string | undefined;

  constructor(address: string, init: ClientInit = {}) {
    this.defaultDeadlineMs = init.defaultDeadlineMs ?? DEFAULT_DEADLINE_MS;
    assertDeadlineMs(this.defaultDeadlineMs, 'defaultDeadlineMs');
    const options = channelOptions({
      maxMessageBytes: init.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      keepaliveMs: init.keepaliveMs ?? DEFAULT_KEEPALIVE_MS,
    });
    const protocolCredentials = init.credentials ?? createCredentials();
    if (protocolCredentials.secure) options['grpc.ssl_target_name_override'] = TLS_SERVER_NAME;
    const channelCredentials = protocolCredentials.channelFor((id) => {
      this.#verifiedId = id;
    });
    this.client = new Client(address, channelCredentials, options);
  }

  /**
   * Over mutual TLS, the node id the server proved in the latest handshake of this channel (its
   * certificate chains to the cluster CA and its key hashes to this id); undefined before the first
   * handshake and over plaintext. A reconnection to an address now held by another node changes it.
   */
  get verifiedId(): string | undefined {
    return this.#verifiedId;
  }

  /** True while the channel has a connection up (READY): {@link verifiedId} is then its peer's. */
  get connected(): boolean {
    return this.client.getChannel().getConnectivityState(false) === ConnectivityState.READY;
  }

  /** Aborts (reason AbortError) when {@link close} is called. */
  get closed(): AbortSignal {
    return this.#closed.signal;
  }

  /**
   * Calls `listener` each time the channel's connection, once READY, leaves READY while the channel
   * is open: the peer closed the socket (a crashed process's kernel does), a GOAWAY, or keepalive
   * found it dead. grpc-js then goes IDLE and reconnects on the next call. Not called for
   * {@link close}, nor for a channel that never connected.
   */
  onConnectionLost(listener: () => void): void {
    const channel = this.client.getChannel();
    const watch = (from: ConnectivityState): void => {
      if (this.#closed.signal.aborted) return;
      try {
        channel.watchConnectivityState(from, Infinity, () => {
          if (this.#closed.signal.aborted) return;
          const now = channel.getConnectivityState(false);
          if (from === ConnectivityState.READY && now !== ConnectivityState.READY) listener();
          watch(now);
        });
      } catch {
        // Shut down meanwhile: nothing left to watch.
      }
    };
    watch(channel.getConnectivityState(false));
  }

  /** Cancels the calls in flight (they reject with ABORTED) and releases the channel. Idempotent. */
  close(): void {
    if (!this.#closed.signal.aborted) this.#closed.abort(new AbortError('client closed'));
    this.client.close();
  }
}

export function assertDeadlineMs(deadlineMs: number, name = 'deadlineMs'): void {
  if (!(Number.isFinite(deadlineMs) && deadlineMs > 0)) {
    throw new InvalidArgumentError(`${name} must be a positive number of milliseconds, got ${deadlineMs}`);
  }
}
