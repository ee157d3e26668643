import { localAuth } from './local-token.ts';

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

const WRITES = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

/**
 * One HTTP request with a deadline (a paused or cut-off container must not hang the suite). A write
 * carries the local cluster's token (support/local-token.ts) unless it names its own
 * `authorization` header or asks to be `anonymous`, as a test of refusals does.
 */
export async function http<T = unknown>(
  url: string,
  init: RequestInit & { timeoutMs?: number; anonymous?: boolean } = {},
): Promise<HttpResult<T>> {
  const { timeoutMs = 5_000, anonymous = false, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (!anonymous && WRITES.has((rest.method ?? 'GET').toUpperCase()) && !headers.has('authorization')) {
    for (const [k, v] of Object.entries(localAuth())) headers.set(k, v);
  }
  const res = await fetch(url, { ...rest, headers, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: body as T, text };
}

export async function getJson<T = unknown>(url: string, timeoutMs = 5_000): Promise<T> {
  const r = await http<T>(url, { timeoutMs });
  if (r.status !== 200) throw new Error(`GET ${url} → ${r.status} ${r.text.slice(0, 200)}`);
  return r.body;
}

/**
 * Σ of a counter's series in a node's /metrics whose labels include `label` (e.g. `outcome="failed"`).
 * Tests that check something does not happen wait for evidence that it was tried, with this.
 */
export async function counterAt(base: string, name: string, label: string): Promise<number> {
  const text = (await http(`${base}/metrics`, { timeoutMs: 5_000 })).text;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(label)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
