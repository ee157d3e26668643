import { queryObjects, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Gives memory back to the OS once a node is quiet again after a burst of work (issue #12).
 *
 * Measured (Node 24, one peer, 10 000 × 4 KiB puts): afterwards the live V8 heap is ~27 MiB but
 * RSS stays ~100 MiB above the empty node's for as long as the node idles. V8 keeps the pages a
 * GC frees in a pool (~55 MiB here, `--trace-gc` prints it as "pooled") and returns them only on
 * a memory-reducing GC; its memory reducer starts one when it sees a low allocation rate, but it
 * estimates that rate at GCs, and an idle node allocates so little that no GC comes to correct the
 * burst's figure: the reducer logs "high alloc" every 8 s, forever. `--optimize-for-size` makes it
 * act (it then treats the process as in the background) but doubled the CPU of a put; `gc()`
 * (`--expose-gc`) shrinks the heap without emptying the pool. What does: a full collection of all
 * available garbage, which V8 runs before `v8.queryObjects()` walks the heap; asked for a class
 * that has no instances, the walk finds nothing. About 0.1–0.7 s of CPU, once per quiet spell
 * after work, never while idle: with nothing to give back, nothing is done.
 *
 * What stays after it is mostly malloc's: V8's collection frees the burst's buffers (their backing
 * stores are malloc'd), but glibc gives back only the top of an arena, and the freed pages lie
 * between chunks still in use. Only `malloc_trim(0)` returns those, and Node has no binding for it:
 * a native addon would (measured: 126–132 → ~101 MiB after 10 000 puts), but the project avoids
 * native addons, so that part stays (see README, Memory).
 *
 * Start-up is such a burst too (parsing and compiling the bundle, opening databases, joining):
 * `start()` makes the first quiet spell after it release once whatever RSS did. Measured, one idle
 * node from the bundle 20 s after start: 99.7 MiB, 95.4 after the collection.
 */
export interface MemoryReleaseInit {
  /** How often RSS and CPU are read. Default {@link MEMORY_RELEASE_CHECK_MS}. */
  checkMs?: number;
  /** RSS growth above the level after the last release (or start) that is worth a release. Default {@link MEMORY_RELEASE_GROWTH_BYTES}. */
  growthBytes?: number;
  /** A check period is quiet when the process used at most this fraction of a core in it. Default {@link MEMORY_RELEASE_QUIET_CPU}. */
  quietCpu?: number;
  /** Consecutive quiet periods before a release. Default {@link MEMORY_RELEASE_QUIET_CHECKS}. */
  quietChecks?: number;
  /** The same for the one release after start-up. Default {@link MEMORY_RELEASE_STARTUP_QUIET_CHECKS}. */
  startupQuietChecks?: number;
  /**
   * Called first in each release: caches outside V8 let go of what they hold (SQLite's page
   * caches), so that the collection's release finds their pages free too. When it returns a
   * promise (the block store's checkpoint, which lets go of the names of the blocks its commit log
   * covered), the collection waits for it, and no other release starts meanwhile.
   */
  shrink?: () => void | Promise<void>;
  /** After each release. */
  onRelease?: (event: MemoryReleaseEvent) => void;
  /** Tests: RSS in bytes, CPU seconds so far, the release itself, a clock. */
  rss?: () => number;
  cpuSeconds?: () => number;
  release?: () => void;
  now?: () => number;
}

export interface MemoryReleaseEvent {
  rssBefore: number;
  rssAfter: number;
  ms: number;
}

/** One read every 5 s: `process.memoryUsage.rss()` and `process.cpuUsage()`, a few µs each. */
export const MEMORY_RELEASE_CHECK_MS = 5_000;
/** 16 MiB: an idle node's RSS moves by a few MiB on its own. */
export const MEMORY_RELEASE_GROWTH_BYTES = 16 * 1024 * 1024;
/** 2 % of a core: an idle node uses under 1 %; a node serving requests more. */
export const MEMORY_RELEASE_QUIET_CPU = 0.02;
/**
 * Six quiet periods (30 s), as a JVM waits before it uncommits an idle heap: a burst that resumes
 * within half a minute reuses the pages instead of paying a full collection at every lull, and the
 * release's CPU (a full collection, 0.1–0.4 s in the cluster) lands after the burst's tail, not in
 * it. Measured in the 22-container quiet bench with two periods (10 s): the releases of a dozen
 * nodes made a 98 % of a core spike 15 s after the last put, and back-to-idle took 50 s.
 */
export const MEMORY_RELEASE_QUIET_CHECKS = 6;
/**
 * Two quiet periods (10 s) for the release after start-up: no burst resumes there, and it belongs
 * to start-up, not to the idle node that follows (measured with six: every node of the quiet
 * bench released 30–40 s after start, inside its idle window, +0.2 % of a core each).
 */
export const MEMORY_RELEASE_STARTUP_QUIET_CHECKS = 2;

/** The instance-less class whose (empty) query makes V8 collect all available garbage. */
class NoInstances {}

type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;
let lastResortGc: GcFunction | null | undefined;

/**
 * V8's `gc()` of a context made after `--expose-gc` was set (the flag is read when a context is
 * created, so it stays out of the node's own global scope), or null where it cannot be had.
 */
function gcFunction(): GcFunction | null {
  if (lastResortGc !== undefined) return lastResortGc;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    lastResortGc = typeof gc === 'function' ? (gc as GcFunction) : null;
  } catch {
    lastResortGc = null;
  }
  return lastResortGc;
}

/**
 * V8's "last resort" collection (CollectAllAvailableGarbage: full collections, memory-reducing,
 * until nothing more is freed), which empties the page pool. `gc({ flavor: 'last-resort' })` runs
 * exactly that; `v8.queryObjects()` runs it too but then walks the whole heap, which made it 4–6×
 * dearer for the same release (measured: 0.60–0.67 s against 0.10–0.14 s on a 140–210 MiB heap, and
 * RSS fell further). queryObjects stays the fallback.
 */
export function releaseMemory(): void {
  const gc = gcFunction();
  if (gc !== null) {
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    return;
  }
  // queryObjects() is marked experimental and says so once per process; that note is no news here.
  const emit = process.emitWarning;
  process.emitWarning = () => undefined;
  try {
    queryObjects(NoInstances, { format: 'count' });
  } finally {
    process.emitWarning = emit;
  }
}

/** Watches RSS and CPU; see the file's comment. `start()` / `stop()`; the timer is unref'd. */
export class MemoryRelease {
  readonly #checkMs: number;
  readonly #growth: number;
  readonly #quietCpu: number;
  readonly #quietChecks: number;
  readonly #startupQuietChecks: number;
  readonly #onRelease: ((e: MemoryReleaseEvent) => void) | undefined;
  readonly #rss: () => number;
  readonly #cpu: () => number;
  readonly #release: () => void;
  readonly #shrink: (() => void | Promise<void>) | undefined;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #floor = 0;
  #quiet = 0;
  /** A release is due at the next quiet spell whatever the growth: set by start(). */
  #startup = false;
  #lastCpu = 0;
  #lastAt = 0;
  /** A release waiting for its shrink's promise. */
  #pending: Promise<void> | undefined;
  /** stop() was called: a release still waiting for its shrink does not collect. */
  #stopped = false;

  constructor(init: MemoryReleaseInit = {}) {
    this.#checkMs = init.checkMs ?? MEMORY_RELEASE_CHECK_MS;
    this.#growth = init.growthBytes ?? MEMORY_RELEASE_GROWTH_BYTES;
    this.#quietCpu = init.quietCpu ?? MEMORY_RELEASE_QUIET_CPU;
    this.#quietChecks = init.quietChecks ?? MEMORY_RELEASE_QUIET_CHECKS;
    this.#startupQuietChecks = Math.min(this.#quietChecks, init.startupQuietChecks ?? MEMORY_RELEASE_STARTUP_QUIET_CHECKS);
    this.#onRelease = init.onRelease;
    this.#rss = init.rss ?? (() => process.memoryUsage.rss());
    this.#cpu =
      init.cpuSeconds ??
      (() => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1e6;
      });
    this.#release = init.release ?? releaseMemory;
    this.#shrink = init.shrink;
    this.#now = init.now ?? (() => performance.now());
    this.#reset();
  }

  start(): void {
    if (this.#timer) return;
    this.#stopped = false;
    this.#reset();
    this.#startup = true;
    this.#timer = setInterval(() => this.check(), this.#checkMs);
    this.#timer.unref();
  }

  #reset(): void {
    this.#floor = this.#rss();
    this.#lastCpu = this.#cpu();
    this.#lastAt = this.#now();
    this.#quiet = 0;
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Resolves once a release waiting for its shrink (if any) has run; for tests. */
  async settled(): Promise<void> {
    await this.#pending;
  }

  /**
   * One check (the timer's work; tests call it directly). Returns whether it released, or started
   * a release that runs once the shrink's promise settles.
   */
  check(): boolean {
    if (this.#pending !== undefined) return false;
    const at = this.#now();
    const cpu = this.#cpu();
    const seconds = (at - this.#lastAt) / 1000;
    const busy = seconds > 0 ? (cpu - this.#lastCpu) / seconds : 0;
    this.#lastAt = at;
    this.#lastCpu = cpu;
    const rss = this.#rss();
    // The floor follows RSS down (what the node needs idle), and up only through a release.
    if (rss < this.#floor) this.#floor = rss;
    this.#quiet = busy <= this.#quietCpu ? this.#quiet + 1 : 0;
    if (this.#quiet < (this.#startup ? this.#startupQuietChecks : this.#quietChecks)) return false;
    if (!this.#startup && rss - this.#floor < this.#growth) return false;
    this.#startup = false;
    const t = this.#now();
    const shrunk = this.#shrink?.();
    if (shrunk instanceof Promise) {
      // A failed shrink still collects what V8 holds: its own errors are its owner's to report.
      this.#pending = shrunk
        .catch(() => {})
        .then(() => {
          if (!this.#stopped) this.#collect(rss, t);
        })
        .finally(() => (this.#pending = undefined));
      return true;
    }
    this.#collect(rss, t);
    return true;
  }

  #collect(rss: number, t: number): void {
    this.#release();
    const after = this.#rss();
    const ms = this.#now() - t;
    // Whatever stays is what the node now holds: no second release until it grows again.
    this.#floor = after;
    this.#quiet = 0;
    this.#lastCpu = this.#cpu();
    this.#lastAt = this.#now();
    this.#onRelease?.({ rssBefore: rss, rssAfter: after, ms });
  }
}
