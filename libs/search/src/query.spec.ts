import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { errorCode, InvalidQueryError } from '@peerweave/core';
import { DEFAULT_SEARCH_TTL, MAX_QUERY_LENGTH, MAX_SEARCH_LIMIT, MAX_SEARCH_TTL } from '@peerweave/protocol';
import { clampLimit, clampTtl, cutRemoteTtl, DEFAULT_SEARCH_LIMIT, parseQuery, quoteFts } from './query.ts';
import { SearchIndex } from './search-index.ts';

const SELF = 'a'.repeat(64);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return errorCode(err);
  }
}

describe('parseQuery', () => {
  const parses: [string, string, string][] = [
    ['words are AND-ed', 'red fox', '"red" AND "fox"'],
    ['one word', 'fox', '"fox"'],
    ['trimmed, any whitespace between', '  red \t\n fox  ', '"red" AND "fox"'],
    ['prefix', 'data*', '"data" *'],
    ['prefix, several stars', 'data**', '"data" *'],
    ['phrase', '"red fox"', '"red fox"'],
    ['phrase prefix', '"red fo"*', '"red fo" *'],
    ['phrase among words', 'big "red fox" den', '"big" AND "red fox" AND "den"'],
    ['OR', 'fox OR wolf', '("fox" OR "wolf")'],
    ['OR binds tighter than AND', 'red fox OR wolf', '"red" AND ("fox" OR "wolf")'],
    ['OR chain', 'a OR b OR c', '("a" OR "b" OR "c")'],
    ['lowercase or is a word', 'fox or wolf', '"fox" AND "or" AND "wolf"'],
    ['quoted OR is a word', '"OR" fox', '"OR" AND "fox"'],
    ['AND is a space', 'red AND fox', '"red" AND "fox"'],
    ['-word', 'fox -red', '("fox") NOT "red"'],
    ['-phrase', 'fox -"red fox"', '("fox") NOT "red fox"'],
    ['NOT word', 'fox NOT red', '("fox") NOT "red"'],
    ['several NOTs', 'fox -red -arctic', '("fox") NOT "red" NOT "arctic"'],
    ['everything', 'red fox* OR "grey wolf" -cat', '("red" AND ("fox" * OR "grey wolf")) NOT "cat"'],
    ['a dash inside a word is kept', 'e-mail', '"e-mail"'],
    ['a lone dash is dropped', 'fox - red', '"fox" AND "red"'],
    ['dangling OR', 'fox OR', '"fox"'],
    ['leading OR', 'OR fox', '"fox"'],
    ['OR next to a negation', 'fox OR -red', '("fox") NOT "red"'],
    ['dangling AND', 'a AND', '"a"'],
    ['words without letters are dropped', 'fox ^ * + ()', '"fox"'],
    ['FTS column filter is just text', 'col:x', '"col:x"'],
    ['NEAR is just text', 'NEAR(a b)', '"NEAR(a" AND "b)"'],
    ['FTS operators inside words', 'a+b ^c', '"a+b" AND "^c"'],
    ['a quote ends a word', 'ab"cd"', '"ab" AND "cd"'],
    ['control characters are spaces', 'red\u0000fox', '"red" AND "fox"'],
    ['unicode', 'crème 東京', '"crème" AND "東京"'],
  ];
  for (const [name, text, match] of parses) {
    it(`${name}: ${JSON.stringify(text)} → ${match}`, () => {
      assert.equal(parseQuery(text).match, match);
    });
  }

  it('keeps the trimmed text', () => assert.equal(parseQuery('  red fox ').text, 'red fox'));

  const refused: [string, string][] = [
    ['empty', ''],
    ['only spaces', ' \t\n '],
    ['an unbalanced quote', '"'],
    ['an unbalanced quote after a phrase', '"red fox" "'],
    ['an unclosed phrase', 'fox "red'],
    ['only a star', '*'],
    ['only operators', 'OR AND NOT'],
    ['only punctuation', '^ ( ) : + -'],
    ['only a negation', '-fox'],
    ['only negations', '-fox NOT wolf'],
    ['an empty phrase', '""'],
    ['one character over the limit', 'x'.repeat(MAX_QUERY_LENGTH + 1)],
    ['300 characters', 'ab '.repeat(100)],
  ];
  for (const [name, text] of refused) {
    it(`refuses ${name} with INVALID_QUERY`, () => {
      assert.throws(() => parseQuery(text), (err) => err instanceof InvalidQueryError && err.code === 'INVALID_QUERY');
    });
  }

  it('accepts exactly MAX_QUERY_LENGTH characters, after trimming', () => {
    const text = ` ${'x'.repeat(MAX_QUERY_LENGTH)} `;
    assert.equal(parseQuery(text).text.length, MAX_QUERY_LENGTH);
  });

  it('refuses a value that is not a string', () => {
    assert.equal(codeOf(() => parseQuery(42 as unknown as string)), 'INVALID_QUERY');
  });

  it('quotes with every " doubled', () => assert.equal(quoteFts('say "hi"'), '"say ""hi"""'));
});

describe('hostile queries against a real FTS5 table', () => {
  const index = new SearchIndex({ path: ':memory:' });
  index.upsert('', { cid: 'c1', name: 'red fox', size: 1, contentType: 'text/plain', keywords: ['near', 'or', 'col'] });
  after(() => index.close());

  /** Parses and runs `text`: 'ok', 'refused' (INVALID_QUERY), or anything else thrown. */
  function outcome(text: string): string {
    let parsed;
    try {
      parsed = parseQuery(text);
    } catch (err) {
      return errorCode(err) === 'INVALID_QUERY' ? 'refused' : `parse threw ${String(err)}`;
    }
    try {
      index.search(parsed, { selfId: SELF, limit: 10 });
      return 'ok';
    } catch (err) {
      return `search threw ${String(err)} for ${parsed.match}`;
    }
  }

  const hostile = [
    '"', '""', '"""', '*', '**', 'NEAR(', 'NEAR(a b, 2)', 'a AND', 'AND a', 'a NOT', 'NOT', 'OR OR OR', '^', '^a', 'col:x',
    'name:fox', '{name keywords}: fox', '(a OR b', 'a)', '+', 'a + b', 'a -', '--a', '-"a', '-*', '\\', "'", ';', 'a;DROP TABLE x',
    '\u0000', 'a\u0000"', '\uD800', '\u0301', 'x'.repeat(300), '"a"*"b"', 'a*b*c', 'fox OR', '-fox OR -wolf red',
  ];
  for (const text of hostile) {
    it(`${JSON.stringify(text.length > 40 ? `${text.slice(0, 20)}…` : text)} either runs or is INVALID_QUERY`, () => {
      assert.match(outcome(text), /^(ok|refused)$/);
    });
  }

  it('the longest OR chain and NOT chain run', () => {
    const words = Array.from({ length: 100 }, (_, i) => `w${i}`);
    const or = words.join(' OR ').slice(0, MAX_QUERY_LENGTH).replace(/ \S*$/u, '');
    assert.equal(outcome(or), 'ok');
    const not = `fox ${words.map((w) => `-${w}`).join(' ')}`.slice(0, MAX_QUERY_LENGTH).replace(/ \S*$/u, '');
    assert.equal(outcome(not), 'ok');
  });

  it('random strings of query syntax either run or are INVALID_QUERY (seeded, 3000 cases)', () => {
    // No property-testing library in the repo: a small seeded PRNG (mulberry32) keeps it replayable.
    let seed = 0x5eed;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pieces = [
      'fox', 'red', 'a', 'é', '東', ' ', ' ', ' ', '"', '*', '-', '(', ')', ':', '^', '+', ',', 'OR', 'AND', 'NOT', 'NEAR',
      ' OR ', ' AND ', ' NOT ', '{', '}', '\u0000', '\t', "'", '\\', 'ﬁ', '\u0301', '0', '_',
    ];
    for (let n = 0; n < 3000; n++) {
      const length = 1 + Math.floor(random() * 24);
      let text = '';
      for (let i = 0; i < length; i++) text += pieces[Math.floor(random() * pieces.length)];
      assert.match(outcome(text), /^(ok|refused)$/, JSON.stringify(text));
    }
  });
});

describe('clampTtl (user input)', () => {
  const cases: [number | undefined, number][] = [
    [undefined, DEFAULT_SEARCH_TTL],
    [0, 0],
    [1, 1],
    [MAX_SEARCH_TTL, MAX_SEARCH_TTL],
    [MAX_SEARCH_TTL + 1, MAX_SEARCH_TTL],
    [1000, MAX_SEARCH_TTL],
  ];
  for (const [ttl, expected] of cases) it(`${ttl} → ${expected}`, () => assert.equal(clampTtl(ttl), expected));

  for (const ttl of [-1, 1.5, Number.NaN, Infinity]) {
    it(`refuses ${ttl} with INVALID_ARGUMENT`, () => assert.equal(codeOf(() => clampTtl(ttl)), 'INVALID_ARGUMENT'));
  }
});

describe('cutRemoteTtl (from a peer: never throws)', () => {
  const cases: [number, number][] = [
    [0, 0],
    [3, 3],
    [MAX_SEARCH_TTL, MAX_SEARCH_TTL],
    [255, MAX_SEARCH_TTL],
    [2.7, 2],
    [-1, 0],
    [Number.NaN, 0],
    [Infinity, MAX_SEARCH_TTL],
  ];
  for (const [ttl, expected] of cases) it(`${ttl} → ${expected}`, () => assert.equal(cutRemoteTtl(ttl), expected));
});

describe('clampLimit', () => {
  const cases: [number | undefined, number][] = [
    [undefined, DEFAULT_SEARCH_LIMIT],
    [Number.NaN, DEFAULT_SEARCH_LIMIT],
    [0, 1],
    [-5, 1],
    [1, 1],
    [10.9, 10],
    [MAX_SEARCH_LIMIT, MAX_SEARCH_LIMIT],
    [MAX_SEARCH_LIMIT + 1, MAX_SEARCH_LIMIT],
    [Infinity, MAX_SEARCH_LIMIT],
  ];
  for (const [limit, expected] of cases) it(`${limit} → ${expected}`, () => assert.equal(clampLimit(limit), expected));
});
