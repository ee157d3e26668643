import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { METRIC_NAME, noopMetrics, type Metrics } from '@peerweave/core';
import { registerFilesystemMetrics, statfsSpace } from './filesystem-metrics.ts';

/** Metrics that keep each gauge's collect callback, to call it as a scrape would. */
function collecting(): { metrics: Metrics; collect: Map<string, () => number> } {
  const collect = new Map<string, () => number>();
  return {
    collect,
    metrics: {
      ...noopMetrics,
      gauge: (options) => {
        if (options.collect) collect.set(options.name, options.collect);
        return noopMetrics.gauge(options);
      },
    },
  };
}

describe('filesystem metrics', () => {
  it('report free and total bytes of the data directory’s filesystem, read at every scrape', () => {
    const { metrics, collect } = collecting();
    let free = 1_000;
    const asked: string[] = [];
    registerFilesystemMetrics(metrics, {
      path: '/data',
      statfs: (path) => {
        asked.push(path);
        return { freeBytes: free, sizeBytes: 4_000 };
      },
    });
    assert.deepEqual([...collect.keys()].sort(), ['peerweave_storage_capacity_bytes', 'peerweave_storage_free_bytes']);
    for (const name of collect.keys()) assert.match(name, METRIC_NAME);
    assert.equal(collect.get('peerweave_storage_free_bytes')!(), 1_000);
    free = 10;
    assert.equal(collect.get('peerweave_storage_free_bytes')!(), 10, 'not cached between scrapes');
    assert.equal(collect.get('peerweave_storage_capacity_bytes')!(), 4_000);
    assert.deepEqual(new Set(asked), new Set(['/data']));
  });

  it('statfsSpace reads a real directory: free at most the size, both positive', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-statfs-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const { freeBytes, sizeBytes } = statfsSpace(dir);
    assert.ok(sizeBytes > 0 && Number.isSafeInteger(sizeBytes), `size ${sizeBytes}`);
    assert.ok(freeBytes >= 0 && freeBytes <= sizeBytes, `free ${freeBytes} of ${sizeBytes}`);
  });

  it('a directory that is gone makes the callback throw (the registry turns that into NaN for the scrape)', () => {
    const { metrics, collect } = collecting();
    registerFilesystemMetrics(metrics, { path: join(tmpdir(), 'pw-statfs-missing-' + process.pid) });
    assert.throws(() => collect.get('peerweave_storage_free_bytes')!(), { code: 'ENOENT' });
  });
});
