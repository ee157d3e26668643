import { sleepWith, type Clock, type TimerHandle } from './clock.ts';

interface ManualTimer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/**
 * A clock that only moves when told to. Timers fire in deadline order (ties in creation order)
 * during {@link ManualClock.advance}, so every scenario replays exactly, like etcd raft's `tick()`.
 * Timers live in a binary heap (cleared ones are skipped lazily), so a simulation with tens of
 * thousands of pending timers costs O(log n) per timer.
 */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  readonly #heap: ManualTimer[] = [];
  readonly #live = new Set<number>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), fn };
    this.#live.add(timer.id);
    this.#push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.#live.delete((handle as { id: number }).id);
  }

  sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void> {
    return sleepWith(this, ms, options);
  }

  /** Number of timers not yet fired. */
  get pending(): number {
    return this.#live.size;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, including timers
   * scheduled by the callbacks themselves. Microtasks run between timers so promise chains
   * started by one timer settle before the next fires.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await flushMicrotasks();
      const next = this.#peek();
      if (next === undefined || next.at > target) break;
      this.#pop();
      this.#live.delete(next.id);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
    }
    this.#now = target;
    await flushMicrotasks();
  }

  /** The earliest live timer, dropping cleared ones from the top of the heap. */
  #peek(): ManualTimer | undefined {
    while (this.#heap.length > 0 && !this.#live.has(this.#heap[0]!.id)) this.#pop();
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
      [h[i], h[parent]] = [h[parent]!, h[i]!];
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
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

/** Lets already-queued promise continuations run (a few turns, for chained awaits). */
export async function flushMicrotasks(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}
