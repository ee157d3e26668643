import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, noopMetrics } from '@peerweave/core';
import { createMetrics } from './metrics-registry.ts';
import { registerNodeMetrics } from './node-metrics.ts';

test('exports node info and uptime computed at scrape time', async () => {
  const clock = new ManualClock(1_000);
  const metrics = createMetrics();
  registerNodeMetrics(metrics, { version: '1.2.3', role: 'supernode', nodeId: 'abc123', startedAtMs: 1_000, clock });
  await clock.advance(90_500);
  const text = await metrics.text();
  assert.match(text, /^peerweave_node_info\{version="1\.2\.3",role="supernode",node="abc123"\} 1$/m);
  assert.match(text, /^peerweave_node_uptime_seconds 90\.5$/m);
  assert.match(text, /^process_resident_memory_bytes \d+/m);
});

test('works against any Metrics, including the no-op one', () => {
  registerNodeMetrics(noopMetrics, { version: 'v', role: 'peer', nodeId: 'n', startedAtMs: 0 });
});
