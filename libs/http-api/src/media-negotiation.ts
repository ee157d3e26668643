/** One media range of an `Accept` header. */
export interface MediaRange {
  /** Lower-cased `type/subtype`. */
  type: string;
  /** Lower-cased parameter names, `q` excluded. */
  params: Record<string, string>;
  q: number;
}

/**
 * The media ranges of an `Accept` header, most preferred first (by `q`, then by order), without
 * those with `q=0`. Unparseable entries are dropped.
 */
export function parseAccept(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  for (const entry of header.split(',')) {
    const [head = '', ...rest] = entry.split(';');
    const type = head.trim().toLowerCase();
    if (!/^[^\s/]+\/[^\s/]+$/.test(type)) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq === -1) continue;
      const name = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (name === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) && value !== '' ? Math.min(Math.max(n, 0), 1) : 1;
      } else {
        params[name] = value;
      }
    }
    if (q > 0) out.push({ type, params, q });
  }
  // Array.prototype.sort is stable, so equal weights keep the client's order.
  return out.sort((a, b) => b.q - a.q);
}

export const RAW_BLOCK_TYPE = 'application/vnd.ipld.raw';
export const CAR_TYPE = 'application/vnd.ipld.car';

/**
 * The response formats of `/ipfs/:cid`: a raw block, a CAR of the DAG, or the file itself (the
 * "deserialized" response of a path gateway).
 */
export type GatewayFormat = 'raw' | 'car' | 'file';

/**
 * The format `GET /ipfs/:cid` answers with. `?format=` wins over `Accept`; with neither, or a
 * wildcard or browser `Accept` (`text/html`), the file. `undefined` when every listed type is one
 * we cannot produce (406).
 */
export function negotiateGatewayFormat(accept: string | undefined, format: string | undefined): GatewayFormat | undefined {
  if (format !== undefined && format !== '') {
    if (format === 'raw' || format === 'car') return format;
    return undefined;
  }
  if (accept === undefined || accept.trim() === '') return 'file';
  for (const range of parseAccept(accept)) {
    switch (range.type) {
      case RAW_BLOCK_TYPE:
        return 'raw';
      case CAR_TYPE:
        // We write CARv1 only; order and dups are ours to choose (and are stated in the response).
        if (range.params.version === undefined || range.params.version === '1') return 'car';
        break;
      case '*/*':
      case 'text/html':
      case 'application/xhtml+xml':
        return 'file';
      default:
        break;
    }
  }
  return undefined;
}
