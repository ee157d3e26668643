import type { IncomingHttpHeaders } from 'node:http';
import type { UploadMeta } from './content-routes-init.ts';

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** `type/subtype` with optional parameters and no control characters. */
export const MEDIA_TYPE_PATTERN = "^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\\s*;[^\\x00-\\x1f\\x7f]*)?$";
const MEDIA_TYPE = new RegExp(MEDIA_TYPE_PATTERN);

export interface UploadQuery {
  name?: string | undefined;
  type?: string | undefined;
  keywords?: string | undefined;
}

/**
 * The metadata of an upload. Query parameters win over headers, so a plain `curl -T` can name its
 * file in the URL:
 * - name: `?name=`, `X-Peerweave-Name`, or the `Content-Disposition` filename; else empty;
 * - content type: `?type=` or `Content-Type`; `application/x-www-form-urlencoded` (what
 *   `curl --data-binary` sends unasked), a missing or malformed one → `application/octet-stream`;
 * - keywords: `?keywords=a,b` or `X-Peerweave-Keywords`, split on commas, trimmed, empties dropped.
 */
export function uploadMetaOf(query: UploadQuery, headers: IncomingHttpHeaders): UploadMeta {
  const name =
    nonEmpty(query.name) ??
    nonEmpty(single(headers['x-peerweave-name'])?.trim()) ??
    filenameOfContentDisposition(headers['content-disposition']) ??
    '';
  return {
    name,
    contentType: nonEmpty(query.type) ?? contentTypeOfHeader(headers['content-type']),
    keywords: splitKeywords(nonEmpty(query.keywords) ?? single(headers['x-peerweave-keywords']) ?? ''),
  };
}

function contentTypeOfHeader(header: string | undefined): string {
  const value = header?.trim();
  if (value === undefined || !MEDIA_TYPE.test(value)) return DEFAULT_CONTENT_TYPE;
  const essence = value.split(';')[0]!.trim().toLowerCase();
  return essence === 'application/x-www-form-urlencoded' ? DEFAULT_CONTENT_TYPE : value;
}

export function splitKeywords(list: string): string[] {
  return list
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

/**
 * The file name of a `Content-Disposition` header (RFC 6266): `filename*` (RFC 8187, UTF-8 or
 * ISO-8859-1) over `filename`, with any directory part removed, since a name is never a path.
 */
export function filenameOfContentDisposition(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const params = new Map<string, string>();
  const param = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]*))/g;
  for (const m of header.matchAll(param)) {
    const key = m[1]!.toLowerCase();
    if (!params.has(key)) params.set(key, m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? ''));
  }
  const extended = params.get('filename*');
  const name = (extended === undefined ? undefined : decodeExtValue(extended)) ?? params.get('filename');
  if (name === undefined) return undefined;
  return nonEmpty(name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1));
}

/** RFC 8187 `charset'lang'pct-encoded`; undefined when malformed or another charset. */
function decodeExtValue(value: string): string | undefined {
  const m = /^([^']*)'[^']*'(.*)$/.exec(value);
  if (m === null) return undefined;
  const charset = m[1]!.toLowerCase();
  const encoded = m[2]!;
  try {
    if (charset === 'utf-8') return decodeURIComponent(encoded);
    if (charset === 'iso-8859-1') {
      return encoded.replace(/%([0-9A-Fa-f]{2})/g, (_s, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
  } catch {
    // Malformed percent-encoding: fall back to `filename`.
  }
  return undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
