import { readFileSync, statSync, type Stats } from 'node:fs';
import { ConfigError, type Logger, type Startable } from '@peerweave/core';
import { API_TOKENS_VARIABLE, ApiTokens } from './api-tokens.ts';

/**
 * How often the tokens file is looked at for changes (a stat; Docker and Kubernetes secrets are
 * replaced by rename, which inotify-based watching can miss). A rotated or revoked token applies
 * within this. Each look wakes an idle node's event loop (~30 µs of CPU in a running node on the
 * 2-core bench VM): every 2 s that was a sixteenth of its wake-ups; Kubernetes itself takes up to
 * about a minute to bring a changed Secret into a pod.
 */
export const DEFAULT_TOKENS_POLL_MS = 10_000;

export interface ApiTokensFileInit {
  path: string;
  logger: Logger;
  /** Default {@link DEFAULT_TOKENS_POLL_MS}. */
  pollMs?: number;
}

/**
 * The tokens file, read at start (a missing or malformed file stops the node with a ConfigError
 * naming PEERWEAVE_API_TOKENS_FILE) and again whenever it changes or {@link reload} is called,
 * so tokens rotate without a restart. A changed file that does not parse is logged and
 * the tokens in force stay: a half-written file never opens or closes the API.
 */
export class ApiTokensFile implements Startable {
  readonly #init: ApiTokensFileInit;
  #tokens: ApiTokens | undefined;
  /** The file as it was when last read (loaded or not), to tell a change from the poll. */
  #seen: Pick<Stats, 'mtimeMs' | 'size' | 'ino'> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(init: ApiTokensFileInit) {
    this.#init = init;
  }

  /** The tokens in force; only once started. */
  current(): ApiTokens {
    if (this.#tokens === undefined) throw new ConfigError(`${API_TOKENS_VARIABLE} was not loaded`);
    return this.#tokens;
  }

  async start(): Promise<void> {
    this.#tokens = this.#read();
    this.#init.logger.info({ file: this.#init.path, tokens: this.#tokens.size }, 'API tokens loaded');
    // A stat per period compared with the file last read (not fs.watchFile's first stat, taken
    // later: a change in between would be missed for good).
    this.#timer = setInterval(() => this.#poll(), this.#init.pollMs ?? DEFAULT_TOKENS_POLL_MS).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Reads the file again; true when the new tokens are in force, false when it kept the old ones. */
  reload(): boolean {
    try {
      const tokens = this.#read();
      this.#tokens = tokens;
      this.#init.logger.warn({ file: this.#init.path, tokens: tokens.size }, 'API tokens reloaded');
      return true;
    } catch (err) {
      this.#init.logger.error({ file: this.#init.path, err: (err as Error).message }, 'API tokens file changed but cannot be used; the previous tokens stay in force');
      return false;
    }
  }

  #poll(): void {
    let now: Stats;
    try {
      now = statSync(this.#init.path);
    } catch {
      now = { mtimeMs: -1, size: -1, ino: -1 } as Stats; // gone: a change, reported by reload()
    }
    const seen = this.#seen;
    if (seen !== undefined && now.mtimeMs === seen.mtimeMs && now.size === seen.size && now.ino === seen.ino) return;
    this.reload();
  }

  #read(): ApiTokens {
    let text: string;
    try {
      const stats = statSync(this.#init.path);
      // Remembered before the read: a write after the stat shows as a change at the next poll.
      this.#seen = { mtimeMs: stats.mtimeMs, size: stats.size, ino: stats.ino };
      if (!stats.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
      text = readFileSync(this.#init.path, 'utf8');
    } catch (err) {
      if (this.#seen === undefined || (err as NodeJS.ErrnoException).code === 'ENOENT') this.#seen = { mtimeMs: -1, size: -1, ino: -1 };
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError(`${API_TOKENS_VARIABLE}=${this.#init.path} is invalid: cannot read it (${code})`, {
        cause: err,
        details: { variable: API_TOKENS_VARIABLE },
      });
    }
    return ApiTokens.parse(text, this.#init.path);
  }
}
