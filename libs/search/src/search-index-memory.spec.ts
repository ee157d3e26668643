// What the search index keeps in memory does not grow with its entries: 10 000 of them written
// and searched, and its page cache bound, memory map and statements stay as they were.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_SEARCH_INDEX_CACHE_KIB, SELF_OWNER, SearchIndex } from './search-index.ts';

const ENTRIES = 10_000;
const SELF = 'cd'.repeat(32);

describe('SearchIndex memory', () => {
  it(`keeps its page cache, memory map and statements bounded over ${ENTRIES} entries`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-search-memory-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const index = new SearchIndex({ path: join(dir, 'search.db') });
    t.after(() => index.close());

    const statementsAt: number[] = [];
    for (let i = 0; i < ENTRIES; i++) {
      index.upsert(SELF_OWNER, { cid: `bafk${i}`, name: `photo-${i}.jpg`, size: 4096, contentType: 'image/jpeg', keywords: [`tag${i % 97}`, 'holiday'] });
      if (i % 1000 === 999) {
        assert.equal(index.search(`tag${i % 97}`, { selfId: SELF }).length > 0, true);
        statementsAt.push(index.memoryUse().statements);
      }
    }
    assert.equal(index.count(SELF_OWNER), ENTRIES);
    const use = index.memoryUse();
    assert.equal(use.pageCacheKib, DEFAULT_SEARCH_INDEX_CACHE_KIB);
    assert.equal(use.mmapBytes, 0);
    assert.equal(statementsAt.at(-1), statementsAt[0], 'no statement per entry');
  });
});
