/**
 * The peer protocol (routing, content and search) in one process: many nodes, one
 * {@link MemoryNetwork}, no sockets. Time is the injected Clock and chance the injected Random, so
 * a ManualClock with a SeededRandom replays a scenario exactly, faults included.
 *
 * Built to be cheap at simulator scale (10 000 nodes, a few messages per node per tick): messages
 * travel by reference (never cloned: receivers must not mutate them); in-flight messages are kept
 * in one queue per due time with a single clock timer each, so a ManualClock holds a handful of
 * timers whatever the traffic, and a call's deadline is a slot in such a queue that is emptied when
 * the call ends; a handler's signal is only created if the handler reads it.
 *
 * The block streams (`openBlockReader`, `openBlockWriter`) ride on the same machinery: each want or
 * put is a call of `getBlocks` / `putBlocks` with its own deadline, served by the callee's
 * `readBlock`, or queued for its `writeBlocks` with the puts that arrived with it (one group commit);
 * memory-block-streams.ts orders the answers. A stream is one connection: its messages are never
 * duplicated, and a partition or a kill on its path closes it with UNAVAILABLE instead of leaving
 * its items to their deadlines.
 */
import {
  AbortError,
  DeadlineExceededError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  PeerweaveError,
  toAbortError,
  UnavailableError,
  type Clock,
  type Random,
} from '@peerweave/core';
import { checkErrorCode } from '../block-streams/block-frame.ts';
import { MAX_PUT_BATCH_BLOCKS, MAX_PUT_BATCH_BYTES } from '../block-streams/block-stream-limits.ts';
import type { BlockPut, BlockPutAck, BlockReader, BlockStreamHandler, BlockWriter } from '../block-streams/block-stream-messages.ts';
import { encodeAck } from '../block-streams/block-stream-methods.ts';
import { assertDeadlineMs } from '../transport/client-channel.ts';
import { MAX_BLOCK_BYTES } from '../content/content-codec.ts';
import { DEFAULT_DEADLINE_MS } from '../transport/grpc-options.ts';
import { BlockErrorAnswer, MemoryBlockReader, MemoryBlockWriter, type MemoryStreamLink } from './memory-block-streams.ts';
import { assertValidPeerRequest, assertValidPeerResponse, isPeerMethod, PEER_METHODS } from '../peer-codec.ts';
import type { PeerCallContext, PeerCallOptions } from '../service-types.ts';
import type { PeerHandler, PeerMethod, PeerRequest, PeerResponse, PeerTransport } from '../peer-messages.ts';
import { errorForGrpcStatus, grpcFailureForError, INTERNAL_ERROR_MESSAGE } from '../transport/status-mapping.ts';

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
}

/**
 * What a node on the network serves: any subset of the peer methods, e.g. a routing node's
 * RoutingHandler alone or a whole PeerHandler. A method it lacks is answered with
 * METHOD_NOT_ALLOWED, as gRPC answers a service the server does not carry with UNIMPLEMENTED.
 */
export type MemoryHandler = Partial<PeerHandler>;

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
const COUNTED_METHODS: readonly CountedMethod[] = [...PEER_METHODS, ...BLOCK_STREAM_METHODS];

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

// What a queued message is. A held message also records its direction (IN: waiting to be received
// by a paused node; OUT: waiting to be sent by one).
const REQUEST = 0; // a request arriving at call.to
const REPLY = 1; // a response arriving at the caller
const FAILURE = 2; // an error response arriving at the caller
const RESET = 3; // no one at call.to (or it went away): the connection fails, not a message
const DEADLINE = 4; // the call's deadline
type Kind = typeof REQUEST | typeof REPLY | typeof FAILURE | typeof RESET | typeof DEADLINE;

type AnyHandler = (request: unknown, context: PeerCallContext) => Promise<unknown>;

/** A block stream's state shared by both ends (made by openBlockReader / openBlockWriter). */
class StreamLink implements MemoryStreamLink {
  readonly from: MemoryNode;
  readonly to: string;
  readonly method: BlockStreamMethod;
  readonly validate: boolean;
  readonly defaultDeadlineMs: number;
  /** Its wants or puts not settled yet (each removes itself when it settles). */
  readonly inFlight = new Set<Call>();
  /** Why it closed; later items fail with it. */
  closedBy: PeerweaveError | undefined;
  /** The callee's side, from the first item it received. */
  served: ServedStream | undefined;
  /** Why later items fail at once (the callee went away while the stream was idle). */
  broken: PeerweaveError | undefined;
  #send: (link: StreamLink, item: unknown, deadlineMs: number) => Promise<unknown>;

  constructor(
    from: MemoryNode,
    to: string,
    method: BlockStreamMethod,
    options: { validate: boolean; defaultDeadlineMs: number; send: (link: StreamLink, item: unknown, deadlineMs: number) => Promise<unknown> },
  ) {
    this.from = from;
    this.to = to;
    this.method = method;
    this.validate = options.validate;
    this.defaultDeadlineMs = options.defaultDeadlineMs;
    this.#send = options.send;
  }

  send(item: string | BlockPut, deadlineMs: number): Promise<unknown> {
    return this.#send(this, item, deadlineMs);
  }

  close(reason: PeerweaveError): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = reason;
    for (const call of [...this.inFlight]) call.cancel(reason);
    this.served?.end(reason);
  }
}

/**
 * The callee's side of a block stream: the handler's context (its signal aborts when the stream
 * ends, the caller cancels it or the callee is killed) and the puts waiting for a group commit.
 */
class ServedStream implements PeerCallContext {
  readonly node: MemoryNode;
  readonly peer: string;
  readonly link: StreamLink;
  readonly puts: Call[] = [];
  committing = false;
  commitScheduled = false;
  ended = false;
  #controller: AbortController | undefined;
  #reason: unknown;

  constructor(node: MemoryNode, link: StreamLink) {
    this.node = node;
    this.peer = link.from.address;
    this.link = link;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  end(reason: PeerweaveError): void {
    if (this.ended) return;
    this.ended = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.node.served.delete(this);
    // Puts no commit will take: their callers have gone with the stream.
    for (const call of this.puts) {
      if (--call.serving === 0) this.node.inbound.delete(call);
    }
    this.puts.length = 0;
  }
}

/** Messages due at one instant, in order; a slot emptied (`undefined` call) is skipped. */
class Batch {
  readonly kinds: Kind[] = [];
  readonly calls: (Call | undefined)[] = [];
  readonly values: unknown[] = [];

  push(kind: Kind, call: Call, value: unknown): number {
    this.kinds.push(kind);
    this.values.push(value);
    return this.calls.push(call) - 1;
  }
}

interface Held {
  readonly outgoing: boolean;
  readonly kind: Kind;
  readonly call: Call;
  readonly value: unknown;
}

class MemoryNode {
  readonly address: string;
  readonly handler: MemoryHandler;
  running = true;
  transportClosed = false;
  paused = false;
  /** What arrived at or was sent by the node while paused, in order. */
  held: Held[] = [];
  /** Calls this node made that are not settled. */
  readonly outbound = new Set<Call>();
  /** Calls whose handler runs on this node. */
  readonly inbound = new Set<Call>();
  /** Block streams this node serves. */
  readonly served = new Set<ServedStream>();
  sent = 0;
  received = 0;

  constructor(address: string, handler: MemoryHandler) {
    this.address = address;
    this.handler = handler;
  }
}

/**
 * One request and its fate. It is also the handler's context (only `signal` and `peer` are the
 * handler's business) and the listener of the caller's signal, so a call costs no closures.
 */
class Call implements PeerCallContext {
  readonly from: MemoryNode;
  /** The caller's address (`from.address`), as the handler's context names it. */
  readonly peer: string;
  readonly to: string;
  readonly method: CountedMethod;
  readonly request: unknown;
  readonly deadlineAt: number;
  readonly callerSignal: AbortSignal | undefined;
  /** The block stream this want or put belongs to; undefined for a unary call. */
  readonly link: StreamLink | undefined;
  settled = false;
  /** Handler invocations running (2 when the request was duplicated). */
  serving = 0;
  deadlineBatch: Batch | undefined;
  deadlineSlot = -1;
  #resolve: ((value: unknown) => void) | undefined;
  #reject: ((reason: unknown) => void) | undefined;
  #controller: AbortController | undefined;
  #abortReason: unknown;

  constructor(
    from: MemoryNode,
    to: string,
    method: CountedMethod,
    request: unknown,
    deadlineAt: number,
    callerSignal: AbortSignal | undefined,
    link?: StreamLink,
  ) {
    this.from = from;
    this.peer = from.address;
    this.to = to;
    this.method = method;
    this.request = request;
    this.deadlineAt = deadlineAt;
    this.callerSignal = callerSignal;
    this.link = link;
  }

  result(): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** The handler's signal, made on first use: most handlers never look. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  /** True once the caller gave up (deadline or cancel): a request still travelling is pointless. */
  get cancelled(): boolean {
    return this.#abortReason !== undefined;
  }

  abortHandler(reason: PeerweaveError): void {
    if (this.#abortReason !== undefined) return;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
  }

  succeed(value: unknown): void {
    const resolve = this.#resolve;
    if (this.#end()) resolve?.(value);
  }

  fail(err: unknown): void {
    const reject = this.#reject;
    if (this.#end()) reject?.(err);
  }

  expire(): void {
    if (this.settled) return;
    this.deadlineBatch = undefined; // it is firing
    const err = new DeadlineExceededError(`deadline of ${this.method} to ${this.to} exceeded`);
    this.abortHandler(err);
    this.fail(err);
  }

  /** The caller gave up (its block stream closed): the handler's signal aborts, the call rejects. */
  cancel(reason: PeerweaveError): void {
    if (this.settled) return;
    this.abortHandler(new AbortError(`${this.method} cancelled by the caller`));
    this.fail(reason);
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    if (this.settled || this.callerSignal === undefined) return;
    this.abortHandler(new AbortError(`${this.method} cancelled by the caller`));
    this.fail(toAbortError(this.callerSignal));
  }

  #end(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.deadlineBatch !== undefined) this.deadlineBatch.calls[this.deadlineSlot] = undefined;
    this.deadlineBatch = undefined;
    this.callerSignal?.removeEventListener('abort', this);
    this.from.outbound.delete(this);
    this.link?.inFlight.delete(this);
    this.#resolve = undefined;
    this.#reject = undefined;
    return true;
  }
}

/**
 * An in-memory network of peers for tests and the simulator, with faults settable at run time:
 * loss, duplication, delay, partitions, pauses and kills. See the file comment for how it stays
 * cheap. Semantics follow the gRPC transport: every call has a deadline (DEADLINE_EXCEEDED, and
 * the handler's signal aborts); an address no one listens on gives UNAVAILABLE after the one-way
 * delay; a handler's error reaches the caller through the same status mapping as over gRPC.
 */
export class MemoryNetwork {
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #defaultDeadlineMs: number;
  readonly #validate: boolean;
  readonly #nodes = new Map<string, MemoryNode>();
  /** Messages due at a clock time, each with one timer. */
  readonly #batches = new Map<number, Batch>();
  /** Messages with no delay, drained on the next microtask. */
  #soon: Batch | undefined;
  #latency: MemoryLatency = DEFAULT_MEMORY_LATENCY_MS;
  #lossRate = 0;
  #duplicateRate = 0;
  #partitions: { readonly a: ReadonlySet<string>; readonly b: ReadonlySet<string> }[] = [];
  #counts = emptyCounts();

  constructor(init: MemoryNetworkInit) {
    this.#clock = init.clock;
    this.#random = init.random;
    this.#defaultDeadlineMs = init.defaultDeadlineMs ?? DEFAULT_DEADLINE_MS;
    assertDeadlineMs(this.#defaultDeadlineMs, 'defaultDeadlineMs');
    this.#validate = init.validateMessages ?? false;
    this.setDelay(init.latencyMs ?? DEFAULT_MEMORY_LATENCY_MS);
  }

  /**
   * Registers a node at `address` serving `handler`: the methods it has (a call to one it lacks
   * gets METHOD_NOT_ALLOWED). An address can be listened on again after its node was closed or
   * killed (a restart); not while it runs.
   */
  listen(address: string, handler: MemoryHandler): MemoryListener {
    if (typeof address !== 'string' || address === '') throw new InvalidArgumentError('address must be a non-empty string');
    if (handler === null || typeof handler !== 'object') throw new InvalidArgumentError('handler must be an object of peer methods');
    if (this.#nodes.has(address)) throw new PeerweaveError('ALREADY_EXISTS', `${address} is already listening`);
    const node = new MemoryNode(address, handler);
    this.#nodes.set(address, node);
    const transport: PeerTransport = {
      request: <M extends PeerMethod>(to: string, method: M, request: PeerRequest<M>, options?: PeerCallOptions) =>
        this.#request(node, to, method, request, options) as Promise<PeerResponse<M>>,
      openBlockReader: (to: string, options?: { signal?: AbortSignal }): BlockReader =>
        new MemoryBlockReader(this.#openStream(node, to, 'getBlocks'), options?.signal),
      openBlockWriter: (to: string, options?: { signal?: AbortSignal }): BlockWriter =>
        new MemoryBlockWriter(this.#openStream(node, to, 'putBlocks'), options?.signal),
      close: async () => this.#closeTransport(node),
    };
    return { address, transport, close: () => this.#stop(node) };
  }

  /** True while a node listens at `address` (paused or not). */
  isRunning(address: string): boolean {
    return this.#nodes.has(address);
  }

  /** Number of nodes listening. */
  get size(): number {
    return this.#nodes.size;
  }

  /** Calls made and not yet settled, over all nodes (walks every node: for tests). */
  get callsInFlight(): number {
    let n = 0;
    for (const node of this.#nodes.values()) n += node.outbound.size;
    return n;
  }

  // ----- faults ------------------------------------------------------------------------------------

  /** Drops each request and each response with probability `rate`: its caller meets its deadline. */
  setLoss(rate: number): void {
    this.#lossRate = checkRate(rate, 'loss rate');
  }

  /** Delivers each request twice with probability `rate`; the caller gets the first answer. */
  setDuplicate(rate: number): void {
    this.#duplicateRate = checkRate(rate, 'duplicate rate');
  }

  /** Sets the one-way delay of messages sent from now on. */
  setDelay(latency: MemoryLatency): void {
    if (typeof latency === 'number' && !(Number.isFinite(latency) && latency >= 0)) {
      throw new InvalidArgumentError(`latency must be a non-negative number of milliseconds, got ${latency}`);
    }
    if (typeof latency !== 'number' && typeof latency !== 'function') {
      throw new InvalidArgumentError('latency must be a number of milliseconds or a function (from, to) => ms');
    }
    this.#latency = latency;
  }

  /**
   * Cuts every message between a node of `groupA` and a node of `groupB`, in both directions,
   * including those already travelling. Partitions add up until {@link heal}.
   */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    this.#partitions.push({ a: new Set(groupA), b: new Set(groupB) });
  }

  /** Removes every partition. */
  heal(): void {
    this.#partitions = [];
  }

  /**
   * Freezes a node's networking: it receives nothing and sends nothing. Requests to it, answers to
   * its calls, and whatever it sends are held, in order, until {@link resume}; its handlers and
   * timers keep running. Deadlines keep running too.
   */
  pause(address: string): void {
    this.#node(address).paused = true;
  }

  /**
   * Releases what a paused node held: what it sent leaves now (with the usual delay); what was sent
   * to it is delivered now, except requests whose caller has given up (deadline or cancel).
   */
  resume(address: string): void {
    const node = this.#node(address);
    if (!node.paused) return;
    node.paused = false;
    const held = node.held;
    node.held = [];
    for (const h of held) {
      if (h.outgoing) this.#send(h.kind, h.call, h.value, node);
      else this.#arrive(h.kind, h.call, h.value);
    }
  }

  /**
   * Stops a node at once, as a crash would: it becomes unreachable (UNAVAILABLE), calls it was
   * serving fail with UNAVAILABLE at their callers (their handlers' signals abort), its own calls
   * reject with ABORTED. No-op when nothing listens at `address`.
   */
  kill(address: string): void {
    const node = this.#nodes.get(address);
    if (node !== undefined) this.#stop(node);
  }

  // ----- stats -------------------------------------------------------------------------------------

  /** A snapshot of the message counters since the start or the last {@link resetStats}. */
  stats(): MemoryNetworkStats {
    const total: MessageCounts = { sent: 0, delivered: 0, dropped: 0 };
    const byMethod = {} as Record<CountedMethod, MessageCounts>;
    for (const method of COUNTED_METHODS) {
      const c = this.#counts[method];
      byMethod[method] = { ...c };
      total.sent += c.sent;
      total.delivered += c.delivered;
      total.dropped += c.dropped;
    }
    return { total, byMethod };
  }

  /** What one running node sent and received since its start or the last {@link resetStats}. */
  nodeStats(address: string): NodeMessageCounts | undefined {
    const node = this.#nodes.get(address);
    return node === undefined ? undefined : { sent: node.sent, received: node.received };
  }

  /** Zeroes every counter (the network's and each node's). */
  resetStats(): void {
    this.#counts = emptyCounts();
    for (const node of this.#nodes.values()) {
      node.sent = 0;
      node.received = 0;
    }
  }

  // ----- calls -------------------------------------------------------------------------------------

  #request(from: MemoryNode, to: string, method: PeerMethod, request: unknown, options: PeerCallOptions = {}): Promise<unknown> {
    if (from.transportClosed) return Promise.reject(new AbortError('peer transport closed'));
    if (!isPeerMethod(method)) return Promise.reject(new InvalidArgumentError(`unknown peer method ${JSON.stringify(method)}`));
    const deadlineMs = options.deadlineMs ?? this.#defaultDeadlineMs;
    const signal = options.signal;
    try {
      assertDeadlineMs(deadlineMs);
      if (this.#validate) assertValidPeerRequest(method, request as PeerRequest<typeof method>);
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(toAbortError(signal));
    return this.#start(new Call(from, to, method, request, this.#clock.now() + deadlineMs, signal), deadlineMs);
  }

  /** Puts a new call on its way: its deadline in the queue, its request on the network. */
  #start(call: Call, deadlineMs: number): Promise<unknown> {
    const result = call.result();
    call.from.outbound.add(call);
    call.callerSignal?.addEventListener('abort', call);
    const batch = this.#batchIn(deadlineMs);
    call.deadlineBatch = batch;
    call.deadlineSlot = batch.push(DEADLINE, call, undefined);
    this.#send(REQUEST, call, undefined, call.from);
    return result;
  }

  // ----- block streams -----------------------------------------------------------------------------

  #openStream(from: MemoryNode, to: string, method: BlockStreamMethod): StreamLink {
    return new StreamLink(from, to, method, {
      validate: this.#validate,
      defaultDeadlineMs: this.#defaultDeadlineMs,
      send: this.#sendStreamItem,
    });
  }

  /** One want or put of `link`: a call that the stream's close cancels. */
  readonly #sendStreamItem = (link: StreamLink, item: unknown, deadlineMs: number): Promise<unknown> => {
    if (link.from.transportClosed) return Promise.reject(new AbortError('peer transport closed'));
    if (link.closedBy !== undefined) return Promise.reject(link.closedBy);
    if (link.broken !== undefined) return Promise.reject(link.broken);
    const call = new Call(link.from, link.to, link.method, item, this.#clock.now() + deadlineMs, undefined, link);
    link.inFlight.add(call);
    return this.#start(call, deadlineMs);
  };

  /** A want or put reached its callee (running, not paused). */
  #serveStreamItem(call: Call, node: MemoryNode): void {
    const link = call.link!;
    let served = link.served;
    if (served === undefined) {
      served = new ServedStream(node, link);
      link.served = served;
      node.served.add(served);
    } else if (served.node !== node) {
      // The callee restarted since the stream began: its connection is gone.
      this.#endServing(call, node);
      call.fail(new UnavailableError(`${call.to} restarted during ${call.method}`));
      return;
    }
    if (call.method === 'getBlocks') void this.#serveRead(call, node, served);
    else this.#queuePut(call, served);
  }

  async #serveRead(call: Call, node: MemoryNode, served: ServedStream): Promise<void> {
    let kind: Kind = REPLY;
    let value: unknown;
    const read = (node.handler as Partial<BlockStreamHandler>).readBlock;
    if (typeof read !== 'function') {
      kind = FAILURE;
      value = errorAsSeenByCaller(new PeerweaveError('METHOD_NOT_ALLOWED', `${node.address} does not serve getBlocks`));
    } else {
      try {
        const data: unknown = await read.call(node.handler, call.request as string, served);
        // A wrong answer is the handler's bug: INTERNAL for that block, as over gRPC.
        const valid = data === undefined || (data instanceof Uint8Array && (!this.#validate || data.length <= MAX_BLOCK_BYTES));
        value = valid ? data : new BlockErrorAnswer('INTERNAL', INTERNAL_ERROR_MESSAGE);
      } catch (err) {
        value = blockErrorAnswer(err);
      }
    }
    this.#endServing(call, node);
    this.#send(kind, call, value, node);
  }

  /** Queues a put for the stream's next group commit: the puts delivered together go together. */
  #queuePut(call: Call, served: ServedStream): void {
    served.puts.push(call);
    this.#scheduleCommit(served);
  }

  #scheduleCommit(served: ServedStream): void {
    if (served.committing || served.commitScheduled || served.puts.length === 0) return;
    served.commitScheduled = true;
    queueMicrotask(() => {
      served.commitScheduled = false;
      void this.#commit(served);
    });
  }

  async #commit(served: ServedStream): Promise<void> {
    if (served.ended || served.committing || served.puts.length === 0) return;
    const node = served.node;
    const batch = takePutBatch(served.puts);
    served.committing = true;
    let kind: Kind = REPLY;
    let acks: unknown[] = [];
    const write = (node.handler as Partial<BlockStreamHandler>).writeBlocks;
    if (typeof write !== 'function') {
      kind = FAILURE;
      const err = errorAsSeenByCaller(new PeerweaveError('METHOD_NOT_ALLOWED', `${node.address} does not serve putBlocks`));
      acks = batch.map(() => err);
    } else {
      const blocks = batch.map((c) => c.request as BlockPut);
      let answer: readonly BlockPutAck[] | undefined;
      try {
        answer = await write.call(node.handler, blocks, served);
      } catch (err) {
        // A failed commit: each of its blocks is acknowledged with the error, as over gRPC.
        const { code, message } = blockErrorAnswer(err);
        acks = blocks.map((b) => ({ cid: b.cid, stored: false, error: code, message }) satisfies BlockPutAck);
      }
      if (answer !== undefined) {
        try {
          acks = checkAcks(blocks, answer, this.#validate);
        } catch (err) {
          // The handler's answer is wrong: our bug, and the stream's end, as over gRPC.
          kind = FAILURE;
          const seen = errorAsSeenByCaller(err);
          acks = batch.map(() => seen);
        }
      }
    }
    for (let i = 0; i < batch.length; i++) {
      const call = batch[i]!;
      this.#endServing(call, node);
      this.#send(kind, call, acks[i], node);
    }
    served.committing = false;
    // What arrived during this commit is all there: the next one starts now.
    if (served.puts.length > 0) void this.#commit(served);
  }

  #endServing(call: Call, node: MemoryNode): void {
    if (--call.serving === 0) node.inbound.delete(call);
  }

  /**
   * `sender` puts a message on the network: held if it is paused, else lost, or sent (maybe twice;
   * never a stream's, which travels on one connection).
   */
  #send(kind: Kind, call: Call, value: unknown, sender: MemoryNode): void {
    if (!sender.running) return;
    if (kind === REQUEST && call.settled) return; // held while its caller gave up
    if (sender.paused) {
      sender.held.push({ outgoing: true, kind, call, value });
      return;
    }
    const counts = this.#counts[call.method];
    const to = kind === REQUEST ? call.to : call.from.address;
    counts.sent++;
    sender.sent++;
    if (this.#lossRate > 0 && this.#random.next() < this.#lossRate) {
      counts.dropped++;
      return;
    }
    const delay = this.#delayOf(sender.address, to);
    this.#batchIn(delay).push(kind, call, value);
    if (kind === REQUEST && call.link === undefined && this.#duplicateRate > 0 && this.#random.next() < this.#duplicateRate) {
      counts.sent++;
      sender.sent++;
      this.#batchIn(delay).push(kind, call, value);
    }
  }

  #arrive(kind: Kind, call: Call, value: unknown): void {
    switch (kind) {
      case REQUEST:
        this.#arriveRequest(call);
        return;
      case DEADLINE:
        call.expire();
        return;
      default:
        this.#arriveAnswer(kind, call, value);
    }
  }

  #arriveRequest(call: Call): void {
    const counts = this.#counts[call.method];
    if (this.#partitioned(call.from.address, call.to)) {
      counts.dropped++;
      // A stream's connection breaks; a single request is just lost.
      if (call.link !== undefined) call.fail(new UnavailableError(`${call.to} is unreachable (partitioned) during ${call.method}`));
      return;
    }
    const node = this.#nodes.get(call.to);
    if (node === undefined) {
      counts.dropped++;
      if (!call.settled) {
        const err = new UnavailableError(`no peer listens at ${call.to}`);
        this.#batchIn(this.#delayOf(call.to, call.from.address)).push(RESET, call, err);
      }
      return;
    }
    if (node.paused) {
      node.held.push({ outgoing: false, kind: REQUEST, call, value: undefined });
      return;
    }
    if (call.cancelled || this.#clock.now() >= call.deadlineAt) {
      counts.dropped++;
      return;
    }
    counts.delivered++;
    node.received++;
    call.serving++;
    node.inbound.add(call);
    if (call.link !== undefined) this.#serveStreamItem(call, node);
    else void this.#serve(call, node);
  }

  async #serve(call: Call, node: MemoryNode): Promise<void> {
    let kind: Kind = REPLY;
    let value: unknown;
    try {
      const handle = node.handler[call.method as PeerMethod] as AnyHandler | undefined;
      if (typeof handle !== 'function') {
        throw new PeerweaveError('METHOD_NOT_ALLOWED', `${node.address} does not serve ${call.method}`);
      }
      value = await handle.call(node.handler, call.request, call);
    } catch (err) {
      kind = FAILURE;
      value = errorAsSeenByCaller(err);
    }
    if (kind === REPLY && this.#validate) {
      try {
        const method = call.method as PeerMethod;
        assertValidPeerResponse(method, value as PeerResponse<typeof method>);
      } catch (err) {
        kind = FAILURE;
        value = errorAsSeenByCaller(new InternalError(`invalid ${call.method} response: ${String(err)}`, { cause: err }));
      }
    }
    if (--call.serving === 0) node.inbound.delete(call);
    this.#send(kind, call, value, node);
  }

  /** A response, an error response or a connection failure reaching the caller. */
  #arriveAnswer(kind: Kind, call: Call, value: unknown): void {
    const caller = call.from;
    if (!caller.running || caller.transportClosed) {
      if (kind !== RESET) this.#counts[call.method].dropped++;
      return;
    }
    if (kind !== RESET && this.#partitioned(call.to, caller.address)) {
      this.#counts[call.method].dropped++;
      if (call.link !== undefined) call.fail(new UnavailableError(`${call.to} is unreachable (partitioned) during ${call.method}`));
      return;
    }
    if (caller.paused) {
      caller.held.push({ outgoing: false, kind, call, value });
      return;
    }
    if (kind === RESET) {
      call.fail(value);
      return;
    }
    this.#counts[call.method].delivered++;
    caller.received++;
    if (kind === REPLY) call.succeed(value);
    else call.fail(value);
  }

  // ----- lifecycle ---------------------------------------------------------------------------------

  #closeTransport(node: MemoryNode): void {
    if (node.transportClosed) return;
    node.transportClosed = true;
    for (const call of [...node.outbound]) {
      call.abortHandler(new AbortError(`${call.method} cancelled: the caller closed its transport`));
      call.fail(new AbortError('peer transport closed'));
    }
  }

  #stop(node: MemoryNode): void {
    if (!node.running) return;
    node.running = false;
    if (this.#nodes.get(node.address) === node) this.#nodes.delete(node.address);
    this.#closeTransport(node);
    const gone = new AbortError(`${node.address} stopped`);
    for (const call of node.inbound) {
      call.abortHandler(gone);
      this.#reset(call, node.address);
    }
    node.inbound.clear();
    for (const served of [...node.served]) {
      // Its streams' next items fail at once; those in flight learn through #reset above.
      served.link.broken = new UnavailableError(`${node.address} went away during ${served.link.method}`);
      served.end(gone);
    }
    for (const h of node.held) {
      if (!h.outgoing && h.kind === REQUEST) this.#reset(h.call, node.address);
    }
    node.held = [];
  }

  /** The connection of `call` to `address` broke: its caller learns after the one-way delay. */
  #reset(call: Call, address: string): void {
    if (call.settled) return;
    const err = new UnavailableError(`${address} went away during ${call.method}`);
    this.#batchIn(this.#delayOf(address, call.from.address)).push(RESET, call, err);
  }

  // ----- scheduling --------------------------------------------------------------------------------

  /** The batch of messages due `delayMs` from now, made (with its one timer) if needed. */
  #batchIn(delayMs: number): Batch {
    if (!(delayMs > 0)) {
      if (this.#soon === undefined) {
        this.#soon = new Batch();
        queueMicrotask(this.#drainSoon);
      }
      return this.#soon;
    }
    const at = this.#clock.now() + delayMs;
    let batch = this.#batches.get(at);
    if (batch === undefined) {
      batch = new Batch();
      this.#batches.set(at, batch);
      this.#clock.setTimeout(() => this.#fire(at), delayMs);
    }
    return batch;
  }

  readonly #drainSoon = (): void => {
    const batch = this.#soon;
    this.#soon = undefined;
    if (batch !== undefined) this.#run(batch);
  };

  #fire(at: number): void {
    const batch = this.#batches.get(at);
    this.#batches.delete(at);
    if (batch !== undefined) this.#run(batch);
  }

  #run(batch: Batch): void {
    const { kinds, calls, values } = batch;
    for (let i = 0; i < kinds.length; i++) {
      const call = calls[i];
      if (call !== undefined) this.#arrive(kinds[i]!, call, values[i]);
    }
  }

  #delayOf(from: string, to: string): number {
    const latency = this.#latency;
    return typeof latency === 'number' ? latency : latency(from, to);
  }

  #partitioned(x: string, y: string): boolean {
    for (const p of this.#partitions) {
      if ((p.a.has(x) && p.b.has(y)) || (p.b.has(x) && p.a.has(y))) return true;
    }
    return false;
  }

  #node(address: string): MemoryNode {
    const node = this.#nodes.get(address);
    if (node === undefined) throw new NotFoundError(`no peer listens at ${address}`);
    return node;
  }
}

function emptyCounts(): Record<CountedMethod, MessageCounts> {
  const counts = {} as Record<CountedMethod, MessageCounts>;
  for (const method of COUNTED_METHODS) counts[method] = { sent: 0, delivered: 0, dropped: 0 };
  return counts;
}

/** The puts of one group commit: all queued, up to MAX_PUT_BATCH_BLOCKS and MAX_PUT_BATCH_BYTES. */
function takePutBatch(puts: Call[]): Call[] {
  let count = 0;
  let bytes = 0;
  while (count < puts.length && count < MAX_PUT_BATCH_BLOCKS) {
    const size = (puts[count]!.request as BlockPut).data.length;
    if (count > 0 && bytes + size > MAX_PUT_BATCH_BYTES) break;
    bytes += size;
    count++;
  }
  return puts.splice(0, count);
}

/** writeBlocks' answer checked as the gRPC server checks it: one ack per block, in order. */
function checkAcks(blocks: readonly BlockPut[], acks: readonly BlockPutAck[], validate: boolean): BlockPutAck[] {
  try {
    if (!Array.isArray(acks) || acks.length !== blocks.length) {
      throw new Error(`${Array.isArray(acks) ? acks.length : typeof acks} acks for ${blocks.length} blocks`);
    }
    for (let i = 0; i < acks.length; i++) {
      const ack = acks[i]!;
      if (validate) encodeAck(ack);
      else checkErrorCode(ack.error, 'error');
      if (ack.cid !== blocks[i]!.cid) throw new Error(`ack ${i} is for ${ack.cid}, block ${i} is ${blocks[i]!.cid}`);
    }
    return acks as BlockPutAck[];
  } catch (err) {
    throw new InternalError(`invalid writeBlocks answer: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** A handler's failure for one block, as its error frame or ack carries it (see block-stream-server.ts). */
function blockErrorAnswer(err: unknown): BlockErrorAnswer {
  if (err instanceof PeerweaveError && err.code !== 'INTERNAL') return new BlockErrorAnswer(err.code, err.message);
  return new BlockErrorAnswer('INTERNAL', INTERNAL_ERROR_MESSAGE);
}

/**
 * A handler's failure as the caller would see it over gRPC: the same code through the status
 * mapping, "internal error" for anything that is not a PeerweaveError (the original stays as the
 * cause, which gRPC would not carry, to help debugging).
 */
function errorAsSeenByCaller(err: unknown): PeerweaveError {
  return errorForGrpcStatus(grpcFailureForError(err), err);
}

function checkRate(rate: number, name: string): number {
  if (!(Number.isFinite(rate) && rate >= 0 && rate <= 1)) {
    throw new InvalidArgumentError(`${name} must be a number from 0 to 1, got ${rate}`);
  }
  return rate;
}
