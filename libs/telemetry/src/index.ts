export { createLogger, type LoggerInit, type RootLogger } from './logger.ts';
export { createMetrics, MetricsRegistry, DEFAULT_COLLECT_DEFAULT, EVENT_LOOP_MONITORING_PRECISION_MS, type MetricsInit } from './metrics-registry.ts';
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
