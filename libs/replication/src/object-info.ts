import type { ObjectRecord } from '@peerweave/core';

/** What a user sees of an object: `GET /v1/objects/:cid/meta` and the listing return it. */
export interface ObjectInfo {
  cid: string;
  name: string;
  contentType: string;
  /** Bytes of the file (not of its DAG). */
  size: number;
  blocks: number;
  keywords: string[];
  /** ISO 8601. */
  created: string;
  /** Node id of the uploader. */
  uploader: string;
}

/** The info of an object with a record. */
export function toInfo(r: ObjectRecord): ObjectInfo {
  return {
    cid: r.cid,
    name: r.name,
    contentType: r.contentType,
    size: r.size,
    blocks: r.blocks,
    keywords: [...r.keywords],
    created: new Date(r.createdMs).toISOString(),
    uploader: r.uploader,
  };
}

/** The info of an object known only from its DAG (no record): no name, no keywords, created at the epoch. */
export function dagInfo(cid: string, size: number, blocks: number | undefined): ObjectInfo {
  return { cid, name: '', contentType: 'application/octet-stream', size, blocks: blocks ?? 0, keywords: [], created: new Date(0).toISOString(), uploader: '' };
}
