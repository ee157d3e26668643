/** The in-memory network's settings, handles and counters (memory-network.ts). */
import type { PeerHandler, PeerMethod, PeerTransport } from '../peer-messages.ts';
import { PEER_METHODS } from '../peer-codec.ts';
import type { Clock, Random } from '@peerweave/core';

/** One-way delay of a message when none is set: delivered on the next microtask, no clock time. */
export const DEFAULT_MEMORY_LATENCY_MS = 0;

/** One-way delay in clock milliseconds: fixed, or per direction (`from` sends to `to`). */
export type MemoryLatency = number | ((from: string, to: string) => number);

export interface MemoryNetworkInit {
  /** Drives delivery, latency and deadlines; a ManualClock makes every run replay exactly. */
  clock: Clock;
  /** Decides loss and duplication; a SeededRandom makes them replay. */
  random: Random;
  /** Deadline of a call that names none (default DEFAULT_DEADLINE_MS, as over gRPC). */
  defaultDeadlineMs?: number;
  /**
   * One-way delay of every message (default DEFAULT_MEMORY_LATENCY_MS). 0 delivers on the next
   * microtask without the clock moving; a small delay such as 1 ms makes hops cost clock time,
   * so lookup latency in hops can be read off the clock.
   */
  latencyMs?: MemoryLatency;
  /**
   * Checks every request and response as the wire would (peer-codec, content-codec,
   * search-codec): an invalid request rejects at the caller with INVALID_ARGUMENT, an invalid
   * response reaches it as INTERNAL. Costs a wire encoding per message; off by default, on in tests
   * of code that builds messages.
   */
  validateMessages?: boolean;
  /**
   * Sends every request and response through its method's codec both ways (encode, then decode),
   * as the gRPC transport does but for protobuf's byte layout: the receiver gets new objects
   * holding only protocol fields, never the sender's, and invalid messages fail as with
   * `validateMessages` (which this implies). Costs an encode and a decode per message (about 2 µs
   * for a FindNode answer, 7 µs for a ping carrying a few updates); the simulator runs with it.
   * Block streams are only validated.
   */
  codec?: boolean;
}

/**
 * What a node on the network serves: any subset of the peer methods, e.g. a routing node's
 * RoutingHandler alone or a whole PeerHandler. A method it lacks is answered with
 * METHOD_NOT_ALLOWED, as gRPC answers a service the server does not carry with UNIMPLEMENTED.
 */
export type MemoryHandler = Partial<PeerHandler>;

/** Options of {@link MemoryNetwork.listen}. */
export interface MemoryListenOptions {
  /** The node id the node's connections prove (its `callerId` at callees); none: plaintext. */
  id?: string;
}

/** A node on the network, made by {@link MemoryNetwork.listen}. */
export interface MemoryListener {
  readonly address: string;
  /** Calls made through it come from `address`: partitions, pauses and kills apply to them. */
  readonly transport: PeerTransport;
  /** Leaves the network: same as {@link MemoryNetwork.kill} of `address`. */
  close(): void;
}

export interface MessageCounts {
  /** Messages put on the network (requests and responses; a duplicate counts twice). */
  sent: number;
  /** Messages that reached a running node. */
  delivered: number;
  /** Messages lost, cut by a partition, addressed to no one, or outlived by their call. */
  dropped: number;
}

/** The block streams as counted in stats: one message per want, frame, put and ack. */
export const BLOCK_STREAM_METHODS = ['getBlocks', 'putBlocks'] as const;
export type BlockStreamMethod = (typeof BLOCK_STREAM_METHODS)[number];

/** What the network counts messages of: every peer method and the block streams. */
export type CountedMethod = PeerMethod | BlockStreamMethod;
export const COUNTED_METHODS: readonly CountedMethod[] = [...PEER_METHODS, ...BLOCK_STREAM_METHODS];

export interface MemoryNetworkStats {
  readonly total: MessageCounts;
  readonly byMethod: Readonly<Record<CountedMethod, MessageCounts>>;
}

export interface NodeMessageCounts {
  /** Requests and responses this node sent. */
  sent: number;
  /** Requests and responses delivered to this node. */
  received: number;
}

export function emptyCounts(): Record<CountedMethod, MessageCounts> {
  const counts = {} as Record<CountedMethod, MessageCounts>;
  for (const method of COUNTED_METHODS) counts[method] = { sent: 0, delivered: 0, dropped: 0 };
  return counts;
}
