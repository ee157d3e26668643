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
import { AbortError, InvalidArgumentError, InternalError, NotFoundError, PeerweaveError, toAbortError, UnavailableError, type Clock, type Random } from '@peerweave/core';
import type { BlockReader, BlockWriter } from '../block-streams/block-stream-messages.ts';
import { assertValidPeerRequest, assertValidPeerResponse, isPeerMethod, PEER_CODECS } from '../peer-codec.ts';
import type { PeerMethod, PeerRequest, PeerResponse, PeerTransport } from '../peer-messages.ts';
import type { PeerCallOptions } from '../service-types.ts';
import { assertDeadlineMs } from '../transport/client-channel.ts';
import { DEFAULT_DEADLINE_MS } from '../transport/grpc-options.ts';
import { MemoryBlockReader, MemoryBlockWriter } from './memory-block-streams.ts';
import {
  Batch,
  Call,
  DEADLINE,
  endServing,
  errorAsSeenByCaller,
  FAILURE,
  MemoryNode,
  REPLY,
  REQUEST,
  RESET,
  StreamLink,
  type AnyHandler,
  type Kind,
} from './memory-call.ts';
import {
  COUNTED_METHODS,
  DEFAULT_MEMORY_LATENCY_MS,
  emptyCounts,
  type BlockStreamMethod,
  type CountedMethod,
  type MemoryHandler,
  type MemoryLatency,
  type MemoryListener,
  type MemoryListenOptions,
  type MemoryNetworkInit,
  type MemoryNetworkStats,
  type MessageCounts,
  type NodeMessageCounts,
} from './memory-network-types.ts';
import { MemoryStreamServer } from './memory-stream-server.ts';
import { checkSpeaker, wrongNode, wrongSender } from '../speaker-rules.ts';


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
  readonly #codec: boolean;
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
  readonly #streams: MemoryStreamServer;

  constructor(init: MemoryNetworkInit) {
    this.#clock = init.clock;
    this.#random = init.random;
    this.#defaultDeadlineMs = init.defaultDeadlineMs ?? DEFAULT_DEADLINE_MS;
    assertDeadlineMs(this.#defaultDeadlineMs, 'defaultDeadlineMs');
    this.#codec = init.codec ?? false;
    this.#validate = this.#codec || (init.validateMessages ?? false);
    this.setDelay(init.latencyMs ?? DEFAULT_MEMORY_LATENCY_MS);
    this.#streams = new MemoryStreamServer(this.#validate, (kind, call, value, node) => this.#send(kind, call, value, node));
  }

  /**
   * Registers a node at `address` serving `handler`: the methods it has (a call to one it lacks
   * gets METHOD_NOT_ALLOWED). An address can be listened on again after its node was closed or
   * killed (a restart); not while it runs.
   *
   * `id` is the node id its connections prove, as a certificate does over mutual TLS: handlers it
   * calls see it as `context.callerId` (and the "speaks for itself" rules, speaker-rules.ts,
   * apply); a caller that expects another id at `address` (PeerCallOptions.expectId) is refused
   * with PERMISSION_DENIED, and so is an answer whose sender claims another id. Without it, the
   * node behaves as over plaintext.
   */
  listen(address: string, handler: MemoryHandler, options: MemoryListenOptions = {}): MemoryListener {
    if (typeof address !== 'string' || address === '') throw new InvalidArgumentError('address must be a non-empty string');
    if (handler === null || typeof handler !== 'object') throw new InvalidArgumentError('handler must be an object of peer methods');
    if (this.#nodes.has(address)) throw new PeerweaveError('ALREADY_EXISTS', `${address} is already listening`);
    if (options.id !== undefined && (typeof options.id !== 'string' || options.id === '')) {
      throw new InvalidArgumentError('id must be a non-empty string');
    }
    const node = new MemoryNode(address, handler, options.id);
    this.#nodes.set(address, node);
    const transport: PeerTransport = {
      request: <M extends PeerMethod>(to: string, method: M, request: PeerRequest<M>, options?: PeerCallOptions) =>
        this.#request(node, to, method, request, options) as Promise<PeerResponse<M>>,
      openBlockReader: (to: string, options?: { signal?: AbortSignal }): BlockReader =>
        new MemoryBlockReader(this.#openStream(node, to, 'getBlocks'), options?.signal),
      openBlockWriter: (to: string, options?: { signal?: AbortSignal }): BlockWriter =>
        new MemoryBlockWriter(this.#openStream(node, to, 'putBlocks'), options?.signal),
      close: async () => this.#closeTransport(node),
      onConnectionLost: (listener: (address: string) => void) => {
        node.connectionLost.add(listener);
        return () => node.connectionLost.delete(listener);
      },
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

  /**
   * Calls made and not yet settled that pass `test` (walks every node: for tests). `held`: no
   * answer can settle it now (from or to a paused node, or across a partition; only its deadline
   * or the fault's end does). A test that moves the clock while a fault holds some calls waits
   * until none of the calls it cares about is on its way otherwise (to a disk write, say), so that
   * the clock times out only calls the fault holds.
   */
  callsInFlightWhere(test: (call: { from: string; to: string; method: string; held: boolean }) => boolean): number {
    let n = 0;
    for (const node of this.#nodes.values()) {
      for (const call of node.outbound) {
        const held = node.paused || this.#nodes.get(call.to)?.paused === true || this.#partitioned(node.address, call.to);
        if (test({ from: node.address, to: call.to, method: call.method, held })) n++;
      }
    }
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
      if (this.#codec) request = throughCodec(method, 'request', request);
      else if (this.#validate) assertValidPeerRequest(method, request as PeerRequest<typeof method>);
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(toAbortError(signal));
    const call = new Call(from, to, method, request, this.#clock.now() + deadlineMs, signal);
    call.expectId = options.expectId;
    return this.#start(call, deadlineMs);
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
    if (call.link !== undefined) this.#streams.serve(call, node);
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
      // The checks mutual TLS makes: the caller reached whom it meant (the handshake), the request
      // speaks only for its caller, the answer only for its node.
      if (node.id !== undefined && call.expectId !== undefined && call.expectId !== node.id) throw wrongNode(call.expectId, node.id, node.address);
      checkSpeaker(call.method, call.request, call);
      value = await handle.call(node.handler, call.request, call);
      const sender = (value as { sender?: { id?: unknown } } | undefined)?.sender?.id;
      if (node.id !== undefined && sender !== undefined && sender !== node.id) throw wrongSender(call.method, sender, node.id);
    } catch (err) {
      kind = FAILURE;
      value = errorAsSeenByCaller(err);
    }
    if (kind === REPLY && this.#validate) {
      try {
        const method = call.method as PeerMethod;
        if (this.#codec) value = throughCodec(method, 'response', value);
        else assertValidPeerResponse(method, value as PeerResponse<typeof method>);
      } catch (err) {
        kind = FAILURE;
        value = errorAsSeenByCaller(new InternalError(`invalid ${call.method} response: ${String(err)}`, { cause: err }));
      }
    }
    endServing(call, node);
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
    if (!caller.connections.has(call.to)) {
      // A connection to the node listening there now (an answer from one already gone opens none).
      const callee = this.#nodes.get(call.to);
      if (callee !== undefined) {
        caller.connections.add(call.to);
        callee.connectedFrom.add(caller);
      }
    }
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
    for (const address of node.connections) this.#nodes.get(address)?.connectedFrom.delete(node);
    node.connections.clear();
    node.connectionLost.clear();
    this.#connectionsLost(node);
  }

  /**
   * A crashed process's kernel closes its sockets: every running node that had a connection to
   * `address` (an answer from it) learns, after the one-way delay, that the connection was lost
   * (PeerTransport.onConnectionLost). A partition or a pause closes nothing, as on a real network.
   */
  #connectionsLost(node: MemoryNode): void {
    const address = node.address;
    const others = node.connectedFrom;
    for (const other of others) {
      if (!other.running || !other.connections.delete(address)) continue;
      // A node whose transport is closed hears of nothing (a cluster's teardown closes them all first).
      if (other.transportClosed) continue;
      this.#clock.setTimeout(() => {
        if (!other.running || other.transportClosed) return;
        for (const listener of [...other.connectionLost]) {
          try {
            listener(address);
          } catch {
            // A listener's failure is its own.
          }
        }
      }, this.#delayOf(address, other.address));
    }
    others.clear();
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

/**
 * What the other end gets of `message` over gRPC, but for protobuf's byte layout: its method's
 * codec encodes it (checking it, keeping only protocol fields) and decodes that (checking again,
 * building new objects). Throws InvalidArgumentError as the codec does.
 */
function throughCodec(method: PeerMethod, side: 'request' | 'response', message: unknown): unknown {
  const codec = PEER_CODECS[method] as unknown as {
    encodeRequest(m: unknown): unknown;
    decodeRequest(m: unknown): unknown;
    encodeResponse(m: unknown): unknown;
    decodeResponse(m: unknown): unknown;
  };
  return side === 'request' ? codec.decodeRequest(codec.encodeRequest(message)) : codec.decodeResponse(codec.encodeResponse(message));
}

function checkRate(rate: number, name: string): number {
  if (!(Number.isFinite(rate) && rate >= 0 && rate <= 1)) {
    throw new InvalidArgumentError(`${name} must be a number from 0 to 1, got ${rate}`);
  }
  return rate;
}
