import type { ChannelOptions } from '@grpc/grpc-js';

/** Largest message either end sends or accepts (the `grpcMaxMessageBytes` default). */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/**
 * Interval of keepalive pings (the `grpcKeepaliveMs` default of the lan preset). grpc-js pings on
 * this timer whether calls flow or not; SWIM's probes already test every connection to a member
 * each round and replace one that fails while the member answers through a helper (Swim,
 * `resetIfIdle`), so these pings only cover connections no probe uses and keep NAT state: 120 s is
 * under the 240–350 s idle timeouts of common cloud NATs and load balancers. Measured against 30 s
 * (two 22-container clusters side by side, 2026-12-07): 7–11 % less idle CPU per node.
 */
export const DEFAULT_KEEPALIVE_MS = 120_000;
/** Deadline of a call whose caller gave none (the `rpcDeadlineMs` default of the lan preset). */
export const DEFAULT_DEADLINE_MS = 5_000;
/**
 * Upper bound on how long a ping may go unanswered before the connection counts as dead. An answer
 * takes well under a second even on a busy node; a dead peer is found within keepalive + this.
 */
export const MAX_KEEPALIVE_TIMEOUT_MS = 20_000;
/**
 * Shortest ping interval the server tolerates from a peer. Every preset pings at most every 10 s;
 * tolerating half of that means no peer on another preset is ever sent ENHANCE_YOUR_CALM by an
 * implementation that enforces the policy (grpc-js itself does not).
 */
export const PEER_PING_INTERVAL_FLOOR_MS = 5_000;
/**
 * How much less often the server side of a connection pings than the client side. Each peer
 * connection's client already pings every `keepaliveMs`, and the server's answer to that ping is
 * traffic both ways: that is what finds a half-open connection to a peer that vanished, and what
 * keeps conntrack and NAT state alive. A server's own pings only reclaim the streams of a client
 * that vanished (its PingStream and Calls stay open for as long as the connection does), which can
 * wait. Both ends pinging every 30 s was measured at 13–21 % of an idle node's CPU (22-container
 * cluster, a 600 s keepalive against 30 s, same 120 s windows, 2026-12-07): every node holds a
 * connection to and from each peer it probes, so ~84 pings and their answers per 30 s.
 */
export const SERVER_KEEPALIVE_MULTIPLIER = 10;
/**
 * Longest interval of the server side's pings (unless the client side's own is longer): a caller
 * that vanished has its streams reclaimed within 5 min + the ping timeout, as when the lan keepalive
 * was 30 s. Costs ~21 pings per node per 5 min in the 22-container cluster.
 */
export const MAX_SERVER_KEEPALIVE_MS = 300_000;

/** The server side's keepalive interval for a client-side `keepaliveMs`: ten times it, capped at MAX_SERVER_KEEPALIVE_MS, never below it. */
export function serverKeepaliveMs(keepaliveMs: number): number {
  return Math.max(keepaliveMs, Math.min(keepaliveMs * SERVER_KEEPALIVE_MULTIPLIER, MAX_SERVER_KEEPALIVE_MS));
}
/**
 * HTTP/2 flow-control window a receiving end announces, for the connection and each stream: a
 * client through `grpc-node.flow_control_window`, a GrpcServer through server-flow-control.ts
 * (grpc-js ignores the option on the server side). The 64 KiB default leaves both ends idle much
 * of a block transfer (docs/PERFORMANCE.md); 16 MiB covers a whole window of 256 KiB blocks in
 * flight. It is also what one stream may make its receiver buffer beyond what it reads.
 */
export const FLOW_CONTROL_WINDOW_BYTES = 16 * 1024 * 1024;

export interface ConnectionTuning {
  maxMessageBytes: number;
  keepaliveMs: number;
}

/** Options shared by both ends: message limits, keepalive every `keepaliveMs`, channelz off, a large flow-control window. */
function commonOptions(maxMessageBytes: number, keepaliveMs: number): ChannelOptions {
  return {
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
    'grpc.keepalive_time_ms': keepaliveMs,
    'grpc.keepalive_timeout_ms': Math.min(keepaliveMs, MAX_KEEPALIVE_TIMEOUT_MS),
    // Peers keep idle connections open for the next lookup; keep checking them while idle.
    'grpc.keepalive_permit_without_calls': 1,
    // On by default in grpc-js and costs 25-40 % of unary latency (docs/PERFORMANCE.md).
    'grpc.enable_channelz': 0,
    'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES,
  };
}

/**
 * Every option of a GrpcServer, set explicitly rather than left to grpc-js defaults. Its own
 * keepalive pings go out as {@link serverKeepaliveMs} says: less often than a client's.
 */
export function serverOptions(tuning: ConnectionTuning): ChannelOptions {
  return {
    ...commonOptions(tuning.maxMessageBytes, serverKeepaliveMs(tuning.keepaliveMs)),
    'grpc.http2.min_ping_interval_without_data_ms': Math.min(tuning.keepaliveMs, PEER_PING_INTERVAL_FLOOR_MS),
  };
}

/** Every option of a client channel, set explicitly rather than left to grpc-js defaults. */
export function channelOptions(tuning: ConnectionTuning): ChannelOptions {
  return commonOptions(tuning.maxMessageBytes, tuning.keepaliveMs);
}
