import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IndexEntry } from '@peerweave/protocol';
import { RecordIndexSync, REINDEX_PAGE, toIndexEntry, type IndexedRecord, type RecordSource } from './record-index-sync.ts';
import { SearchIndex, SELF_OWNER } from './search-index.ts';

const record = (cid: string, name = `file ${cid}`) => ({ cid, name, size: 10, contentType: 'text/plain', keywords: ['k'], signature: new Uint8Array(64), uploader: 'u' });

/** The records of a content database, in CID order, with tombstones; counts what was read. */
function source(records: IndexedRecord[], tombstoned: string[] = []) {
  const sorted = [...records].sort((a, b) => (a.cid < b.cid ? -1 : 1));
  const reads = { pages: 0 };
  const db: RecordSource = {
    recordCount: () => sorted.length,
    listRecords: ({ limit, after }) => {
      reads.pages++;
      return sorted.filter((r) => after === undefined || r.cid > after).slice(0, limit);
    },
    getTombstone: (cid) => (tombstoned.includes(cid) ? { cid } : undefined),
  };
  return { db, reads };
}

function setup(records: IndexedRecord[] = [], tombstoned: string[] = []) {
  const index = new SearchIndex({ path: ':memory:' });
  const changes: [readonly IndexEntry[], readonly string[]][] = [];
  const { db, reads } = source(records, tombstoned);
  const sync = new RecordIndexSync({ index, records: db, onChange: (u, r) => changes.push([u, r]) });
  return { index, sync, changes, reads };
}

describe('RecordIndexSync', () => {
  it('a stored record is indexed (searchable fields only) and the change told; a removed one too, once', () => {
    const t = setup();
    t.sync.onRecords.stored(record('bafya', 'red fox'));
    assert.deepEqual(t.index.entries(SELF_OWNER), [{ cid: 'bafya', name: 'red fox', size: 10, contentType: 'text/plain', keywords: ['k'] }]);
    assert.equal(t.index.search('fox', { limit: 10, selfId: 'me' }).length, 1);
    t.sync.onRecords.removed('bafya');
    t.sync.onRecords.removed('bafya');
    t.sync.onRecords.removed('bafyz');
    assert.equal(t.index.count(SELF_OWNER), 0);
    assert.deepEqual(t.changes, [[[toIndexEntry(record('bafya', 'red fox'))], []], [[], ['bafya']]]);
    t.index.close();
  });

  it('start with the index in step reads no record', async () => {
    const t = setup([record('bafya')]);
    t.sync.onRecords.stored(record('bafya'));
    await t.sync.start();
    assert.equal(t.reads.pages, 0);
    assert.equal(t.sync.reindex(), false);
    await t.sync.stop();
    t.index.close();
  });

  it('start rebuilds an index that disagrees with the records, page by page, leaving out tombstoned ones', async () => {
    const n = 2 * REINDEX_PAGE + 3;
    const records = Array.from({ length: n }, (_, i) => record(`bafy${String(i).padStart(5, '0')}`));
    const t = setup(records, ['bafy00007']);
    t.index.upsert(SELF_OWNER, toIndexEntry(record('bafystale')));
    await t.sync.start();
    assert.equal(t.reads.pages, 3);
    assert.equal(t.index.count(SELF_OWNER), n - 1);
    const cids = new Set(t.index.entries(SELF_OWNER).map((e) => e.cid));
    assert.equal(cids.has('bafystale'), false, 'what the database does not hold goes');
    assert.equal(cids.has('bafy00007'), false, 'a deleted object is not searchable');
    assert.equal(cids.has(`bafy${String(n - 1).padStart(5, '0')}`), true);
    assert.deepEqual(t.changes, [], 'a rebuild is not a change to publish: attaching publishes everything');
    t.index.close();
  });

  it('works without a listener', () => {
    const index = new SearchIndex({ path: ':memory:' });
    const sync = new RecordIndexSync({ index, records: source([]).db });
    sync.onRecords.stored(record('bafyb'));
    sync.onRecords.removed('bafyb');
    assert.equal(index.count(), 0);
    index.close();
  });
});
