import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { waitFor } from '@peerweave/core/testing';
import { delaySeconds, EVENT_LOOP_DELAY_SERIES, PROM_CLIENT_LAG_RESOLUTION_MS, registerEventLoopDelay } from './event-loop-delay.ts';
import { createMetrics } from './metrics-registry.ts';

test('delaySeconds takes the sampling interval off, never below 0, and reads 0 before any sample', () => {
  const cases: [ns: number, count: number, resolutionMs: number, kind: 'stddev' | 'other', seconds: number][] = [
    [1_000_500_000, 3, 1_000, 'other', 0.0005],
    [1_250_000_000, 3, 1_000, 'other', 0.25],
    [999_000_000, 3, 1_000, 'other', 0],
    [10_400_000, 9, 10, 'other', 0.0004],
    [2_000_000, 3, 1_000, 'stddev', 0.002],
    [9_223_372_036_854_776_000, 0, 1_000, 'other', 0],
    [Number.NaN, 0, 1_000, 'other', 0],
    [0, 0, 1_000, 'stddev', 0],
  ];
  for (const [ns, count, resolutionMs, kind, seconds] of cases) {
    assert.ok(Math.abs(delaySeconds(ns, count, resolutionMs, kind) - seconds) < 1e-9, `${ns} ns, ${count} samples, ${resolutionMs} ms, ${kind}`);
  }
});

test('the default metrics carry each event-loop delay series once, as ours', async () => {
  const text = await createMetrics().text();
  for (const name of EVENT_LOOP_DELAY_SERIES) {
    assert.equal(text.match(new RegExp(`^# TYPE ${name} gauge$`, 'gm'))?.length, 1, name);
    assert.match(text, new RegExp(`^# HELP ${name} .*Beyond the 1000 ms sampling interval\\.$`, 'm'));
  }
  assert.match(text, /^nodejs_eventloop_lag_seconds \S+$/m, 'the per-scrape lag gauge stays');
});

test('a blocked loop shows as delay beyond the interval; an idle one as about none', async () => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: PROM_CLIENT_LAG_RESOLUTION_MS });
  registerEventLoopDelay(registry, 20);
  const value = async (name: string): Promise<number> => {
    const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${name} `));
    return Number(line?.split(' ')[1]);
  };
  await waitFor(async () => (await value('nodejs_eventloop_lag_p50_seconds')) >= 0 && (await value('nodejs_eventloop_lag_mean_seconds')) > 0, {
    what: 'a few samples',
  });
  const blockedUntil = performance.now() + 250;
  while (performance.now() < blockedUntil) {
    // Busy: the histogram's timer cannot run.
  }
  const max = await waitFor(async () => {
    const v = await value('nodejs_eventloop_lag_max_seconds');
    return v >= 0.15 ? v : undefined;
  }, { what: 'the stall in the histogram' });
  assert.ok(max < 1, `max ${max} s`);
  assert.ok((await value('nodejs_eventloop_lag_min_seconds')) < 0.15, 'the least delay is not the interval');
});
