import { systemClock, type Clock, type Metrics, type Role } from '@peerweave/core';

export interface NodeMetricsInit {
  version: string;
  role: Role;
  /** The node id, exported as the `node` label. */
  nodeId: string;
  /** When the node started, in `clock` milliseconds. */
  startedAtMs: number;
  clock?: Clock;
}

/**
 * The two series every node exports: `peerweave_node_info{version,role,node} 1` (the usual
 * Prometheus "info" idiom, joined onto other series by `node`) and
 * `peerweave_node_uptime_seconds`, computed at scrape time so nothing ticks in between.
 */
export function registerNodeMetrics(metrics: Metrics, init: NodeMetricsInit): void {
  const clock = init.clock ?? systemClock;
  metrics
    .gauge({
      name: 'peerweave_node_info',
      help: 'Always 1; the labels say which version and role this node runs.',
      labelNames: ['version', 'role', 'node'],
    })
    .set(1, { version: init.version, role: init.role, node: init.nodeId });
  metrics.gauge({
    name: 'peerweave_node_uptime_seconds',
    help: 'Seconds since the node started.',
    collect: () => Math.max(0, clock.now() - init.startedAtMs) / 1000,
  });
}
