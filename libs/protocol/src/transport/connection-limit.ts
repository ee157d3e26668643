/**
 * Connections per peer on a GrpcServer: grpc-js has no option for it (its options bound streams
 * per connection, `grpc.max_concurrent_streams`, connection age and idleness, never connections per
 * remote), so the server counts its open TCP connections per remote IP address and closes a new
 * one beyond the limit at once, before the TLS handshake costs anything.
 *
 * Per remote IP rather than per verified node id: the id is only known after the handshake, and
 * the cost to bound (sockets, handshakes, HTTP/2 sessions) is spent before it. A node needs one
 * connection to each peer (grpc-js shares it among the node's channels to that address), a CLI or
 * an operator's grpcurl a few more; peers behind one NAT address share the limit, so it is
 * generous. Like server-flow-control.ts this reaches the HTTP/2 servers inside the grpc-js Server
 * (no public API); if a grpc-js upgrade renames them, the limit is off and the server warns.
 */
import type { Socket } from 'node:net';
import type { Server } from '@grpc/grpc-js';

/** Open connections counted per key (a remote address); pure, for the server and its spec. */
export class ConnectionCounter {
  readonly #max: number;
  readonly #open = new Map<string, number>();

  /** `max` connections per key; 0 means no limit. */
  constructor(max: number) {
    if (!(Number.isSafeInteger(max) && max >= 0)) throw new RangeError(`max must be a non-negative integer, got ${max}`);
    this.#max = max;
  }

  /** Counts a new connection from `key`; false (and not counted) when it would exceed the limit. */
  open(key: string): boolean {
    const n = this.#open.get(key) ?? 0;
    if (this.#max > 0 && n >= this.#max) return false;
    this.#open.set(key, n + 1);
    return true;
  }

  /** A counted connection from `key` closed. */
  close(key: string): void {
    const n = this.#open.get(key) ?? 0;
    if (n <= 1) this.#open.delete(key);
    else this.#open.set(key, n - 1);
  }

  /** Connections open from `key`. */
  count(key: string): number {
    return this.#open.get(key) ?? 0;
  }
}

interface ServerInternals {
  http2Servers?: Map<{ prependListener(event: 'connection', listener: (socket: Socket) => void): unknown }, unknown>;
}

/**
 * After `bindAsync`: closes each new connection to `server` from a remote address that already
 * has `max` open (0: no limit), calling `onRefused` with the address. Returns false when the
 * grpc-js internals are not as expected (no limit applies).
 */
export function limitConnectionsPerPeer(server: Server, max: number, onRefused: (remote: string) => void = () => {}): boolean {
  const servers = (server as unknown as ServerInternals).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) return false;
  if (max === 0) return true;
  const counter = new ConnectionCounter(max);
  for (const http2Server of servers.keys()) {
    http2Server.prependListener('connection', (socket: Socket) => {
      const remote = socket.remoteAddress ?? 'unknown';
      if (!counter.open(remote)) {
        socket.destroy();
        onRefused(remote);
        return;
      }
      socket.once('close', () => counter.close(remote));
    });
  }
  return true;
}
