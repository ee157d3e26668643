import { sleepWith, type Clock, type TimerHandle } from './clock.ts';

/** A pending timer; it is also the handle setTimeout returns. */
interface ManualTimer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
  /** False once fired or cleared: the heap drops it when it reaches the top. */
  live: boolean;
}

/**
 * Awaited once per microtask turn. Awaiting a settled native promise takes one turn, as awaiting
 * a new `Promise.resolve()` does, without allocating that promise (the simulator awaits 11 times
 * for every timer it fires).
 */
const SETTLED = Promise.resolve();

/** Turns that {@link flushMicrotasks} takes with its default 10, counting the await of its own promise. */
const FLUSH_TURNS = 11;

/**
 * A clock that only moves when told to. Timers fire in deadline order (ties in creation order)
 * during {@link ManualClock.advance}, so every scenario replays exactly, like etcd raft's `tick()`.
 * Timers live in a binary heap (cleared ones are skipped lazily), so a simulation with tens of
 * thousands of pending timers costs O(log n) per timer; a timer is its own handle and carries its
 * own liveness, so setting, clearing and firing one touch no other collection.
 */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  readonly #heap: ManualTimer[] = [];
  #pending = 0;

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), fn, live: true };
    this.#pending++;
    this.#push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = handle as Partial<ManualTimer>;
    if (timer.live !== true) return;
    timer.live = false;
    this.#pending--;
  }

  sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void> {
    return sleepWith(this, ms, options);
  }

  /** Number of timers not yet fired. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, including timers
   * scheduled by the callbacks themselves. Microtasks run between timers so promise chains
   * started by one timer settle before the next fires.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      // As `await flushMicrotasks()`, turn for turn, without a promise per turn and per call.
      for (let i = 0; i < FLUSH_TURNS; i++) await SETTLED;
      const next = this.#peek();
      if (next === undefined || next.at > target) break;
      this.#pop();
      next.live = false;
      this.#pending--;
      this.#now = Math.max(this.#now, next.at);
      next.fn();
    }
    this.#now = target;
    for (let i = 0; i < FLUSH_TURNS; i++) await SETTLED;
  }

  /** The earliest live timer, dropping cleared ones from the top of the heap. */
  #peek(): ManualTimer | undefined {
    while (this.#heap.length > 0 && !this.#heap[0]!.live) this.#pop();
    return this.#heap[0];
  }

  #before(a: ManualTimer, b: ManualTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.id < b.id);
  }

  #push(timer: ManualTimer): void {
    const h = this.#heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(h[i]!, h[parent]!)) break;
      // A swap through a temporary: the destructuring swap allocated an array per step.
      const t = h[i]!;
      h[i] = h[parent]!;
      h[parent] = t;
      i = parent;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.#before(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.#before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      const t = h[i]!;
      h[i] = h[m]!;
      h[m] = t;
      i = m;
    }
  }
}

/** Lets already-queued promise continuations run (a few turns, for chained awaits). */
export async function flushMicrotasks(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await SETTLED;
}
