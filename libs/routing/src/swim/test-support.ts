/**
 * Test support for the SWIM specs: a tiny in-process network driven by a ManualClock (latency,
 * loss, kill, pause) and a cluster of Swim nodes over it. Deliberately independent of the
 * protocol lib's MemoryNetwork, so these specs test SWIM alone.
 */
import {
  DeadlineExceededError,
  SeededRandom,
  UnavailableError,
  toAbortError,
  type ManualClock,
  type Random,
} from '@peerweave/core';
import type {
  MemberState,
  PeerCallOptions,
  PeerContact,
  PeerMethod,
  PeerRequest,
  PeerResponse,
  PeerTransport,
} from '@peerweave/protocol';
import type { SwimTuning } from './swim-config.ts';
import { Swim, type SwimInit } from './swim.ts';

export type SwimHandlers = Pick<Swim, 'handlePing' | 'handlePingReq' | 'handleLeave'>;

export interface FakeNetworkInit {
  clock: ManualClock;
  /** Randomness of loss and jitter, apart from the nodes' own. */
  random?: Random;
  /** One-way latency: base plus a uniform jitter. */
  latencyMs?: number;
  jitterMs?: number;
  /** Probability that any one message (request or response) is lost. */
  lossRate?: number;
  /** Deadline of a call that sets none. */
  defaultDeadlineMs?: number;
}

/**
 * Delivers requests and responses between registered nodes after a small latency, on the manual
 * clock. A killed node refuses connections (UNAVAILABLE) and sends nothing; a paused node (think
 * SIGSTOP) neither receives nor sends: its traffic is held and delivered when it resumes.
 * Lost messages simply never arrive, so the caller's deadline runs out.
 */
export class FakeNetwork {
  readonly #clock: ManualClock;
  readonly #random: Random;
  readonly #latencyMs: number;
  readonly #jitterMs: number;
  readonly #defaultDeadlineMs: number;
  readonly #nodes = new Map<string, SwimHandlers>();
  readonly #killed = new Set<string>();
  readonly #paused = new Set<string>();
  readonly #held = new Map<string, (() => void)[]>();
  lossRate: number;
  sent = 0;
  lost = 0;

  constructor(init: FakeNetworkInit) {
    this.#clock = init.clock;
    this.#random = init.random ?? new SeededRandom(0x5717);
    this.#latencyMs = init.latencyMs ?? 2;
    this.#jitterMs = init.jitterMs ?? 8;
    this.lossRate = init.lossRate ?? 0;
    this.#defaultDeadlineMs = init.defaultDeadlineMs ?? 1000;
  }

  attach(address: string, handlers: SwimHandlers): void {
    this.#nodes.set(address, handlers);
    this.#killed.delete(address);
  }

  /** The node stops at once: connections to it are refused, its in-flight answers are lost. */
  kill(address: string): void {
    this.#killed.add(address);
    this.#nodes.delete(address);
    this.#held.delete(address);
  }

  pause(address: string): void {
    this.#paused.add(address);
  }

  resume(address: string): void {
    this.#paused.delete(address);
    const held = this.#held.get(address) ?? [];
    this.#held.delete(address);
    for (const deliver of held) deliver();
  }

  isPaused(address: string): boolean {
    return this.#paused.has(address);
  }

  transport(from: string): Pick<PeerTransport, 'request' | 'close'> {
    return {
      request: <M extends PeerMethod>(
        address: string,
        method: M,
        request: PeerRequest<M>,
        options?: PeerCallOptions,
      ): Promise<PeerResponse<M>> => this.#request(from, address, method, request, options ?? {}),
      close: async () => {},
    };
  }

  #request<M extends PeerMethod>(
    from: string,
    to: string,
    method: M,
    request: PeerRequest<M>,
    options: PeerCallOptions,
  ): Promise<PeerResponse<M>> {
    return new Promise<PeerResponse<M>>((resolve, reject) => {
      const { signal } = options;
      const server = new AbortController();
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        this.#clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        server.abort();
        fn();
      };
      const onAbort = (): void => settle(() => reject(toAbortError(signal!)));
      const deadlineMs = options.deadlineMs ?? this.#defaultDeadlineMs;
      const timer = this.#clock.setTimeout(
        () => settle(() => reject(new DeadlineExceededError(`${method} to ${to}: deadline of ${deadlineMs} ms exceeded`))),
        deadlineMs,
      );
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });

      this.#send(from, to, () => {
        const node = this.#nodes.get(to);
        if (node === undefined) {
          // Connection refused: the error comes back whatever the loss rate.
          this.#arrive(from, () => settle(() => reject(new UnavailableError(`${to} refused the connection`))));
          return;
        }
        const context = { signal: server.signal, peer: from };
        const handled: Promise<unknown> =
          method === 'ping'
            ? node.handlePing(request as PeerRequest<'ping'>)
            : method === 'pingReq'
              ? node.handlePingReq(request as PeerRequest<'pingReq'>, context)
              : method === 'leave'
                ? node.handleLeave(request as PeerRequest<'leave'>)
                : Promise.reject(new UnavailableError(`${method} is not served here`));
        handled.then(
          (response) => this.#send(to, from, () => settle(() => resolve(response as PeerResponse<M>))),
          (err: unknown) => this.#send(to, from, () => settle(() => reject(err))),
        );
      });
    });
  }

  /** One message from `from` to `to`: lost, held by a pause, or delivered after the latency. */
  #send(from: string, to: string, deliver: () => void): void {
    if (this.#killed.has(from)) return;
    this.sent++;
    if (this.lossRate > 0 && this.#random.next() < this.lossRate) {
      this.lost++;
      return;
    }
    const leave = (): void => {
      if (this.#paused.has(from)) return this.#hold(from, leave);
      this.#arrive(to, deliver);
    };
    leave();
  }

  /** Arrival at `to` after the latency, held while `to` is paused. */
  #arrive(to: string, deliver: () => void): void {
    const latency = this.#latencyMs + (this.#jitterMs > 0 ? this.#random.int(this.#jitterMs + 1) : 0);
    this.#clock.setTimeout(() => {
      if (this.#paused.has(to)) return this.#hold(to, deliver);
      deliver();
    }, latency);
  }

  #hold(address: string, deliver: () => void): void {
    const list = this.#held.get(address) ?? [];
    list.push(deliver);
    this.#held.set(address, list);
  }
}

/** A 64-hex-digit id for node number `i`. */
export function testNodeId(i: number): string {
  return (i + 1).toString(16).padStart(64, '0');
}

export interface ObservedDeath {
  readonly observer: string;
  readonly member: string;
  readonly state: 'dead' | 'left';
  readonly at: number;
}

export interface ObservedSuspicion {
  readonly observer: string;
  readonly member: string;
  readonly at: number;
}

export interface TestSwimNode {
  readonly index: number;
  readonly id: string;
  readonly address: string;
  swim: Swim;
  /** The node's "routing table": every other node at first; dead ones leave it, live ones (re)join it. */
  readonly targets: Map<string, PeerContact>;
  running: boolean;
}

export interface SwimClusterOptions {
  clock: ManualClock;
  size: number;
  seed?: number;
  tuning?: Partial<SwimTuning>;
  network?: Omit<FakeNetworkInit, 'clock'>;
  /** Extra init for node `i` (e.g. a priority set). */
  nodeInit?: (index: number) => Partial<SwimInit>;
}

/** `size` Swim nodes over a {@link FakeNetwork}, each probing all the others, with event logs. */
export class SwimCluster {
  readonly clock: ManualClock;
  readonly network: FakeNetwork;
  readonly nodes: TestSwimNode[] = [];
  readonly deaths: ObservedDeath[] = [];
  readonly suspicions: ObservedSuspicion[] = [];
  readonly #options: SwimClusterOptions;
  #restarts = 0;

  constructor(options: SwimClusterOptions) {
    this.#options = options;
    this.clock = options.clock;
    this.network = new FakeNetwork({
      clock: options.clock,
      random: new SeededRandom((options.seed ?? 1) * 7919 + 17),
      ...options.network,
    });
    for (let i = 0; i < options.size; i++) {
      const id = testNodeId(i);
      this.nodes.push({
        index: i,
        id,
        address: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}:7946`,
        swim: undefined as unknown as Swim,
        targets: new Map(),
        running: false,
      });
    }
    for (const node of this.nodes) {
      node.swim = this.#build(node, options.clock.now());
      for (const other of this.nodes) {
        if (other !== node) {
          other.targets.set(node.id, { id: node.id, address: node.address, role: 'peer', incarnation: node.swim.incarnation });
        }
      }
    }
  }

  async start(): Promise<void> {
    for (const node of this.nodes) {
      this.network.attach(node.address, node.swim);
      await node.swim.start();
      node.running = true;
    }
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) {
      if (node.running) await node.swim.stop();
      node.running = false;
    }
  }

  /** Crash: the process is gone, its address refuses connections. */
  async kill(node: TestSwimNode): Promise<void> {
    this.network.kill(node.address);
    await node.swim.stop();
    node.running = false;
  }

  /** The same id and address come back as a new process, with a higher incarnation (clock.now()). */
  async restart(node: TestSwimNode): Promise<void> {
    if (node.running) await this.kill(node);
    node.targets.clear();
    for (const other of this.nodes) {
      if (other !== node && other.running) node.targets.set(other.id, other.swim.self);
    }
    node.swim = this.#build(node, this.clock.now() + ++this.#restarts);
    this.network.attach(node.address, node.swim);
    await node.swim.start();
    node.running = true;
  }

  running(): TestSwimNode[] {
    return this.nodes.filter((n) => n.running);
  }

  /** Advances the clock in steps until `condition` holds; returns the time it took, or throws. */
  async runUntil(condition: () => boolean, maxMs: number, stepMs = 100): Promise<number> {
    const start = this.clock.now();
    while (!condition()) {
      if (this.clock.now() - start >= maxMs) {
        throw new Error(`condition not reached within ${maxMs} ms of simulated time`);
      }
      await this.clock.advance(stepMs);
    }
    return this.clock.now() - start;
  }

  /** True if every running node other than those in `except` sees `member` in `state`. */
  allSee(member: TestSwimNode, state: MemberState, except: readonly TestSwimNode[] = []): boolean {
    return this.running()
      .filter((n) => n !== member && !except.includes(n))
      .every((n) => n.swim.stateOf(member.id) === state);
  }

  #build(node: TestSwimNode, incarnation: number): Swim {
    const seed = (this.#options.seed ?? 1) * 1_000_003 + node.index * 7 + this.#restarts * 104_729;
    return new Swim({
      ...this.#options.tuning,
      ...this.#options.nodeInit?.(node.index),
      self: { id: node.id, address: node.address, role: 'peer' },
      incarnation,
      transport: this.network.transport(node.address),
      clock: this.clock,
      random: new SeededRandom(seed),
      targets: () => [...node.targets.values()],
      onAlive: (contact) => {
        if (contact.id !== node.id) node.targets.set(contact.id, contact);
      },
      onSuspect: (contact) => {
        this.suspicions.push({ observer: node.id, member: contact.id, at: this.clock.now() });
      },
      onDead: (contact, state) => {
        node.targets.delete(contact.id);
        this.deaths.push({ observer: node.id, member: contact.id, state, at: this.clock.now() });
      },
    });
  }
}
