import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export async function docker(args: string[], timeoutMs = 300_000): Promise<string> {
  const { stdout } = await exec('docker', args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** Resident set size of the container's main process, in bytes, read from /proc inside it. */
export async function containerRss(id: string, pid = 1): Promise<number> {
  const out = await docker([
    'exec',
    id,
    'node',
    '-e',
    `const s=require('fs').readFileSync('/proc/${pid}/status','utf8');console.log(/VmRSS:\\s+(\\d+)/.exec(s)[1])`,
  ]);
  return Number(out) * 1024;
}

export async function waitHealthy(ids: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = (await docker(['inspect', '-f', '{{.State.Health.Status}}', ...ids])).split('\n');
    if (states.every((s) => s === 'healthy')) return;
    if (Date.now() > deadline) throw new Error(`containers not healthy after ${timeoutMs} ms: ${states.join(',')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One line of the bench table: a figure beside its same-run baseline. */
export interface Row {
  figure: string;
  ours: string;
  baseline: string;
  ratio: string;
  target: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Runs `fn` over `items`, `n` at a time. */
export async function mapLimit<T, U>(items: T[], n: number, fn: (item: T, i: number) => Promise<U>): Promise<U[]> {
  const out = new Array<U>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}
