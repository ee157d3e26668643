import { pino, stdTimeFunctions, type DestinationStream, type LoggerOptions } from 'pino';
import type { Logger, LogLevel } from '@peerweave/core';

export interface LoggerInit {
  /** Minimum level written; can be changed later through {@link RootLogger.level}. */
  level: LogLevel;
  /**
   * The node id's short form (`NodeId.toShortString()`), bound to every line as `node`. May be
   * left out when the id is not known yet and bound later with `child({ node })`.
   */
  node?: string;
  /** Where lines go; stdout when absent. Tests pass a stream to capture the lines. */
  destination?: DestinationStream;
}

/**
 * The process's root logger: the core {@link Logger} plus its level, which the HTTP API changes at
 * run time. At run time it is a pino instance, so it can be handed to Fastify as `loggerInstance`.
 *
 * Children made with `child()` (one per component, `{ component: 'routing' }`) follow a level
 * change of the root: pino children look their level up on the parent unless given their own.
 */
export interface RootLogger extends Logger {
  level: LogLevel;
}

/** JSON lines on stdout: `{"level":"info","time":"<ISO>","node":"…","component":"…","msg":"…"}`. */
export function createLogger(init: LoggerInit): RootLogger {
  const options: LoggerOptions = {
    level: init.level,
    // Only `node`: pid and hostname say nothing useful inside a container.
    base: init.node === undefined ? {} : { node: init.node },
    timestamp: stdTimeFunctions.isoTime,
    // Level names rather than pino's numbers, so `jq 'select(.level=="error")'` reads naturally.
    formatters: { level: (label) => ({ level: label }) },
  };
  const logger = init.destination === undefined ? pino(options) : pino(options, init.destination);
  // Checks that pino really satisfies the core contract; only `level`'s type (string) is narrower.
  const asCore: Logger = logger;
  return asCore as RootLogger;
}
