import type { ByteRange } from './content-routes-init.ts';

/**
 * The single byte range a `Range` header asks of a `size`-byte representation (RFC 9110 §14):
 * `bytes=a-b`, `bytes=a-` or `bytes=-n`. `undefined` means "send the whole thing": no header, another
 * unit, a malformed spec or several ranges, all of which RFC 9110 lets a server ignore.
 * `'unsatisfiable'` (416) when the range starts at or past the end, asks for a zero-length suffix,
 * or the representation is empty.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const eq = header.indexOf('=');
  if (eq === -1 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return undefined;
  const spec = header.slice(eq + 1).trim();
  // Several ranges would need multipart/byteranges; serving the whole object is allowed instead.
  if (spec.includes(',')) return undefined;
  const m = /^(\d*)-(\d*)$/.exec(spec);
  if (m === null) return undefined;
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return undefined;

  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const start = Number(first);
  const end = last === '' ? Infinity : Number(last);
  if (end < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { offset: start, length: Math.min(end, size - 1) - start + 1 };
}

/** `Content-Range` of a 206: `bytes 0-99/1000`. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`;
}

/** `Content-Range` of a 416: `bytes * /1000` without the space. */
export function unsatisfiedContentRange(size: number): string {
  return `bytes */${size}`;
}
