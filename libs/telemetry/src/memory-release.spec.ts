import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MEMORY_RELEASE_CHECK_MS, MEMORY_RELEASE_QUIET_CHECKS, MemoryRelease, releaseMemory, type MemoryReleaseEvent } from './memory-release.ts';

const MiB = 1024 * 1024;

/** A process whose RSS, CPU and clock the test sets; a release drops RSS to `after`. */
function fakeProcess(rss: number) {
  const p = { rss, cpu: 0, now: 0, after: rss, releases: 0, events: [] as MemoryReleaseEvent[] };
  const r = new MemoryRelease({
    checkMs: 10_000,
    growthBytes: 16 * MiB,
    quietCpu: 0.02,
    quietChecks: 2,
    rss: () => p.rss,
    cpuSeconds: () => p.cpu,
    now: () => p.now,
    release: () => {
      p.releases++;
      p.rss = p.after;
    },
    onRelease: (e) => p.events.push(e),
  });
  /** One 10 s period in which the process used `cores` of CPU and ended at `rss`. */
  const period = (cores: number, rssAtEnd = p.rss): boolean => {
    p.now += 10_000;
    p.cpu += cores * 10;
    p.rss = rssAtEnd;
    return r.check();
  };
  return { p, r, period };
}

test('releases once after work, when RSS grew and two periods in a row were quiet', () => {
  const { p, r, period } = fakeProcess(100 * MiB);
  r.start();
  try {
    assert.equal(period(0.8, 200 * MiB), false, 'busy: nothing');
    assert.equal(period(0.5), false, 'still busy');
    assert.equal(period(0.005), false, 'one quiet period is not enough');
    p.after = 110 * MiB;
    assert.equal(period(0.005), true, 'second quiet period: release');
    assert.deepEqual(p.events.map((e) => [e.rssBefore, e.rssAfter]), [[200 * MiB, 110 * MiB]]);
    for (let i = 0; i < 20; i++) assert.equal(period(0.005), false, 'idle afterwards: nothing more');
    assert.equal(p.releases, 1);
  } finally {
    r.stop();
  }
});

test('an idle node that did not grow is left alone, and so is one that stays busy', () => {
  const idle = fakeProcess(100 * MiB);
  for (let i = 0; i < 30; i++) idle.period(0.005, 100 * MiB + (i % 3) * MiB);
  assert.equal(idle.p.releases, 0);
  const busy = fakeProcess(100 * MiB);
  for (let i = 0; i < 30; i++) busy.period(0.3, 300 * MiB);
  assert.equal(busy.p.releases, 0);
});

test('start-up counts as work: the first quiet spell after start() releases once, even without growth', () => {
  const { p, r, period } = fakeProcess(100 * MiB);
  r.start();
  try {
    assert.equal(period(0.3), false, 'still starting');
    assert.equal(period(0.005), false, 'one quiet period is not enough');
    p.after = 85 * MiB;
    assert.equal(period(0.005), true, 'quiet after start: release');
    for (let i = 0; i < 20; i++) assert.equal(period(0.005, 85 * MiB + (i % 3) * MiB), false, 'idle afterwards: nothing more');
    assert.equal(p.releases, 1);
  } finally {
    r.stop();
  }
});

test('each release first lets the caches outside V8 go (shrink), then collects', () => {
  const calls: string[] = [];
  let rss = 100 * MiB;
  let now = 0;
  const r = new MemoryRelease({
    rss: () => rss,
    cpuSeconds: () => 0,
    now: () => now,
    quietChecks: 2,
    shrink: () => void calls.push('shrink'),
    release: () => {
      calls.push('release');
      rss = 100 * MiB;
    },
  });
  rss = 150 * MiB;
  for (let i = 0; i < 3; i++) {
    now += 5_000;
    r.check();
  }
  assert.deepEqual(calls, ['shrink', 'release']);
});

test('memory the node keeps using is not released again until it grows by the threshold once more', () => {
  const { p, period } = fakeProcess(100 * MiB);
  period(0.9, 200 * MiB);
  p.after = 190 * MiB; // little to give back: the memory is in use
  period(0.005);
  period(0.005);
  assert.equal(p.releases, 1);
  for (let i = 0; i < 10; i++) period(0.005, 200 * MiB);
  assert.equal(p.releases, 1, '10 MiB above the new floor: not worth one');
  period(0.9, 210 * MiB);
  period(0.005);
  period(0.005);
  assert.equal(p.releases, 2, '20 MiB above it after more work: one more');
});

test('the floor follows RSS down, so growth counts from what the node needs idle', () => {
  const { p, period } = fakeProcess(120 * MiB);
  period(0.005, 95 * MiB);
  period(0.9, 112 * MiB);
  period(0.005);
  period(0.005);
  assert.equal(p.releases, 1, '17 MiB above the 95 MiB it idled at');
});

test('releaseMemory runs a full collection without printing an experimental warning', () => {
  const warnings: unknown[] = [];
  const listener = (w: unknown): void => void warnings.push(w);
  process.on('warning', listener);
  try {
    releaseMemory();
    releaseMemory();
  } finally {
    process.off('warning', listener);
  }
  assert.deepEqual(warnings, []);
});

test('by default a release after work waits for 30 s of quiet (six 5 s checks); the one after start-up for 10 s', () => {
  assert.equal(MEMORY_RELEASE_QUIET_CHECKS * MEMORY_RELEASE_CHECK_MS, 30_000);
  let rss = 100 * MiB;
  let now = 0;
  let releases = 0;
  const r = new MemoryRelease({ rss: () => rss, cpuSeconds: () => 0, now: () => now, release: () => void releases++ });
  const quietFor = (checks: number): void => {
    for (let i = 0; i < checks; i++) {
      now += MEMORY_RELEASE_CHECK_MS;
      r.check();
    }
  };
  r.start();
  quietFor(2);
  assert.equal(releases, 1, 'start-up: after two quiet checks');
  rss = 150 * MiB;
  quietFor(5);
  assert.equal(releases, 1, 'after work: not before six');
  quietFor(1);
  assert.equal(releases, 2);
  r.stop();
});

test('releaseMemory collects what is garbage, and gc() stays out of the node’s own global scope', () => {
  let garbage: Uint8Array[] | undefined = Array.from({ length: 64 }, () => new Uint8Array(256 * 1024).fill(1));
  const withGarbage = process.memoryUsage().arrayBuffers;
  garbage = undefined;
  releaseMemory();
  assert.equal(garbage, undefined);
  assert.ok(process.memoryUsage().arrayBuffers < withGarbage - 8 * MiB, 'the 16 MiB of dropped buffers were collected');
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
});

test('a shrink that returns a promise (the block store checkpoint) is waited for before the collection; no second release meanwhile', async () => {
  const calls: string[] = [];
  let rss = 100 * MiB;
  let now = 0;
  let finish: () => void = () => {};
  const r = new MemoryRelease({
    rss: () => rss,
    cpuSeconds: () => 0,
    now: () => now,
    quietChecks: 2,
    shrink: () => {
      calls.push('shrink');
      return new Promise<void>((resolve) => (finish = resolve));
    },
    release: () => {
      calls.push('release');
      rss = 100 * MiB;
    },
    onRelease: (e) => calls.push(`released ${e.rssBefore / MiB} → ${e.rssAfter / MiB} MiB`),
  });
  rss = 150 * MiB;
  const checks: boolean[] = [];
  for (let i = 0; i < 6; i++) {
    now += 5_000;
    checks.push(r.check());
  }
  assert.deepEqual(calls, ['shrink'], 'the collection waits for the shrink');
  assert.deepEqual(checks, [false, true, false, false, false, false]);
  finish();
  await r.settled();
  assert.deepEqual(calls, ['shrink', 'release', 'released 150 → 100 MiB']);
});

test('a failed shrink still collects; a stop before the shrink settles does not', async () => {
  const calls: string[] = [];
  let now = 0;
  let fail: (err: Error) => void = () => {};
  const make = (): MemoryRelease =>
    new MemoryRelease({
      rss: () => 150 * MiB,
      cpuSeconds: () => 0,
      now: () => now,
      quietChecks: 1,
      startupQuietChecks: 1,
      shrink: () => new Promise<void>((_, reject) => (fail = reject)),
      release: () => calls.push('release'),
    });
  const a = make();
  a.start();
  now += 5_000;
  assert.equal(a.check(), true);
  fail(new Error('checkpoint failed'));
  await a.settled();
  a.stop();
  assert.deepEqual(calls, ['release']);
  const b = make();
  b.start();
  now += 5_000;
  assert.equal(b.check(), true);
  b.stop();
  fail(new Error('stopping'));
  await b.settled();
  assert.deepEqual(calls, ['release'], 'no collection after stop()');
});
