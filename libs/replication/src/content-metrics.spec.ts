import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CorruptBlockError, METRIC_NAME } from '@peerweave/core';
import { createContentMetrics, outcomeLabel } from './content-metrics.ts';
import { RecordingMetrics } from './test-support.ts';

describe('content metrics', () => {
  it('declares every metric once, with a project name, and the gauges read the store and the database', () => {
    const recorded = new RecordingMetrics();
    createContentMetrics(recorded, { blocks: { stats: () => ({ blocks: 7, bytes: 700 }) }, db: { cachedBytes: () => 42 } });
    assert.equal(new Set(recorded.names).size, recorded.names.length, 'no name twice');
    for (const name of recorded.names) assert.match(name, METRIC_NAME);
    assert.equal(recorded.collectors.get('peerweave_storage_blocks')!(), 7);
    assert.equal(recorded.collectors.get('peerweave_storage_bytes')!(), 700);
    assert.equal(recorded.collectors.get('peerweave_storage_cache_bytes')!(), 42);
  });
});

describe('outcomeLabel', () => {
  const cases: [what: string, err: unknown, label: string][] = [
    ['a typed error: its code', new CorruptBlockError('x'), 'corrupt_block'],
    ['any other error: internal', new Error('x'), 'internal'],
    ['a system error with a code of its own: internal', Object.assign(new Error('x'), { code: 'ENOENT' }), 'internal'],
    ['not an error: internal', 'boom', 'internal'],
  ];
  for (const [what, err, label] of cases) it(what, () => assert.equal(outcomeLabel(err), label));
});
