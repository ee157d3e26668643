import type { Counter, Gauge, Histogram, Labels, MetricOptions, Metrics } from '@peerweave/core';

/** Metrics that remember every counter increment, for assertions. Gauges and histograms are ignored. */
export class RecordingMetrics implements Metrics {
  readonly #counters = new Map<string, Map<string, number>>();

  counter<L extends string>(options: MetricOptions<L>): Counter<L> {
    const values = this.#counters.get(options.name) ?? new Map<string, number>();
    this.#counters.set(options.name, values);
    return {
      inc: (labels, value = 1) => {
        const key = labelKey(labels ?? {});
        values.set(key, (values.get(key) ?? 0) + value);
      },
    };
  }

  gauge<L extends string>(): Gauge<L> {
    return { set: () => {}, inc: () => {}, dec: () => {} };
  }

  histogram<L extends string>(): Histogram<L> {
    return { observe: () => {} };
  }

  /** The counter's value for exactly these labels (0 when never incremented). */
  value(name: string, labels: Labels = {}): number {
    return this.#counters.get(name)?.get(labelKey(labels)) ?? 0;
  }
}

function labelKey(labels: Partial<Labels>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}
