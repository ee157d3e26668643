export { createLogger, type LoggerInit, type RootLogger } from './logger.ts';
export { createMetrics, MetricsRegistry, DEFAULT_COLLECT_DEFAULT, type MetricsInit } from './metrics-registry.ts';
export { EVENT_LOOP_MONITORING_PRECISION_MS, EVENT_LOOP_DELAY_SERIES } from './event-loop-delay.ts';
export { registerNodeMetrics, type NodeMetricsInit } from './node-metrics.ts';
export {
  MemoryRelease,
  releaseMemory,
  MEMORY_RELEASE_CHECK_MS,
  MEMORY_RELEASE_GROWTH_BYTES,
  MEMORY_RELEASE_QUIET_CPU,
  MEMORY_RELEASE_QUIET_CHECKS,
  type MemoryReleaseEvent,
  type MemoryReleaseInit,
} from './memory-release.ts';
