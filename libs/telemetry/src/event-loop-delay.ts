import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/**
 * How often the event-loop delay histogram (`nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,
 * p99}_seconds`) times the loop: libuv wakes the loop this often for it. On this project's 2-core
 * VM a wake-up of an otherwise idle Node process costs 150–400 µs of CPU (a bare process with
 * only such a timer, 2 minutes each: 250 ms → 0.06 % of a core, 1 000 ms → 0.04 %); prom-client's
 * default (10 ms) was 0.5 % of a core, as much as everything else an idle node does, and 250 ms
 * was four of the ~8 wake-ups a second of an idle node. At 1 s every stall longer than a second
 * is caught, shorter ones in proportion to their length.
 */
export const EVENT_LOOP_MONITORING_PRECISION_MS = 1_000;

/**
 * prom-client's own histogram cannot be turned off with the rest of its default metrics on: it is
 * given this resolution (its timer set ~25 days out, so it never wakes the loop) and its series
 * are replaced by {@link registerEventLoopDelay}'s.
 */
export const PROM_CLIENT_LAG_RESOLUTION_MS = 2 ** 31 - 1;

const SERIES = [
  ['nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.', 'min'],
  ['nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.', 'max'],
  ['nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.', 'mean'],
  ['nodejs_eventloop_lag_stddev_seconds', 'The standard deviation of the recorded event loop delays.', 'stddev'],
  ['nodejs_eventloop_lag_p50_seconds', 'The 50th percentile of the recorded event loop delays.', 50],
  ['nodejs_eventloop_lag_p90_seconds', 'The 90th percentile of the recorded event loop delays.', 90],
  ['nodejs_eventloop_lag_p99_seconds', 'The 99th percentile of the recorded event loop delays.', 99],
] as const;

/** The names {@link registerEventLoopDelay} takes over from prom-client's default metrics. */
export const EVENT_LOOP_DELAY_SERIES: readonly string[] = SERIES.map(([name]) => name);

/** What one histogram reading is in seconds of delay (the sampling interval taken off; 0 before the first sample). */
export function delaySeconds(ns: number, count: number, resolutionMs: number, kind: 'stddev' | 'other'): number {
  if (count === 0 || !Number.isFinite(ns)) return 0;
  if (kind === 'stddev') return ns / 1e9;
  return Math.max(0, ns / 1e6 - resolutionMs) / 1e3;
}

/**
 * prom-client's event-loop delay series, from a histogram sampled every `resolutionMs`, replacing
 * prom-client's (the registry must hold them, from collectDefaultMetrics). The values are the
 * delay beyond the sampling interval: Node's histogram records the time between two of its timer
 * callbacks, interval included, which prom-client reports as it is (at its 10 ms default an idle
 * process shows a 10 ms "lag"; at 1 s it would show a second). Cumulative since the start, as
 * prom-client's are. `nodejs_eventloop_lag_seconds` (a setImmediate timed at each scrape) stays
 * prom-client's.
 */
export function registerEventLoopDelay(registry: Registry, resolutionMs = EVENT_LOOP_MONITORING_PRECISION_MS): void {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  for (const [name, help, stat] of SERIES) {
    registry.removeSingleMetric(name);
    const read = (): number => {
      const ns = typeof stat === 'number' ? histogram.percentile(stat) : histogram[stat];
      return delaySeconds(ns, histogram.count, resolutionMs, stat === 'stddev' ? 'stddev' : 'other');
    };
    new Gauge({
      name,
      help: `${help} Beyond the ${resolutionMs} ms sampling interval.`,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }
}
