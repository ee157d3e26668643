import { ShuttingDownError, stopAll, type Startable } from '@peerweave/core';

/**
 * Wraps a component before it starts: the lifecycle starts and stops what this returns (tests: a
 * start that fails, or a record of the order; tracing start-up).
 */
export type LifecycleWrap = (name: string, component: Startable) => Startable;

export interface LifecycleInit {
  wrap?: LifecycleWrap;
}

/**
 * The ordered list of a node's started components. A component is started when it is added, after
 * those added before it, because it may need what they only know once started (the routing node
 * advertises the port the gRPC server bound). `stop` stops them in reverse order, and is also the
 * roll-back when a start fails midway: what started before the failure is stopped, and the
 * component whose start threw is not (a failing start undoes its own work).
 */
export class Lifecycle {
  readonly #started: { name: string; component: Startable }[] = [];
  readonly #wrap: LifecycleWrap | undefined;
  #stopping: Promise<void> | undefined;

  constructor(init: LifecycleInit = {}) {
    this.#wrap = init.wrap;
  }

  /** Names of the started components, in start order. */
  get started(): string[] {
    return this.#started.map((s) => s.name);
  }

  /** Starts `component` after those started before it and returns it; SHUTTING_DOWN once stopping. */
  async start<T extends Startable>(name: string, component: T): Promise<T> {
    if (this.#stopping) throw new ShuttingDownError(`not starting ${name}: the node is stopping`);
    const started = this.#wrap ? this.#wrap(name, component) : component;
    await started.start();
    this.#started.push({ name, component: started });
    return component;
  }

  /**
   * Stops every started component in reverse order; each is asked even when one before it throws
   * (the errors are thrown together at the end). Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= stopAll(this.#started.map((s) => s.component));
    return this.#stopping;
  }
}
