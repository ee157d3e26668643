export { createLogger, type LoggerInit, type RootLogger } from './logger.ts';
export { createMetrics, MetricsRegistry, DEFAULT_COLLECT_DEFAULT, EVENT_LOOP_MONITORING_PRECISION_MS, type MetricsInit } from './metrics-registry.ts';
export { registerNodeMetrics, type NodeMetricsInit } from './node-metrics.ts';
