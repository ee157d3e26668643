import { EXIT, type ExitCode } from './exit-codes.ts';

/**
 * Every failure the CLI reports: one line on stderr (`peerweave: <message>`) and an exit code.
 * One class per kind, each with a stable `name`, so callers and tests branch on the class.
 */
export abstract class CliError extends Error {
  abstract readonly exitCode: ExitCode;
}

/** The node answered 4xx/5xx; `code` is the server's stable `code` (INVALID_CID, NOT_FOUND, …). */
export class ServerError extends CliError {
  override readonly name: string = 'ServerError';
  readonly exitCode: ExitCode = EXIT.SERVER;
  readonly status: number;
  readonly code: string;
  readonly serverMessage: string;

  constructor(status: number, code: string, serverMessage: string) {
    super(`${serverMessage} (HTTP ${status} ${code})`);
    this.status = status;
    this.code = code;
    this.serverMessage = serverMessage;
  }
}

/**
 * The node answered 401 UNAUTHENTICATED or 403 PERMISSION_DENIED: a ServerError (callers that
 * branch on the status still can) with its own exit code and a message that says what to do.
 */
export class AuthError extends ServerError {
  override readonly name = 'AuthError';
  override readonly exitCode = EXIT.AUTH;

  constructor(status: number, code: string, serverMessage: string, hint: string) {
    super(status, code, serverMessage);
    this.message = `${serverMessage} (HTTP ${status} ${code}); ${hint}`;
  }
}

/** No connection, a cut connection, a deadline passed, or a transfer stalled. */
export class UnreachableError extends CliError {
  override readonly name = 'UnreachableError';
  readonly exitCode = EXIT.UNREACHABLE;
}

/** The command line is wrong. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  readonly exitCode = EXIT.USAGE;
}

/** A local file could not be read or written. */
export class LocalFileError extends CliError {
  override readonly name = 'LocalFileError';
  readonly exitCode = EXIT.LOCAL_FILE;
}

/** SIGINT/SIGTERM arrived while a command ran. */
export class InterruptedError extends CliError {
  override readonly name = 'InterruptedError';
  readonly exitCode = EXIT.INTERRUPTED;

  constructor(signal: string) {
    super(`interrupted (${signal})`);
  }
}

/** `ENOENT: no such file or directory, open 'x'` → `x: no such file or directory`. */
export function localFileError(err: unknown, path: string, doing: string): LocalFileError {
  const e = err as NodeJS.ErrnoException;
  const why = e?.code ? describeErrno(e) : String(e?.message ?? err);
  return new LocalFileError(`cannot ${doing} ${path}: ${why}`, { cause: err });
}

function describeErrno(e: NodeJS.ErrnoException): string {
  // Node's messages look like "ENOENT: no such file or directory, open '/x'"; keep the middle part.
  const m = /^[A-Z0-9_]+: ([^,]+)/.exec(e.message);
  return m?.[1] ? `${m[1]} (${e.code})` : String(e.code);
}
