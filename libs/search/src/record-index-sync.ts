import type { Startable } from '@peerweave/core';
import type { IndexEntry } from '@peerweave/protocol';
import { SELF_OWNER } from './search-index.ts';

/** Records read per page when the index is rebuilt. */
export const REINDEX_PAGE = 500;

/** What of a content record is searchable (an ObjectRecord has these and more). */
export type IndexedRecord = IndexEntry;

/** The node's own index (SearchIndex satisfies it; this component writes owner SELF_OWNER only). */
export interface OwnIndex {
  upsert(owner: string, entry: IndexEntry): void;
  remove(owner: string, cid: string): boolean;
  replaceOwner(owner: string, entries: readonly IndexEntry[]): void;
  count(owner?: string): number;
}

/** The content records as the database holds them (ContentDb satisfies it). */
export interface RecordSource {
  recordCount(): number;
  /** Records in CID order after `after`, at most `limit`. */
  listRecords(options: { limit: number; after?: string }): readonly IndexedRecord[];
  /** A deleted object's tombstone: its record is not searchable. */
  getTombstone(cid: string): unknown;
}

export interface RecordIndexSyncInit {
  index: OwnIndex;
  records: RecordSource;
  /** Told of every change of the index, e.g. `(u, r) => search.indexChanged(u, r)` so the supernodes hear it. */
  onChange?(upserts: readonly IndexEntry[], removed: readonly string[]): void;
}

/** The searchable fields of a record, nothing else (no signature, no uploader key). */
export function toIndexEntry(r: IndexedRecord): IndexEntry {
  return { cid: r.cid, name: r.name, size: r.size, contentType: r.contentType, keywords: [...r.keywords] };
}

/**
 * Keeps the node's search index in step with the content records it holds: `onRecords` is the
 * listener to give the content node (ContentNodeInit.onRecords), told when a record is stored or
 * removed; `start` brings an index that disagrees with the database back in line (a crash between
 * the two writes, a lost or new search.db), and reads nothing when both are in step.
 */
export class RecordIndexSync implements Startable {
  readonly onRecords: { stored(record: IndexedRecord): void; removed(cid: string): void };
  readonly #init: RecordIndexSyncInit;

  constructor(init: RecordIndexSyncInit) {
    this.#init = init;
    this.onRecords = {
      stored: (record) => {
        const entry = toIndexEntry(record);
        init.index.upsert(SELF_OWNER, entry);
        init.onChange?.([entry], []);
      },
      removed: (cid) => {
        if (init.index.remove(SELF_OWNER, cid)) init.onChange?.([], [cid]);
      },
    };
  }

  async start(): Promise<void> {
    this.reindex();
  }

  async stop(): Promise<void> {}

  /**
   * Rebuilds the index from the records when their counts differ (tombstoned records left out);
   * returns whether it did.
   */
  reindex(): boolean {
    const { index, records } = this.#init;
    if (index.count(SELF_OWNER) === records.recordCount()) return false;
    const entries: IndexEntry[] = [];
    let after: string | undefined;
    for (;;) {
      const page = records.listRecords({ limit: REINDEX_PAGE, ...(after ? { after } : {}) });
      for (const r of page) if (!records.getTombstone(r.cid)) entries.push(toIndexEntry(r));
      if (page.length < REINDEX_PAGE) break;
      after = page.at(-1)!.cid;
    }
    index.replaceOwner(SELF_OWNER, entries);
    return true;
  }
}
