import type { ServerOptions } from 'node:http';

/**
 * Default of `PEERWEAVE_HTTP_HEADERS_TIMEOUT_MS`: a client has this long from its first byte to the
 * end of its request headers, however it trickles them (Node answers 408 and closes). The guard
 * against slow-loris: without it a client holding a connection with one header byte a second
 * keeps it for ever. Any real client sends its headers in one round trip; 15 s leaves room for a
 * very slow link. Node's own default is 60 s.
 */
export const DEFAULT_HEADERS_TIMEOUT_MS = 15_000;

/**
 * Default of `PEERWEAVE_HTTP_IDLE_TIMEOUT_MS`: a connection in the middle of a request or response
 * on which nothing moved either way for this long is closed. Progress resets it, so an upload or
 * download of any length survives as long as bytes keep flowing (a 1 GiB put at 9 MB/s takes two
 * minutes and is never cut); a client that stops sending its body, or stops reading a response,
 * loses the connection. Longer than the longest server-side wait (a search's 30 s deadline).
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/**
 * Default of `PEERWEAVE_HTTP_REQUEST_TIMEOUT_MS`: 0, no limit on the total time to receive a
 * request. A total limit would cut long uploads that are progressing (Node's own default of 5 min
 * cuts a 4 GiB put at 10 MB/s); the headers and idle timeouts bound slow clients instead.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 0;

/**
 * Default of `PEERWEAVE_HTTP_KEEPALIVE_TIMEOUT_MS`: an idle keep-alive connection between requests
 * is closed after this long. Fastify's default, above the 60 s idle timeout of common load
 * balancers so that they, not the node, close first (a node closing first races their reuse).
 */
export const DEFAULT_KEEPALIVE_TIMEOUT_MS = 72_000;

export interface HttpTimeouts {
  /** Default {@link DEFAULT_HEADERS_TIMEOUT_MS}. */
  headersMs?: number;
  /** 0 turns it off. Default {@link DEFAULT_IDLE_TIMEOUT_MS}. */
  idleMs?: number;
  /** 0 turns it off. Default {@link DEFAULT_REQUEST_TIMEOUT_MS}. */
  requestMs?: number;
  /** Default {@link DEFAULT_KEEPALIVE_TIMEOUT_MS}. */
  keepAliveMs?: number;
}

/**
 * The Fastify and Node server options for the timeouts. Node checks the headers and request
 * timeouts on a timer (`connectionsCheckingInterval`, 30 s by default, which would let a
 * 15 s timeout run to 45 s): it runs here at a quarter of the headers timeout, at most every second.
 */
export interface ServerTimeoutOptions {
  connectionTimeout: number;
  keepAliveTimeout: number;
  requestTimeout: number;
  http: ServerOptions;
}

export function serverTimeoutOptions(t: HttpTimeouts = {}): ServerTimeoutOptions {
  const headersMs = t.headersMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestMs = t.requestMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    // Fastify's connectionTimeout is the socket's inactivity timeout (server.setTimeout).
    connectionTimeout: t.idleMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    keepAliveTimeout: t.keepAliveMs ?? DEFAULT_KEEPALIVE_TIMEOUT_MS,
    requestTimeout: requestMs,
    http: {
      headersTimeout: headersMs,
      requestTimeout: requestMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersMs / 4))),
    },
  };
}
