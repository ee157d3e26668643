export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** One HTTP request with a deadline (a paused or cut-off container must not hang the suite). */
export async function http<T = unknown>(
  url: string,
  init: RequestInit & { timeoutMs?: number } = {},
): Promise<HttpResult<T>> {
  const { timeoutMs = 5_000, ...rest } = init;
  const res = await fetch(url, { ...rest, signal: AbortSignal.timeout(timeoutMs) });
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
