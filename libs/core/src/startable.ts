/**
 * Lifecycle of every long-lived component. `start` may be called once; `stop` is idempotent and
 * must finish in-flight work or abandon it cleanly before resolving.
 */
export interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts components in order; if one fails, stops the ones already started (reverse order). */
export async function startAll(components: readonly Startable[]): Promise<void> {
  const started: Startable[] = [];
  try {
    for (const c of components) {
      await c.start();
      started.push(c);
    }
  } catch (err) {
    await stopAll(started);
    throw err;
  }
}

/** Stops components in reverse order; every one is asked even if an earlier one throws. */
export async function stopAll(components: readonly Startable[]): Promise<void> {
  const errors: unknown[] = [];
  for (const c of [...components].reverse()) {
    try {
      await c.stop();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'several components failed to stop');
}

/**
 * A facade's components as one Startable: `start` starts them in order (once, however often it is
 * called; a failure stops those already started), `stop` stops them in reverse (idempotent).
 */
export class StartableGroup implements Startable {
  readonly #components: readonly Startable[];
  #running = false;

  constructor(components: readonly Startable[]) {
    this.#components = components;
  }

  /** Started and not stopped since. */
  get running(): boolean {
    return this.#running;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await startAll(this.#components);
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await stopAll(this.#components);
  }
}
