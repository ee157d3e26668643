/**
 * Makes a grpc-js server announce a large HTTP/2 flow-control window, as its clients do.
 *
 * grpc-js 1.14 reads `grpc-node.flow_control_window` only when it dials (transport.ts: the SETTINGS
 * of the session, then `setLocalWindowSize` for the connection). Its Server creates its HTTP/2
 * servers with Node's defaults: a 64 KiB window per stream and 64 KiB for the connection, so every
 * upload to a server (PutBlock, PutBlocks, a client stream) stalls on WINDOW_UPDATE round trips
 * (docs/PERFORMANCE.md). Upstream has an open change for it (grpc/grpc-node#3058) that does what
 * this file does; drop this file once a release has it.
 *
 * Neither step has public API in grpc-js, so both reach into the Server's internals (the same
 * fields that change uses): the options it creates its HTTP/2 servers with, for the stream window
 * in every session's SETTINGS; and the HTTP/2 servers it listens with, to raise each new session's
 * connection window. If a grpc-js upgrade renames them, nothing breaks but the window: the server
 * logs a warning and server-flow-control.spec.ts fails.
 */
import type { Http2Server, Http2Session, Settings } from 'node:http2';
import type { Server } from '@grpc/grpc-js';

/** The grpc-js 1.14 Server fields used here (private in its typings). */
interface ServerInternals {
  commonServerOptions?: { settings?: Settings };
  http2Servers?: Map<Http2Server, { sessions?: Set<Http2Session> }>;
}

/**
 * Before `bindAsync`: the stream window every session of `server` announces in its SETTINGS.
 * Returns false when the grpc-js internals are not as expected (the window stays at 64 KiB).
 */
export function announceStreamWindow(server: Server, windowBytes: number): boolean {
  const options = (server as unknown as ServerInternals).commonServerOptions;
  if (options === null || typeof options !== 'object') return false;
  options.settings = { ...options.settings, initialWindowSize: windowBytes };
  return true;
}

/**
 * After `bindAsync`: raises the connection window of every session of `server`, those open now
 * and each new one as it starts (before it reads a request). Returns false when the grpc-js
 * internals are not as expected.
 */
export function raiseConnectionWindows(server: Server, windowBytes: number): boolean {
  const servers = (server as unknown as ServerInternals).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) return false;
  const raise = (session: Http2Session): void => {
    // A session closed before it started has no window to raise.
    if (!session.destroyed && !session.closed) session.setLocalWindowSize(windowBytes);
  };
  for (const [http2Server, info] of servers) {
    http2Server.prependListener('session', raise);
    for (const session of info.sessions ?? []) raise(session);
  }
  return true;
}
