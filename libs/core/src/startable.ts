/**
 * Lifecycle of every long-lived component. `start` may be called once; `stop` is idempotent and
 * must finish in-flight work or abandon it cleanly before resolving.
 */
export interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function isStartable(value: unknown): value is Startable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Startable).start === 'function' &&
    typeof (value as Startable).stop === 'function'
  );
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
