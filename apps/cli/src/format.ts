// Pure formatting for human output: sizes, durations, rates, tables.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** 0 → "0 B", 1536 → "1.5 KiB", 52428800 → "50.0 MiB" (binary units, one decimal above bytes). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Seconds with one decimal below a minute, then "4m 12s", then "3h 05m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.floor(s);
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, '0')}s`;
  const days = Math.floor(whole / 86400);
  const hm = `${Math.floor((whole % 86400) / 3600)}h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
  return days > 0 ? `${days}d ${hm}` : hm;
}

/** Bytes per second over `ms`; "–" when no time passed (nothing meaningful to say). */
export function formatRate(bytes: number, ms: number): string {
  if (ms <= 0) return '–';
  return `${formatBytes(bytes / (ms / 1000))}/s`;
}

/** "stored bafy… (50.0 MiB in 2.1 s, 23.8 MiB/s)" */
export function transferSummary(verb: string, what: string, bytes: number, ms: number): string {
  return `${verb} ${what} (${formatBytes(bytes)} in ${formatDuration(ms)}, ${formatRate(bytes, ms)})`;
}

/** First 12 hex digits of a node id: enough to tell nodes apart in a table. */
export function shortId(id: string): string {
  return id.length > 12 ? id.slice(0, 12) : id;
}

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
  /** Right-align (numbers). */
  readonly right?: boolean;
}

/** Columns separated by two spaces, padded to the widest cell; no trailing spaces. */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = [columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => c.value(r)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  return cells
    .map((line) =>
      line
        .map((cell, i) => {
          const last = i === line.length - 1;
          if (columns[i]?.right) return cell.padStart(widths[i] ?? 0);
          return last ? cell : cell.padEnd(widths[i] ?? 0);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `key  value` lines with the keys padded to the longest. */
export function formatFields(fields: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(0, ...fields.map(([k]) => k.length));
  return fields.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
