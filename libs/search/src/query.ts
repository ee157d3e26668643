import { InvalidArgumentError, InvalidQueryError } from '@peerweave/core';
import { DEFAULT_SEARCH_TTL, MAX_QUERY_LENGTH, MAX_SEARCH_LIMIT, MAX_SEARCH_TTL } from '@peerweave/protocol';

/**
 * User search text → an FTS5 MATCH expression that *we* build. FTS5's own query language has
 * column filters (`col:x`), `NEAR(…)`, `^`, `+`, bare `AND`/`NOT`, parentheses: passed through
 * raw, half of what people type into a search box is a syntax error (a 500 at best) and the rest
 * lets a remote peer pick columns or build pathological expressions. So every word the user typed
 * becomes a quoted FTS5 string (which the tokenizer only ever splits into plain tokens), and the
 * only operators in the expression are the ones we emit.
 *
 * Grammar (whitespace separates terms; a `"` always opens or closes a phrase):
 * - `word`          a term; terms are AND-ed
 * - `word*`         prefix: any token starting with `word` (`"word" *`)
 * - `"two words"`   phrase: the tokens next to each other, in order (`"two words"*` is allowed too)
 * - `a OR b`        either (uppercase, as in FTS5); OR binds tighter than the implicit AND, as in
 *                   web search: `red fox OR wolf` is red AND (fox OR wolf)
 * - `-word`, `-"a b"`, `NOT word`  must not match; needs at least one positive term
 * - `AND`           accepted and means the same as a space
 *
 * Forgiving where a search box should be (a stray `OR`, `AND` or `-`, and words with no letter or
 * digit such as `^` or `*`, are dropped), strict where the intent is unknowable: empty text, text
 * over MAX_QUERY_LENGTH, an unbalanced `"`, or nothing left to look for → InvalidQueryError.
 */
export interface ParsedQuery {
  /** The user's text, trimmed. */
  readonly text: string;
  /** The FTS5 MATCH expression: quoted strings joined by our own AND / OR / NOT and parentheses. */
  readonly match: string;
}

/** Hits asked for when the caller names no limit. */
export const DEFAULT_SEARCH_LIMIT = 50;

/**
 * What FTS5's unicode61 tokenizer keeps as token characters (its default `categories`: letters,
 * numbers, private use). A word without any of them yields no token, so it is dropped here rather
 * than sent to FTS5 as an empty phrase.
 */
const TOKEN_CHARACTER = /[\p{L}\p{N}\p{Co}]/u;
/** Control characters (NUL among them) are never meant as search text: they count as spaces. */
const CONTROL_CHARACTERS = /\p{Cc}/gu;
const WHITESPACE = /\s/u;

interface Term {
  /** Quoted FTS5 string, with `*` appended for a prefix query. */
  readonly fts: string;
  readonly negated: boolean;
}

type Token = { kind: 'term'; term: Term } | { kind: 'or' } | { kind: 'and' } | { kind: 'not' };

/** Parses user search text. Throws InvalidQueryError (HTTP 400) when it cannot be searched for. */
export function parseQuery(text: string): ParsedQuery {
  if (typeof text !== 'string') throw new InvalidQueryError('query text must be a string');
  const trimmed = text.trim();
  if (trimmed === '') throw new InvalidQueryError('query is empty');
  if (trimmed.length > MAX_QUERY_LENGTH) {
    throw new InvalidQueryError(`query is longer than ${MAX_QUERY_LENGTH} characters (${trimmed.length})`, {
      details: { maxLength: MAX_QUERY_LENGTH },
    });
  }
  const match = buildExpression(tokenize(trimmed.replace(CONTROL_CHARACTERS, ' ')));
  return { text: trimmed, match };
}

/** FTS5 string literal: in double quotes, with any `"` doubled. */
export function quoteFts(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (WHITESPACE.test(text[i]!)) {
      i++;
      continue;
    }
    // A `-` directly before a word or phrase negates it; alone it is punctuation (dropped below).
    let negated = false;
    if (text[i] === '-' && i + 1 < text.length && !WHITESPACE.test(text[i + 1]!)) {
      negated = true;
      i++;
    }
    let body: string;
    let quoted = false;
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) throw new InvalidQueryError('query has an unbalanced " (a phrase is "two words")');
      body = text.slice(i + 1, close);
      quoted = true;
      i = close + 1;
    } else {
      const start = i;
      while (i < text.length && text[i] !== '"' && !WHITESPACE.test(text[i]!)) i++;
      body = text.slice(start, i);
    }
    let prefix = false;
    if (quoted) {
      while (text[i] === '*') {
        prefix = true;
        i++;
      }
    } else if (body.endsWith('*')) {
      prefix = true;
      body = body.replace(/\*+$/u, '');
    }
    if (!quoted && !negated && !prefix && (body === 'OR' || body === 'AND' || body === 'NOT')) {
      tokens.push({ kind: body === 'OR' ? 'or' : body === 'AND' ? 'and' : 'not' });
      continue;
    }
    if (!TOKEN_CHARACTER.test(body)) continue;
    tokens.push({ kind: 'term', term: { fts: prefix ? `${quoteFts(body)} *` : quoteFts(body), negated } });
  }
  return tokens;
}

/**
 * Groups terms into clauses: each clause is one negated term or a list of positive terms joined by
 * OR. A `NOT` negates the next term; an `OR` joins the positive terms on both sides of it, and is
 * dropped when one side is missing or negated.
 */
function buildExpression(tokens: readonly Token[]): string {
  const positive: string[][] = [];
  const negative: string[] = [];
  let pendingNot = false;
  let pendingOr = false;
  let lastWasPositive = false;
  for (const token of tokens) {
    if (token.kind === 'and') {
      pendingOr = false;
      continue;
    }
    if (token.kind === 'not') {
      pendingNot = true;
      continue;
    }
    if (token.kind === 'or') {
      pendingOr = lastWasPositive;
      continue;
    }
    const negated = token.term.negated || pendingNot;
    pendingNot = false;
    if (negated) {
      negative.push(token.term.fts);
      pendingOr = false;
      lastWasPositive = false;
      continue;
    }
    const last = positive.at(-1);
    if (pendingOr && last !== undefined) last.push(token.term.fts);
    else positive.push([token.term.fts]);
    pendingOr = false;
    lastWasPositive = true;
  }
  if (positive.length === 0) {
    throw new InvalidQueryError(
      negative.length > 0 ? 'query only excludes: add a word to look for' : 'query has no word to look for',
    );
  }
  const clauses = positive.map((alternatives) =>
    alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join(' OR ')})`,
  );
  const wanted = clauses.length === 1 ? clauses[0]! : clauses.join(' AND ');
  if (negative.length === 0) return wanted;
  // NOT is binary in FTS5 and binds tightest: parenthesise the positive part, then chain.
  return [`(${wanted})`, ...negative].join(' NOT ');
}

/**
 * TTL of a search the user (HTTP, CLI) asks for: none → DEFAULT_SEARCH_TTL, above MAX_SEARCH_TTL →
 * cut to it (asking for more is not wrong, just not granted), negative or fractional → 400.
 */
export function clampTtl(ttl: number | undefined): number {
  if (ttl === undefined) return DEFAULT_SEARCH_TTL;
  if (!Number.isInteger(ttl) || ttl < 0) {
    throw new InvalidArgumentError(`ttl must be a non-negative integer, got ${String(ttl)}`, {
      details: { max: MAX_SEARCH_TTL },
    });
  }
  return Math.min(ttl, MAX_SEARCH_TTL);
}

/**
 * TTL of a query that came from a peer: never throws (the codec has checked the type; a node does
 * not argue with its neighbours about hop counts), cut to MAX_SEARCH_TTL so nobody can make a
 * query travel further than every node agreed. Garbage (NaN, negative) → 0: answer, do not forward.
 */
export function cutRemoteTtl(ttl: number): number {
  if (!Number.isFinite(ttl) || ttl <= 0) return ttl === Infinity ? MAX_SEARCH_TTL : 0;
  return Math.min(Math.floor(ttl), MAX_SEARCH_TTL);
}

/**
 * Hits wanted, never throws: none or NaN → DEFAULT_SEARCH_LIMIT, otherwise rounded down and held
 * to 1..MAX_SEARCH_LIMIT (a limit is a wish; a too-large one is granted as far as we go).
 */
export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || Number.isNaN(limit)) return DEFAULT_SEARCH_LIMIT;
  return Math.max(1, Math.min(MAX_SEARCH_LIMIT, Math.floor(limit)));
}
