// Property tests of search query parsing (issue #15 item 4): any text either parses to an FTS5
// expression that SQLite accepts, or is refused with INVALID_QUERY; the TTL and limit clamps stay in
// range for any number. Knobs: FC_NUM_RUNS, FC_SEED (@peerweave/core/testing propertyParams).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatabaseSync } from 'node:sqlite';
import fc from 'fast-check';
import { PeerweaveError } from '@peerweave/core';
import { propertyParams } from '@peerweave/core/testing';
import { MAX_SEARCH_LIMIT, MAX_SEARCH_TTL } from '@peerweave/protocol';
import { clampLimit, clampTtl, cutRemoteTtl, parseQuery } from './query.ts';

const queryText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.array(fc.constantFrom('OR', 'AND', 'NOT', '-', '"', '*', '(', ')', 'cat', 'chat*', 'naïve', '日本', '\u0000', '^', ' ', 'a"b', 'NEAR'), { maxLength: 12 }).map((w) => w.join(' ')),
  fc.array(fc.constantFrom('OR', 'AND', '-', '"', '*', 'x', ' '), { maxLength: 30 }).map((w) => w.join('')),
);

describe('search query parsing (property)', () => {
  const db = new DatabaseSync(':memory:');
  db.exec("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61')");
  db.exec("INSERT INTO t(body) VALUES ('cat chat naïve 日本 holiday photos')");
  const match = db.prepare('SELECT count(*) AS n FROM t WHERE t MATCH ?');

  it('any text parses to an expression FTS5 accepts, or is refused with INVALID_QUERY', () => {
    fc.assert(
      fc.property(queryText, (text) => {
        let parsed;
        try {
          parsed = parseQuery(text);
        } catch (err) {
          assert.ok(err instanceof PeerweaveError && err.code === 'INVALID_QUERY', `refused with ${String(err)}`);
          return;
        }
        assert.equal(parsed.text, text.trim());
        assert.doesNotThrow(() => match.get(parsed.match), `FTS5 refused ${JSON.stringify(parsed.match)} for ${JSON.stringify(text)}`);
      }),
      propertyParams(1000),
    );
  });

  it('TTL and limit clamps stay in range for any number', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer()), (n) => {
        const remote = cutRemoteTtl(n);
        assert.ok(Number.isInteger(remote) && remote >= 0 && remote <= MAX_SEARCH_TTL, `cutRemoteTtl(${n}) = ${remote}`);
        const limit = clampLimit(n);
        assert.ok(Number.isInteger(limit) && limit >= 1 && limit <= MAX_SEARCH_LIMIT, `clampLimit(${n}) = ${limit}`);
        try {
          const ttl = clampTtl(n);
          assert.ok(Number.isInteger(ttl) && ttl >= 0 && ttl <= MAX_SEARCH_TTL);
        } catch (err) {
          assert.ok(err instanceof PeerweaveError && err.code === 'INVALID_ARGUMENT');
        }
      }),
      propertyParams(1000),
    );
  });
});
