/**
 * Exit codes of `peerweave`, documented in its --help and in apps/cli/README.md. Scripts depend on
 * them: only append to this list.
 */
export const EXIT = {
  /** Done. */
  OK: 0,
  /** The node answered with an error (4xx/5xx): bad CID, unknown object, quorum not met, … */
  SERVER: 1,
  /** The command line is wrong: unknown command or option, missing or malformed argument. */
  USAGE: 2,
  /** The node could not be reached, or did not answer in time (--timeout, or a stalled transfer). */
  UNREACHABLE: 3,
  /** A local file could not be read or written. */
  LOCAL_FILE: 4,
  /** Interrupted by SIGINT/SIGTERM (128 + 2, as shells report it). */
  INTERRUPTED: 130,
  /** The node refused the credentials: 401 (no token, or one it does not know) or 403 (the token lacks the scope). */
  AUTH: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table printed by `peerweave --help` and copied into the README. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0  ok',
  '  1  the node said no (HTTP 4xx/5xx, e.g. INVALID_CID, NOT_FOUND, INSUFFICIENT_REPLICAS)',
  '  2  usage error (unknown command or option, bad argument)',
  '  3  cannot reach the node, or it did not answer in time (--timeout, stalled transfer)',
  '  4  local file error (cannot read the file to put, cannot write the file of get)',
  '  5  the node refused the token: none, unknown (HTTP 401) or without the scope (HTTP 403)',
  '  130 interrupted (Ctrl-C)',
].join('\n');
