import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeerweaveError } from '@peerweave/core';
import { createMetrics } from './metrics-registry.ts';

function assertInvalid(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof PeerweaveError);
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.match(err.message, pattern);
    return true;
  });
}

test('rejects names outside peerweave_<area>_<what>_<unit>', () => {
  const metrics = createMetrics({ collectDefault: false });
  for (const name of ['lookups_total', 'peerweave_Lookups_total', 'peerweave_', 'peerweave-routing_total', 'peerweave_9x']) {
    assertInvalid(() => metrics.gauge({ name, help: 'x' }), /peerweave_<area>_<what>_<unit>/);
  }
});

test('counters must end in _total', () => {
  const metrics = createMetrics({ collectDefault: false });
  assertInvalid(() => metrics.counter({ name: 'peerweave_routing_lookups', help: 'x' }), /_total/);
});

test('asking again with the same kind returns the same metric', async () => {
  const metrics = createMetrics({ collectDefault: false });
  const a = metrics.counter({ name: 'peerweave_routing_lookups_total', help: 'Lookups.', labelNames: ['result'] });
  const b = metrics.counter({ name: 'peerweave_routing_lookups_total', help: 'Lookups.', labelNames: ['result'] });
  assert.equal(a, b);
  a.inc({ result: 'ok' });
  b.inc({ result: 'ok' }, 2);
  assert.match(await metrics.text(), /^peerweave_routing_lookups_total\{result="ok"\} 3$/m);
});

test('the same name with another kind or other labels throws', () => {
  const metrics = createMetrics({ collectDefault: false });
  metrics.gauge({ name: 'peerweave_swim_members_count', help: 'Members.', labelNames: ['state'] });
  assertInvalid(() => metrics.histogram({ name: 'peerweave_swim_members_count', help: 'x' }), /already registered as a gauge/);
  assertInvalid(
    () => metrics.gauge({ name: 'peerweave_swim_members_count', help: 'x', labelNames: ['zone'] }),
    /labels \[state\]/,
  );
});

test('registries are independent', async () => {
  const one = createMetrics({ collectDefault: false });
  const two = createMetrics({ collectDefault: false });
  one.gauge({ name: 'peerweave_test_things_count', help: 'x' }).set(5);
  two.gauge({ name: 'peerweave_test_things_count', help: 'x' }).set(7);
  assert.match(await one.text(), /^peerweave_test_things_count 5$/m);
  assert.match(await two.text(), /^peerweave_test_things_count 7$/m);
});

test('gauge collect runs at scrape time; a rebuilt component replaces it; a throwing one gives NaN', async () => {
  const metrics = createMetrics({ collectDefault: false });
  let size = 1;
  metrics.gauge({ name: 'peerweave_store_blocks_count', help: 'Blocks.', collect: () => size });
  size = 4;
  assert.match(await metrics.text(), /^peerweave_store_blocks_count 4$/m);
  metrics.gauge({ name: 'peerweave_store_blocks_count', help: 'Blocks.', collect: () => 9 });
  assert.match(await metrics.text(), /^peerweave_store_blocks_count 9$/m);
  metrics.gauge({
    name: 'peerweave_store_blocks_count',
    help: 'Blocks.',
    collect: () => {
      throw new Error('store closed');
    },
  });
  assert.match(await metrics.text(), /^peerweave_store_blocks_count nan$/im);
});

test('gauge set/inc/dec and histogram observe, with and without labels', async () => {
  const metrics = createMetrics({ collectDefault: false });
  const g = metrics.gauge({ name: 'peerweave_test_level_count', help: 'x', labelNames: ['k'] });
  g.set(10, { k: 'a' });
  g.inc({ k: 'a' });
  g.dec({ k: 'a' }, 3);
  const h = metrics.histogram({ name: 'peerweave_test_latency_seconds', help: 'x', buckets: [0.1, 1] });
  h.observe(0.5);
  h.observe(2);
  const text = await metrics.text();
  assert.match(text, /^peerweave_test_level_count\{k="a"\} 8$/m);
  assert.match(text, /^peerweave_test_latency_seconds_bucket\{le="0.1"\} 0$/m);
  assert.match(text, /^peerweave_test_latency_seconds_bucket\{le="1"\} 1$/m);
  assert.match(text, /^peerweave_test_latency_seconds_count 2$/m);
});

test('default process metrics, default labels and the Prometheus content type', async () => {
  const metrics = createMetrics({ defaultLabels: { cluster: 'lab' } });
  const text = await metrics.text();
  assert.match(text, /^process_resident_memory_bytes\{cluster="lab"\} \d+/m);
  assert.match(metrics.contentType, /^text\/plain; version=0\.0\.4/);
  const bare = await createMetrics({ collectDefault: false }).text();
  assert.doesNotMatch(bare, /process_resident_memory_bytes/);
});
