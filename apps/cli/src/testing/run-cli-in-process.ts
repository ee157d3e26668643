// Runs the CLI in the test's own process (runCli with captured streams): fast, and the nodes it
// talks to may live in the same process. run-cli.ts runs it as a real child process instead.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { runCli, type RunCliInit } from '../cli.ts';
import type { CliIo } from '../command-context.ts';

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface InProcessRunOptions {
  /** Default process.cwd(). */
  cwd?: string;
  /** The CLI's whole environment (default none). */
  env?: Record<string, string>;
  /** Default no checkout: nothing may reach Docker, the local cluster's token or a real node. */
  init?: RunCliInit;
}

export async function runCliInProcess(args: string[], options: InProcessRunOptions = {}): Promise<CapturedRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const io: CliIo = { stdout, stderr, stderrIsTTY: false, env: options.env ?? {}, cwd: options.cwd ?? process.cwd(), signal: new AbortController().signal };
  const code = await runCli(args, io, options.init ?? { repoRoot: undefined });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

/** Asserts that `s` is one line (a trailing newline allowed). */
export const oneLine = (s: string): void => assert.equal(s.trimEnd().split('\n').length, 1, `expected one line, got:\n${s}`);
