import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noopMetrics, type Metrics } from '@peerweave/core';
import { DEFAULT_SEARCH_TTL } from '@peerweave/protocol';
import { allAnswered, searchSettings, stragglerWaitMs, throughSupernodes, STRAGGLER_MIN_MS, type SearchModeOption } from './search-session.ts';
import { entry, hexId, setup } from './test-support.ts';

describe('SearchSessions: asking', () => {
  it('floods with ttl − 1, merges hits by CID and ranks them, completes after the quiet period', async () => {
    const t = setup();
    const asker = t.add('a');
    const b = t.add('b');
    const c = t.add('c');
    const d = t.add('d');
    asker.overlay.push(b.self, c.self);
    b.overlay.push(d.self);
    asker.records.upsert(entry('bafy1', 'red cat'));
    b.records.upsert(entry('bafy1', 'red cat'));
    b.records.upsert(entry('bafy2', 'cat', ['cat']));
    c.records.upsert(entry('bafy3', 'dog', ['cat']));
    d.records.upsert(entry('bafy2', 'cat'));
    const started = t.clock.now();
    const r = await t.settle(asker.node.search('cat', { ttl: 2, mode: 'flood' }));
    assert.equal(r.mode, 'flood');
    assert.equal(r.partial, false);
    assert.deepEqual(r.hits.map((h) => h.cid).sort(), ['bafy1', 'bafy2', 'bafy3']);
    assert.equal(r.hits.at(-1)!.cid, 'bafy3', 'a keyword-only match ranks below name matches');
    assert.deepEqual([...r.hits.find((h) => h.cid === 'bafy1')!.holders].sort(), [asker.self.id, b.self.id].sort());
    assert.deepEqual([...r.hits.find((h) => h.cid === 'bafy2')!.holders].sort(), [b.self.id, d.self.id].sort());
    assert.deepEqual(new Set(r.responders), new Set([asker.self.id, b.self.id, c.self.id, d.self.id]));
    // 2 queries sent (to b and c), 3 Hits received (b, c, d); b forwarded 1 to d.
    assert.equal(r.messages, 5);
    assert.equal(b.node.metrics.totals().queriesForwarded, 1);
    const elapsed = t.clock.now() - started;
    assert.ok(elapsed >= 100 && elapsed < 200, `ended by the quiet period (${elapsed} ms)`);
  });

  it('a user TTL of 1 reaches the neighbours only', async () => {
    const t = setup();
    const asker = t.add('a');
    const n1 = t.spy('1');
    asker.overlay.push(n1.self);
    await t.settle(asker.node.search('cat', { ttl: 1, mode: 'flood' }));
    assert.equal(n1.queries[0]!.ttl, 0);
    assert.match(n1.queries[0]!.queryId, /^[0-9a-f]{32}$/);
  });

  it('returns at once when the limit of distinct hits is in', async () => {
    const t = setup();
    const asker = t.add('a');
    const b = t.add('b');
    asker.overlay.push(b.self);
    b.records.upsert(entry('bafy1', 'cat'));
    b.records.upsert(entry('bafy2', 'cat'));
    const started = t.clock.now();
    const r = await t.settle(asker.node.search('cat', { ttl: 1, limit: 2, mode: 'flood' }), 1);
    assert.equal(r.hits.length, 2);
    assert.equal(r.partial, false);
    assert.ok(t.clock.now() - started < 50, 'did not wait for the quiet period');
  });

  it('marks the result partial when the deadline comes first', async () => {
    const t = setup();
    const asker = t.add('a', { quietMs: 1_000 });
    const b = t.add('b');
    asker.overlay.push(b.self);
    b.records.upsert(entry('bafy1', 'cat'));
    const r = await t.settle(asker.node.search('cat', { ttl: 1, deadlineMs: 200, mode: 'flood' }));
    assert.equal(r.partial, true);
    assert.deepEqual(r.hits.map((h) => h.cid), ['bafy1']);
  });

  it('answers Hits for a finished search with wanted: false', async () => {
    const t = setup();
    const asker = t.add('a');
    const r = await t.settle(asker.node.search('cat', { ttl: 0 }));
    assert.equal(r.messages, 0);
    const answer = await asker.node.handler.hits({ queryId: 'f'.repeat(32), responder: hexId('b'), hits: [] }, {} as never);
    assert.equal(answer.wanted, false);
  });

  it('rejects with the abort error when the caller aborts', async () => {
    const t = setup();
    const asker = t.add('a', { quietMs: 1_000 });
    const b = t.spy('b');
    asker.overlay.push(b.self);
    const controller = new AbortController();
    const search = asker.node.search('cat', { signal: controller.signal, mode: 'flood' });
    await t.clock.advance(10);
    controller.abort();
    await assert.rejects(t.settle(search), { code: 'ABORTED' });
  });

  it('counts every search by mode and outcome (peerweave_search_searches_total); bad input is no search', async () => {
    const t = setup();
    const counts = new Map<string, number>();
    const metrics: Metrics = {
      ...noopMetrics,
      counter: (o) => ({
        inc: (labels = {}, value = 1) => {
          if (o.name !== 'peerweave_search_searches_total') return;
          const l = labels as Record<string, string | number>;
          const key = `${String(l.mode)}/${String(l.outcome)}`;
          counts.set(key, (counts.get(key) ?? 0) + value);
        },
      }),
    };
    const asker = t.add('a', { metrics, quietMs: 1_000 });
    const b = t.add('b');
    asker.overlay.push(b.self);
    b.records.upsert(entry('bafy1', 'cat'));
    assert.deepEqual(Object.fromEntries(counts), { 'flood/ok': 0, 'supernode/ok': 0 }, 'exported at 0 before the first search');
    await t.settle(asker.node.search('cat', { ttl: 1, mode: 'flood', deadlineMs: 5_000 }));
    await t.settle(asker.node.search('cat', { ttl: 1, mode: 'flood', deadlineMs: 200 }));
    await assert.rejects(t.settle(asker.node.search('cat', { mode: 'supernode' })), { code: 'UNAVAILABLE' });
    await assert.rejects(asker.node.search('   '), { code: 'INVALID_QUERY' });
    await assert.rejects(asker.node.search('cat', { ttl: -1 }), { code: 'INVALID_ARGUMENT' });
    assert.deepEqual(Object.fromEntries(counts), { 'flood/ok': 1, 'supernode/ok': 0, 'flood/partial': 1, 'supernode/unavailable': 1 });
  });

  it('refuses a bad query or TTL before sending anything', async () => {
    const t = setup();
    const asker = t.add('a');
    await assert.rejects(asker.node.search('   '), { code: 'INVALID_QUERY' });
    await assert.rejects(asker.node.search('cat', { ttl: -1 }), { code: 'INVALID_ARGUMENT' });
  });
});

describe('SearchSessions: decisions', () => {
  it('throughSupernodes: asked to, or auto with a way in', () => {
    const rows: [SearchModeOption, 'peer' | 'supernode', { leaves: number; known: number; attached: number }, boolean][] = [
      ['flood', 'peer', { leaves: 0, known: 0, attached: 2 }, false],
      ['supernode', 'peer', { leaves: 0, known: 0, attached: 0 }, true],
      ['auto', 'peer', { leaves: 0, known: 5, attached: 0 }, false],
      ['auto', 'peer', { leaves: 0, known: 0, attached: 1 }, true],
      ['auto', 'supernode', { leaves: 0, known: 0, attached: 0 }, false],
      ['auto', 'supernode', { leaves: 3, known: 0, attached: 0 }, true],
      ['auto', 'supernode', { leaves: 0, known: 1, attached: 0 }, true],
      ['flood', 'supernode', { leaves: 3, known: 1, attached: 0 }, false],
    ];
    for (const [wanted, role, view, expected] of rows) assert.equal(throughSupernodes(wanted, role, view), expected, `${wanted} ${role} ${JSON.stringify(view)}`);
  });

  it('stragglerWaitMs: as long again as the answers took, at least the minimum, at most the quiet period', () => {
    const rows: [number, number, number][] = [
      [0, 300, STRAGGLER_MIN_MS],
      [3, 300, STRAGGLER_MIN_MS],
      [12, 300, 12],
      [299, 300, 299],
      [5_000, 300, 300],
      [10, 2, 2],
    ];
    for (const [elapsed, quiet, wait] of rows) assert.equal(stragglerWaitMs(elapsed, quiet), wait, `${elapsed}/${quiet}`);
  });

  it('allAnswered: every expected responder in; never when none is expected', () => {
    const rows: [Set<string> | undefined, string[], boolean][] = [
      [undefined, ['a'], false],
      [new Set(), [], true],
      [new Set(['a']), [], false],
      [new Set(['a', 'b']), ['a'], false],
      [new Set(['a', 'b']), ['b', 'self', 'a'], true],
    ];
    for (const [expected, responders, all] of rows) assert.equal(allAnswered(expected, new Set(responders)), all, JSON.stringify([expected && [...expected], responders]));
  });

  it('searchSettings: defaults filled in, bad input refused with its code', () => {
    assert.deepEqual(searchSettings('cat', {}, 5_000), { text: 'cat', ttl: DEFAULT_SEARCH_TTL, limit: 50, deadlineMs: 5_000, wanted: 'auto' });
    assert.deepEqual(searchSettings('cat', { ttl: 2, limit: 5, deadlineMs: 100, mode: 'flood' }, 5_000), { text: 'cat', ttl: 2, limit: 5, deadlineMs: 100, wanted: 'flood' });
    const bad: [string, object, string][] = [
      ['   ', {}, 'INVALID_QUERY'],
      ['cat', { ttl: -1 }, 'INVALID_ARGUMENT'],
      ['cat', { mode: 'gossip' }, 'INVALID_ARGUMENT'],
      ['cat', { deadlineMs: 0 }, 'INVALID_ARGUMENT'],
      ['cat', { deadlineMs: Number.NaN }, 'INVALID_ARGUMENT'],
    ];
    for (const [text, options, code] of bad) assert.throws(() => searchSettings(text, options, 5_000), { code }, `${text} ${JSON.stringify(options)}`);
  });
});
