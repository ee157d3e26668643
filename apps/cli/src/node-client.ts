import type { JsonAnswer, Method, PathParams, PathWith, QueryParams, paths } from './api-types.ts';
import { authHint, type TokenSource } from './api-token.ts';
import { AuthError, CliError, ServerError, UnreachableError } from './errors.ts';
import { sourceHint, type NodeUrlSource } from './node-url.ts';

/** Deadline of one metadata call (status, peers, meta, delete, search, the answer to a put). */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface NodeClientInit {
  /** http://host:port of the node, without a trailing slash. */
  readonly baseUrl: string;
  /** How the URL was chosen, for error messages. Default 'flag'. */
  readonly source?: NodeUrlSource;
  /** Per-request deadline of {@link NodeClient.json}. Default {@link DEFAULT_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Injectable for tests; default the global fetch. */
  readonly fetch?: typeof fetch;
  /** Bearer token sent with every request (api-token.ts); none: requests carry no Authorization. */
  readonly token?: string | undefined;
  /** Where the token came from, for the message of a 401/403. Default 'flag', or 'none' without a token. */
  readonly tokenSource?: TokenSource;
}

export interface RequestOptions {
  readonly signal?: AbortSignal | undefined;
  readonly headers?: Record<string, string> | undefined;
  readonly body?: RequestInit['body'] | undefined;
}

/**
 * One call of `M P`: its path parameters and query as the node's OpenAPI document declares them
 * (api-types.ts), so a route that changes shape fails the type-check here rather than at a user.
 */
export type CallOptions<P extends keyof paths, M extends Method> = PathParams<P, M> & QueryParams<P, M> & RequestOptions;

/** The server's error body, README "HTTP API": always `{ code, message }`. */
interface ErrorBody {
  code?: unknown;
  message?: unknown;
}

/**
 * HTTP to one node. Every failure comes out as a {@link CliError}: the server's `{code, message}`
 * as {@link ServerError}, anything on the way (refused, reset, DNS, deadline) as
 * {@link UnreachableError} naming the node.
 */
export class NodeClient {
  readonly baseUrl: string;
  readonly source: NodeUrlSource;
  readonly timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #auth: Record<string, string>;
  readonly #tokenSource: TokenSource;

  constructor(init: NodeClientInit) {
    this.baseUrl = init.baseUrl;
    this.source = init.source ?? 'flag';
    this.timeoutMs = init.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#fetch = init.fetch ?? fetch;
    this.#auth = init.token === undefined ? {} : { authorization: `Bearer ${init.token}` };
    this.#tokenSource = init.token === undefined ? 'none' : (init.tokenSource ?? 'flag');
  }

  /** The URL of a documented path: `{name}` segments filled in (encoded), the query appended. */
  url(template: string, params: { readonly path?: unknown; readonly query?: unknown } = {}): string {
    const values = (params.path ?? {}) as Record<string, unknown>;
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(values[name])));
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries((params.query ?? {}) as Record<string, unknown>)) {
      if (value !== undefined) query.set(name, String(value));
    }
    const search = query.size > 0 ? `?${query}` : '';
    return `${this.baseUrl}${path}${search}`;
  }

  /** A metadata call: JSON in, JSON out, within the deadline (also while reading the body). */
  async json<M extends Method, P extends PathWith<M>>(method: M, path: P, options: CallOptions<P, M>): Promise<JsonAnswer<P, M>> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    try {
      const res = await this.#fetch(this.url(path, options), {
        method: method.toUpperCase(),
        headers: { accept: 'application/json', ...this.#auth, ...options.headers },
        signal,
      });
      if (!res.ok) throw await this.errorOf(res);
      return (await res.json()) as JsonAnswer<P, M>;
    } catch (err) {
      throw this.translate(err, deadline);
    }
  }

  /**
   * A transfer: no deadline of its own (the caller's signal carries the stall guard and Ctrl-C).
   * Resolves once the status line and headers are in; a non-2xx answer is thrown as ServerError.
   */
  async open<M extends Method, P extends PathWith<M>>(method: M, path: P, options: CallOptions<P, M>): Promise<Response> {
    try {
      const init: RequestInit & { duplex?: 'half' } = { method: method.toUpperCase(), headers: { ...this.#auth, ...options.headers }, signal: options.signal };
      if (options.body !== undefined) {
        init.body = options.body;
        init.duplex = 'half'; // a streamed request body
      }
      const res = await this.#fetch(this.url(path, options), init);
      if (!res.ok) throw await this.errorOf(res);
      return res;
    } catch (err) {
      throw this.translate(err);
    }
  }

  /** The server's `{code, message}` of a non-2xx answer (or the status text when it sent none). */
  async errorOf(res: Response): Promise<ServerError> {
    let body: ErrorBody = {};
    try {
      const text = await res.text();
      body = JSON.parse(text) as ErrorBody;
    } catch {
      // not JSON: a proxy's page, or a cut body; the status says enough
    }
    const code = typeof body.code === 'string' && body.code !== '' ? body.code : statusCode(res.status);
    const message = typeof body.message === 'string' && body.message !== '' ? body.message : res.statusText || `HTTP ${res.status}`;
    if (res.status === 401 || res.status === 403) return new AuthError(res.status, code, message, authHint(res.status, this.#tokenSource));
    return new ServerError(res.status, code, message);
  }

  /** Any error of fetch or of reading a body → a CliError naming this node. */
  translate(err: unknown, deadline?: AbortSignal): CliError {
    if (err instanceof CliError) return err;
    if (deadline?.aborted && isAbort(err)) {
      return new UnreachableError(`node ${this.baseUrl} did not answer within ${this.timeoutMs} ms (--timeout)`, { cause: err });
    }
    const why = networkReason(err);
    return new UnreachableError(`cannot reach node ${this.baseUrl}: ${why}${sourceHint(this.source)}`, { cause: err });
  }
}

function isAbort(err: unknown): boolean {
  const name = (err as Error | undefined)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/**
 * The most telling part of a fetch failure. undici wraps the socket error: TypeError('fetch failed')
 * with `cause` { code: 'ECONNREFUSED' }, or TypeError('terminated') with cause 'other side closed'.
 */
export function networkReason(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e !== undefined && e !== null; depth++) {
    const { code, cause } = e as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    if (cause === undefined) break;
    e = cause;
  }
  const deepest = e as { code?: unknown; message?: unknown } | undefined;
  if (typeof deepest?.code === 'string' && typeof deepest.message === 'string') return `${deepest.message} (${deepest.code})`;
  if (typeof deepest?.message === 'string' && deepest.message !== '') return deepest.message;
  return String(err);
}

/** A code for errors without a body: 404 → NOT_FOUND, 503 → UNAVAILABLE, … */
function statusCode(status: number): string {
  const known: Record<number, string> = {
    400: 'BAD_REQUEST',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    405: 'METHOD_NOT_ALLOWED',
    413: 'PAYLOAD_TOO_LARGE',
    429: 'RESOURCE_EXHAUSTED',
    500: 'INTERNAL',
    502: 'BAD_GATEWAY',
    503: 'UNAVAILABLE',
    504: 'GATEWAY_TIMEOUT',
  };
  return known[status] ?? `HTTP_${status}`;
}
