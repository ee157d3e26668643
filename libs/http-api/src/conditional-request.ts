/**
 * Whether `If-None-Match` matches `etag` (RFC 9110 §13.1.2): `*`, or any listed entity tag by weak
 * comparison (a `W/` prefix is ignored on either side).
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const target = weak(etag);
  for (const tag of header.split(',')) {
    const t = tag.trim();
    if (t === '*' || (t !== '' && weak(t) === target)) return true;
  }
  return false;
}

/**
 * Whether a `Range` may be honoured under `If-Range` (RFC 9110 §13.1.5): no `If-Range`, or one that
 * is exactly our strong ETag. A date or another tag means the client's copy may differ, so it
 * gets the whole representation.
 */
export function ifRangeAllows(header: string | undefined, etag: string): boolean {
  return header === undefined || (header.trim() === etag && !etag.startsWith('W/'));
}

function weak(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}
