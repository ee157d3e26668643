/**
 * The metrics contract every lib receives by injection. Only the telemetry lib touches
 * prom-client; names follow `peerweave_<area>_<what>_<unit>` and the implementation rejects others.
 */
export type Labels = Record<string, string | number>;

export interface MetricOptions<L extends string = string> {
  /** Full name, e.g. `peerweave_routing_lookups_total`. */
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export interface HistogramOptions<L extends string = string> extends MetricOptions<L> {
  /** Upper bounds of the buckets, in the metric's unit. */
  buckets?: readonly number[];
}

export interface Counter<L extends string = string> {
  inc(labels?: Partial<Record<L, string | number>>, value?: number): void;
}

export interface Gauge<L extends string = string> {
  set(value: number, labels?: Partial<Record<L, string | number>>): void;
  inc(labels?: Partial<Record<L, string | number>>, value?: number): void;
  dec(labels?: Partial<Record<L, string | number>>, value?: number): void;
}

export interface Histogram<L extends string = string> {
  observe(value: number, labels?: Partial<Record<L, string | number>>): void;
}

export interface Metrics {
  counter<L extends string>(options: MetricOptions<L>): Counter<L>;
  gauge<L extends string>(options: MetricOptions<L> & { collect?: () => number }): Gauge<L>;
  histogram<L extends string>(options: HistogramOptions<L>): Histogram<L>;
}

/** Metric names must match this: the project prefix, lowercase snake case. */
export const METRIC_NAME = /^peerweave_[a-z][a-z0-9_]*$/;

const noCounter = { inc: () => {} };
const noGauge = { set: () => {}, inc: () => {}, dec: () => {} };
const noHistogram = { observe: () => {} };

/** Metrics that record nothing, for tests and simulations. */
export const noopMetrics: Metrics = {
  counter: () => noCounter,
  gauge: () => noGauge,
  histogram: () => noHistogram,
};
