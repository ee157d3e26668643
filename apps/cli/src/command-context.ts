import { resolveToken } from './api-token.ts';
import { NodeClient } from './node-client.ts';
import { resolveNode, type ResolveNodeInit } from './node-url.ts';
import type { ProgressMode } from './progress.ts';

/** What the CLI reads from and writes to; `main.ts` passes the process's, specs may pass others. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Draw progress bars only on a terminal. */
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborted on Ctrl-C / SIGTERM with an InterruptedError. */
  readonly signal: AbortSignal;
}

/** The global options, after parsing (commander's `optsWithGlobals()`). */
export interface GlobalOptions {
  readonly node?: string | undefined;
  readonly json: boolean;
  readonly quiet: boolean;
  /** Per-request deadline of metadata calls, ms. */
  readonly timeout: number;
  /** A transfer with no byte for this long is aborted, ms. */
  readonly stallTimeout: number;
  /** --token: the bearer token of every request (else PEERWEAVE_TOKEN, else the local cluster's). */
  readonly token?: string | undefined;
}

export interface CommandContextInit {
  readonly io: CliIo;
  readonly globals: GlobalOptions;
  readonly repoRoot: string | undefined;
  readonly composePort?: ResolveNodeInit['composePort'];
}

/** Everything a command needs: output helpers, the node client, the progress mode. */
export class CommandContext {
  readonly io: CliIo;
  readonly globals: GlobalOptions;
  readonly repoRoot: string | undefined;
  readonly #composePort: ResolveNodeInit['composePort'];
  #client: Promise<NodeClient> | undefined;

  constructor(init: CommandContextInit) {
    this.io = init.io;
    this.globals = init.globals;
    this.repoRoot = init.repoRoot;
    this.#composePort = init.composePort;
  }

  get signal(): AbortSignal {
    return this.io.signal;
  }

  /**
   * The node to talk to, resolved once per command (--node, PEERWEAVE_NODE, Compose, default), with
   * the token to send it (--token, PEERWEAVE_TOKEN, the local cluster's .peerweave/token).
   */
  client(): Promise<NodeClient> {
    this.#client ??= resolveNode({
      flag: this.globals.node,
      env: this.io.env.PEERWEAVE_NODE,
      repoRoot: this.repoRoot,
      composePort: this.#composePort,
    }).then(({ url, source }) => {
      const { token, source: tokenSource } = resolveToken({ flag: this.globals.token, env: this.io.env.PEERWEAVE_TOKEN, nodeSource: source, repoRoot: this.repoRoot });
      return new NodeClient({ baseUrl: url, source, timeoutMs: this.globals.timeout, token, tokenSource });
    });
    return this.#client;
  }

  /** A bar on a terminal unless --json/--quiet; plain lines otherwise; nothing with --quiet. */
  get progressMode(): ProgressMode {
    if (this.globals.quiet) return 'none';
    return this.io.stderrIsTTY && !this.globals.json ? 'bar' : 'line';
  }

  /** One line of the result on stdout. */
  out(text: string): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** The result as one JSON document on stdout (--json). */
  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A message on stderr, unless --quiet. */
  info(text: string): void {
    if (!this.globals.quiet) this.io.stderr.write(`${text}\n`);
  }
}
