/**
 * The pieces of the in-memory network (memory-network.ts): a node, a call and its fate, a batch of
 * messages due at one instant, and a block stream's two ends.
 */
import { AbortError, DeadlineExceededError, type PeerweaveError, toAbortError } from '@peerweave/core';
import type { BlockPut } from '../block-streams/block-stream-messages.ts';
import type { PeerCallContext } from '../service-types.ts';
import { errorForGrpcStatus, grpcFailureForError } from '../transport/status-mapping.ts';
import type { MemoryStreamLink } from './memory-block-streams.ts';
import type { BlockStreamMethod, CountedMethod, MemoryHandler } from './memory-network-types.ts';

// What a queued message is. A held message also records its direction (IN: waiting to be received
// by a paused node; OUT: waiting to be sent by one).
export const REQUEST = 0; // a request arriving at call.to
export const REPLY = 1; // a response arriving at the caller
export const FAILURE = 2; // an error response arriving at the caller
export const RESET = 3; // no one at call.to (or it went away): the connection fails, not a message
export const DEADLINE = 4; // the call's deadline
export type Kind = typeof REQUEST | typeof REPLY | typeof FAILURE | typeof RESET | typeof DEADLINE;

export type AnyHandler = (request: unknown, context: PeerCallContext) => Promise<unknown>;

/** A block stream's state shared by both ends (made by openBlockReader / openBlockWriter). */
export class StreamLink implements MemoryStreamLink {
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
export class ServedStream implements PeerCallContext {
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

  /** The caller's node id, when its node was registered with one (MemoryNetwork.listen). */
  get callerId(): string | undefined {
    return this.link.from.id;
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
export class Batch {
  readonly kinds: Kind[] = [];
  readonly calls: (Call | undefined)[] = [];
  readonly values: unknown[] = [];

  push(kind: Kind, call: Call, value: unknown): number {
    this.kinds.push(kind);
    this.values.push(value);
    return this.calls.push(call) - 1;
  }
}

export interface Held {
  readonly outgoing: boolean;
  readonly kind: Kind;
  readonly call: Call;
  readonly value: unknown;
}

export class MemoryNode {
  readonly address: string;
  readonly handler: MemoryHandler;
  /** The node id it was registered with: what its calls prove as `callerId`; undefined without. */
  readonly id: string | undefined;
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
  /** Addresses this node has had an answer from: its open "connections" (see MemoryNetwork.kill). */
  readonly connections = new Set<string>();
  /**
   * The running nodes that hold a connection to this one (whose `connections` name its address):
   * a kill tells them alone, instead of walking every node (which made stopping 10 000 nodes
   * quadratic).
   */
  readonly connectedFrom = new Set<MemoryNode>();
  /** Listeners of lost connections (PeerTransport.onConnectionLost). */
  readonly connectionLost = new Set<(address: string) => void>();
  sent = 0;
  received = 0;

  constructor(address: string, handler: MemoryHandler, id?: string) {
    this.address = address;
    this.handler = handler;
    this.id = id;
  }
}

/**
 * One request and its fate. It is also the handler's context (only `signal` and `peer` are the
 * handler's business) and the listener of the caller's signal, so a call costs no closures.
 */
export class Call implements PeerCallContext {
  readonly from: MemoryNode;
  /** The caller's address (`from.address`), as the handler's context names it. */
  readonly peer: string;
  readonly to: string;
  readonly method: CountedMethod;
  readonly request: unknown;
  readonly deadlineAt: number;
  readonly callerSignal: AbortSignal | undefined;
  /** The node id the caller means to reach (PeerCallOptions.expectId). */
  expectId: string | undefined = undefined;
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

  /** The caller's node id, when its node was registered with one (MemoryNetwork.listen). */
  get callerId(): string | undefined {
    return this.from.id;
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
    // Without a stack: it would only show the deadline queue's timer, and capturing it cost ~2 % of
    // the simulator's CPU (every lost message ends here). Code, name and message are as before.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const err = new DeadlineExceededError(`deadline of ${this.method} to ${this.to} exceeded`);
    Error.stackTraceLimit = limit;
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

/** One handler invocation of `call` on `node` finished. */
export function endServing(call: Call, node: MemoryNode): void {
  if (--call.serving === 0) node.inbound.delete(call);
}

/**
 * A handler's failure as the caller would see it over gRPC: the same code through the status
 * mapping, "internal error" for anything that is not a PeerweaveError (the original stays as the
 * cause, which gRPC would not carry, to help debugging).
 */
export function errorAsSeenByCaller(err: unknown): PeerweaveError {
  return errorForGrpcStatus(grpcFailureForError(err), err);
}
