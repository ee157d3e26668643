import cliProgress from 'cli-progress';
import { formatBytes, formatDuration, formatRate } from './format.ts';

/** bar: a live bar (stderr is a terminal); line: a few plain lines; none: --quiet. */
export type ProgressMode = 'bar' | 'line' | 'none';

/** In line mode, a transfer still running prints where it is this often. */
export const DEFAULT_LINE_INTERVAL_MS = 10_000;

export interface ProgressInit {
  readonly mode: ProgressMode;
  readonly stream: NodeJS.WritableStream;
  /** "put photo.jpg", "get bafy…" */
  readonly label: string;
  /** Bytes expected; undefined when unknown (no bar then, just the count). */
  readonly total?: number | undefined;
  readonly lineIntervalMs?: number;
  readonly now?: () => number;
}

/** Progress of one transfer; `finish` prints the closing line ("stored bafy… (50.0 MiB in …)"). */
export interface TransferProgress {
  update(bytes: number): void;
  /** Stops the bar; prints `summary` unless quiet. */
  finish(summary: string): void;
  /** Stops the bar without a summary (the error is printed by the caller). */
  abort(): void;
}

export function createProgress(init: ProgressInit): TransferProgress {
  switch (init.mode) {
    case 'bar':
      return new BarProgress(init);
    case 'line':
      return new LineProgress(init);
    case 'none':
      return { update: () => {}, finish: () => {}, abort: () => {} };
  }
}

/** "put photo.jpg: 12.0 MiB of 50.0 MiB (24%), 23.8 MiB/s" — one line of line mode. */
export function progressLine(label: string, bytes: number, total: number | undefined, elapsedMs: number): string {
  const of = total !== undefined && total > 0 ? ` of ${formatBytes(total)} (${Math.floor((bytes / total) * 100)}%)` : '';
  return `${label}: ${formatBytes(bytes)}${of}, ${formatRate(bytes, elapsedMs)}`;
}

/** Seconds left at the average rate so far; undefined before there is a rate. */
export function etaMs(bytes: number, total: number | undefined, elapsedMs: number): number | undefined {
  if (total === undefined || bytes <= 0 || elapsedMs <= 0) return undefined;
  return Math.max(0, ((total - bytes) * elapsedMs) / bytes);
}

class LineProgress implements TransferProgress {
  readonly #init: ProgressInit;
  readonly #now: () => number;
  readonly #started: number;
  #lastLine: number;

  constructor(init: ProgressInit) {
    this.#init = init;
    this.#now = init.now ?? Date.now;
    this.#started = this.#now();
    this.#lastLine = this.#started;
  }

  update(bytes: number): void {
    const now = this.#now();
    if (now - this.#lastLine < (this.#init.lineIntervalMs ?? DEFAULT_LINE_INTERVAL_MS)) return;
    this.#lastLine = now;
    this.#init.stream.write(`${progressLine(this.#init.label, bytes, this.#init.total, now - this.#started)}\n`);
  }

  finish(summary: string): void {
    this.#init.stream.write(`${summary}\n`);
  }

  abort(): void {}
}

class BarProgress implements TransferProgress {
  readonly #init: ProgressInit;
  readonly #bar: cliProgress.SingleBar;
  readonly #started = Date.now();
  readonly #known: boolean;

  constructor(init: ProgressInit) {
    this.#init = init;
    this.#known = init.total !== undefined && init.total > 0;
    const format = this.#known
      ? '{label} [{bar}] {percentage}% | {done} / {size} | {speed} | ETA {remaining}'
      : '{label} {done} | {speed}';
    this.#bar = new cliProgress.SingleBar(
      {
        stream: init.stream,
        format,
        barCompleteChar: '█',
        barIncompleteChar: '░',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        fps: 8,
        // The bar is drawn only on a terminal; never fall back to its own non-TTY output.
        noTTYOutput: false,
      },
      cliProgress.Presets.shades_classic,
    );
    this.#bar.start(this.#known ? init.total! : 1, 0, this.#payload(0));
  }

  update(bytes: number): void {
    this.#bar.update(this.#known ? bytes : 0, this.#payload(bytes));
  }

  finish(summary: string): void {
    this.#bar.stop();
    this.#init.stream.write(`${summary}\n`);
  }

  abort(): void {
    this.#bar.stop();
  }

  #payload(bytes: number): Record<string, string> {
    const elapsed = Date.now() - this.#started;
    const eta = etaMs(bytes, this.#init.total, elapsed);
    return {
      label: this.#init.label,
      done: formatBytes(bytes),
      size: formatBytes(this.#init.total ?? 0),
      speed: formatRate(bytes, elapsed),
      remaining: eta === undefined ? '–' : formatDuration(eta),
    };
  }
}
