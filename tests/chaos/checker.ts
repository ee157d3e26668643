// The checker: per scenario, from the workload's record and a final read of every acknowledged
// write — acknowledged writes lost (no node returns the right bytes), reads that failed, reads that
// returned wrong bytes — beside the scenario's own figures (view convergence, false deaths, …),
// each figure with its target and whether it was met.
import type { ChaosCluster, ChaosNode } from './cluster.ts';
import { readThrough, sleep, type ReadOp, type Workload, type Written } from './workload.ts';

export interface Figure {
  figure: string;
  value: string;
  target: string;
  /** undefined: informational, no target. */
  met?: boolean;
}

export interface ScenarioResult {
  scenario: string;
  seconds: number;
  figures: Figure[];
}

export interface FinalRead {
  /** Acknowledged objects no node returned correctly within the deadline. */
  lost: Written[];
  /** (object, node) reads that failed, of `attempts`. */
  failed: ReadOp[];
  wrong: ReadOp[];
  attempts: number;
}

/**
 * Reads every acknowledged object: through every serving node (`everywhere`), or through random
 * serving nodes until one returns the right bytes. An object is lost when no read returned it
 * within `deadlineMs` of retrying (reads of an object go on, a node at a time, until then).
 */
export async function finalRead(cluster: ChaosCluster, written: readonly Written[], options: { everywhere: boolean; deadlineMs: number; timeoutMs?: number; concurrency?: number }): Promise<FinalRead> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const failed: ReadOp[] = [];
  const wrong: ReadOp[] = [];
  const lost: Written[] = [];
  let attempts = 0;
  const deadline = Date.now() + options.deadlineMs;
  const record = (w: Written, via: ChaosNode, r: { outcome: string; detail?: string }): void => {
    const op: ReadOp = { cid: w.cid, via: via.name, at: Date.now(), outcome: r.outcome as ReadOp['outcome'], tag: 'final', ...(r.detail ? { detail: r.detail } : {}) };
    if (r.outcome === 'failed') failed.push(op);
    if (r.outcome === 'wrong') wrong.push(op);
  };
  const one = async (w: Written): Promise<void> => {
    let got = false;
    if (options.everywhere) {
      for (const via of cluster.serving()) {
        attempts++;
        const r = await readThrough(via, w, timeoutMs);
        record(w, via, r);
        if (r.outcome === 'ok') got = true;
      }
    }
    // Then (or only) until one node returns it, up to the deadline.
    for (let i = 0; !got && Date.now() < deadline; i++) {
      const nodes = cluster.serving();
      const via = nodes[(i + Math.floor(Math.random() * nodes.length)) % nodes.length]!;
      attempts++;
      const r = await readThrough(via, w, timeoutMs);
      if (!options.everywhere) record(w, via, r);
      if (r.outcome === 'ok') got = true;
      else await sleep(500);
    }
    if (!got) lost.push(w);
  };
  const queue = [...written];
  await Promise.all(
    Array.from({ length: options.concurrency ?? 4 }, async () => {
      for (let w = queue.shift(); w; w = queue.shift()) await one(w);
    }),
  );
  return { lost, failed, wrong, attempts };
}

const pct = (part: number, whole: number): string => (whole === 0 ? '—' : `${((100 * part) / whole).toFixed(part === 0 || part === whole ? 0 : 2)} %`);

/** The workload's own figures: writes acknowledged/failed, reads failed/wrong (all phases or those tagged `tag`). */
export function workloadFigures(w: Workload, options: { readTarget?: number; tags?: readonly string[] } = {}): Figure[] {
  const reads = options.tags ? w.reads.filter((r) => options.tags!.includes(r.tag)) : w.reads;
  const failed = reads.filter((r) => r.outcome === 'failed').length;
  const wrong = reads.filter((r) => r.outcome === 'wrong').length;
  const ok = reads.length - failed - wrong;
  const acked = w.writes.filter((x) => x.ok).length;
  const figures: Figure[] = [
    { figure: 'writes acknowledged / tried', value: `${acked} / ${w.writes.length}`, target: '—' },
    {
      figure: `reads ok${options.tags ? ` (${options.tags.join(', ')})` : ''}`,
      value: `${ok} / ${reads.length} (${pct(ok, reads.length)})`,
      target: options.readTarget === undefined ? '—' : `≥ ${options.readTarget} %`,
      ...(options.readTarget === undefined ? {} : { met: reads.length > 0 && (100 * ok) / reads.length >= options.readTarget }),
    },
    { figure: 'reads with wrong bytes', value: String(wrong), target: '0', met: wrong === 0 },
  ];
  return figures;
}

export function finalFigures(f: FinalRead, everywhere: boolean): Figure[] {
  const figures: Figure[] = [{ figure: 'acknowledged writes lost', value: String(f.lost.length), target: '0', met: f.lost.length === 0 }];
  if (everywhere) {
    const ok = f.attempts - f.failed.length - f.wrong.length;
    figures.push({ figure: 'final reads of every write from every node', value: `${ok} / ${f.attempts} ok`, target: 'all', met: f.failed.length === 0 && f.wrong.length === 0 });
  } else if (f.wrong.length > 0) {
    figures.push({ figure: 'final reads with wrong bytes', value: String(f.wrong.length), target: '0', met: false });
  }
  return figures;
}

/** A few examples of what went wrong, for the log. */
export function examples(ops: readonly ReadOp[], n = 3): string {
  return ops
    .slice(0, n)
    .map((o) => `${o.cid.slice(0, 16)}… via ${o.via} (${o.tag}): ${o.outcome} ${o.detail ?? ''}`.trim())
    .join('; ');
}

/** The run's table: scenario, figure, measured, target, met. */
export function table(results: readonly ScenarioResult[]): string {
  const rows: string[][] = [['scenario', 'figure', 'measured', 'target', '']];
  for (const r of results) {
    r.figures.forEach((f, i) => rows.push([i === 0 ? `${r.scenario} (${r.seconds.toFixed(0)} s)` : '', f.figure, f.value, f.target, f.met === undefined ? '' : f.met ? 'met' : 'MISSED']));
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]): string => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

export function missed(results: readonly ScenarioResult[]): Figure[] {
  return results.flatMap((r) => r.figures.filter((f) => f.met === false).map((f) => ({ ...f, figure: `${r.scenario}: ${f.figure}` })));
}
