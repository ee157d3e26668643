import { statfsSync } from 'node:fs';
import type { Metrics } from '@peerweave/core';

/** The two figures of a filesystem the gauges report, in bytes. */
export interface FilesystemSpace {
  /** Bytes an unprivileged process may still write (statfs `bavail × bsize`, what the node can use). */
  freeBytes: number;
  /** Size of the filesystem (statfs `blocks × bsize`). */
  sizeBytes: number;
}

export interface FilesystemMetricsInit {
  /** A path on the filesystem to watch: the node's data directory. */
  path: string;
  /** Reads the space of `path`; default {@link statfsSpace}. Tests pass a fake. */
  statfs?: (path: string) => FilesystemSpace;
}

/** statfs(2) of `path`, through Node's `statfsSync`. */
export function statfsSpace(path: string): FilesystemSpace {
  const s = statfsSync(path);
  return { freeBytes: s.bavail * s.bsize, sizeBytes: s.blocks * s.bsize };
}

/**
 * `peerweave_storage_free_bytes` and `peerweave_storage_capacity_bytes` of the filesystem holding
 * the data directory, read at scrape time (one statfs per gauge per scrape, a few microseconds), so
 * an alert can say a disk is nearly full before a write fails. A statfs that fails (the directory
 * removed under the node) makes the gauge NaN for that scrape, never a failed scrape.
 */
export function registerFilesystemMetrics(metrics: Metrics, init: FilesystemMetricsInit): void {
  const statfs = init.statfs ?? statfsSpace;
  metrics.gauge({
    name: 'peerweave_storage_free_bytes',
    help: 'Bytes still free to the node on the filesystem of its data directory (statfs, at scrape time).',
    collect: () => statfs(init.path).freeBytes,
  });
  metrics.gauge({
    name: 'peerweave_storage_capacity_bytes',
    help: 'Size in bytes of the filesystem of the data directory (statfs, at scrape time).',
    collect: () => statfs(init.path).sizeBytes,
  });
}
