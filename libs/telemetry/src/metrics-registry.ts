import { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  InvalidArgumentError,
  METRIC_NAME,
  type Counter,
  type Gauge,
  type Histogram,
  type HistogramOptions,
  type MetricOptions,
  type Metrics,
} from '@peerweave/core';
import { PROM_CLIENT_LAG_RESOLUTION_MS, registerEventLoopDelay } from './event-loop-delay.ts';

export interface MetricsInit {
  /**
   * Also export prom-client's process metrics (`process_resident_memory_bytes`, event-loop lag,
   * GC, heap). Default {@link DEFAULT_COLLECT_DEFAULT}; simulations with many nodes in one
   * process turn it off, since every node would report the same process.
   */
  collectDefault?: boolean;
  /** Labels added to every series of this registry, e.g. `{ cluster: 'lab' }`. */
  defaultLabels?: Record<string, string>;
}

export const DEFAULT_COLLECT_DEFAULT = true;

type Kind = 'counter' | 'gauge' | 'histogram';

interface Entry {
  readonly kind: Kind;
  readonly labelNames: readonly string[];
  /** The wrapper handed out, returned again when the same metric is asked for twice. */
  readonly handle: Counter | Gauge | Histogram;
  readonly collector: Collector;
}

/** A gauge's scrape-time callback; replaced when the metric is asked for again. */
interface Collector {
  collect: (() => number) | undefined;
}

type LabelArg = Partial<Record<string, string | number>> | undefined;

/**
 * The core {@link Metrics} backed by its own prom-client Registry (never the global one, so two
 * nodes in one process, or two test cases, do not share series).
 *
 * Asking twice for a name with the same kind and labels returns the same metric, because a
 * component may be rebuilt (restart, reconfiguration) and register again; a gauge's `collect` is
 * then the new component's. A different kind or label set under the same name throws.
 */
export class MetricsRegistry implements Metrics {
  readonly #registry = new Registry();
  readonly #entries = new Map<string, Entry>();

  constructor(init: MetricsInit = {}) {
    if (init.defaultLabels !== undefined) this.#registry.setDefaultLabels(init.defaultLabels);
    if (init.collectDefault ?? DEFAULT_COLLECT_DEFAULT) {
      collectDefaultMetrics({ register: this.#registry, eventLoopMonitoringPrecision: PROM_CLIENT_LAG_RESOLUTION_MS });
      registerEventLoopDelay(this.#registry);
    }
  }

  /** Content type of {@link text}: the Prometheus text format, version 0.0.4. */
  get contentType(): string {
    return this.#registry.contentType;
  }

  /** Every series in the Prometheus text format; runs the gauges' `collect` callbacks first. */
  text(): Promise<string> {
    return this.#registry.metrics();
  }

  counter<L extends string>(options: MetricOptions<L>): Counter<L> {
    if (!options.name.endsWith('_total')) {
      throw new InvalidArgumentError(
        `counter ${JSON.stringify(options.name)} must end in _total (Prometheus convention for counters)`,
      );
    }
    return this.#getOrCreate('counter', options, () => {
      const c = new PromCounter({ ...this.#config(options) });
      const handle: Counter<L> = {
        inc: (labels, value = 1) => (labels === undefined ? c.inc(value) : c.inc(labels as LabelArg & object, value)),
      };
      return handle;
    }) as Counter<L>;
  }

  gauge<L extends string>(options: MetricOptions<L> & { collect?: () => number }): Gauge<L> {
    const handle = this.#getOrCreate('gauge', options, (collector) => {
      const g = new PromGauge({
        ...this.#config(options),
        collect() {
          if (collector.collect === undefined) return;
          let value: number;
          try {
            value = collector.collect();
          } catch {
            // One broken callback must not fail the whole scrape; NaN (written `Nan`) shows it on dashboards.
            value = Number.NaN;
          }
          this.set(value);
        },
      });
      const gauge: Gauge<L> = {
        set: (value, labels) => (labels === undefined ? g.set(value) : g.set(labels as LabelArg & object, value)),
        inc: (labels, value = 1) => (labels === undefined ? g.inc(value) : g.inc(labels as LabelArg & object, value)),
        dec: (labels, value = 1) => (labels === undefined ? g.dec(value) : g.dec(labels as LabelArg & object, value)),
      };
      return gauge;
    });
    this.#entries.get(options.name)!.collector.collect = options.collect;
    return handle as Gauge<L>;
  }

  histogram<L extends string>(options: HistogramOptions<L>): Histogram<L> {
    return this.#getOrCreate('histogram', options, () => {
      const h = new PromHistogram({
        ...this.#config(options),
        ...(options.buckets === undefined ? {} : { buckets: [...options.buckets] }),
      });
      const handle: Histogram<L> = {
        observe: (value, labels) =>
          labels === undefined ? h.observe(value) : h.observe(labels as LabelArg & object, value),
      };
      return handle;
    }) as Histogram<L>;
  }

  #config<L extends string>(options: MetricOptions<L>) {
    return {
      name: options.name,
      help: options.help,
      labelNames: [...(options.labelNames ?? [])],
      registers: [this.#registry],
    };
  }

  #getOrCreate(kind: Kind, options: MetricOptions, create: (collector: Collector) => Counter | Gauge | Histogram) {
    const { name } = options;
    if (!METRIC_NAME.test(name)) {
      throw new InvalidArgumentError(
        `metric name ${JSON.stringify(name)} is invalid: expected peerweave_<area>_<what>_<unit> in lowercase snake case (${String(METRIC_NAME)})`,
      );
    }
    const labelNames = [...(options.labelNames ?? [])].sort();
    const existing = this.#entries.get(name);
    if (existing !== undefined) {
      if (existing.kind !== kind) {
        throw new InvalidArgumentError(`metric ${name} is already registered as a ${existing.kind}, not a ${kind}`);
      }
      if (existing.labelNames.join(',') !== labelNames.join(',')) {
        throw new InvalidArgumentError(
          `metric ${name} is already registered with labels [${existing.labelNames.join(', ')}], not [${labelNames.join(', ')}]`,
        );
      }
      return existing.handle;
    }
    const collector: Collector = { collect: undefined };
    const handle = create(collector);
    this.#entries.set(name, { kind, labelNames, handle, collector });
    return handle;
  }
}

/** A fresh registry with process metrics on unless `collectDefault: false`. */
export function createMetrics(init: MetricsInit = {}): MetricsRegistry {
  return new MetricsRegistry(init);
}
