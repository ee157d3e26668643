/**
 * In-memory stand-ins for SearchIndex, for simulations of thousands of nodes (one SQLite database
 * per node would not fit). Matching is deliberately simple, close to FTS5 for plain words: the text
 * is cut into lower-case words (letters and digits); every word must equal a word of the entry's
 * name or keywords (AND), or be a prefix of one when written `word*`; a match in the name scores
 * twice one in the keywords. Other FTS5 operators (OR, NOT, phrases) are not understood:
 * `OR`/`AND`/`NOT` and `-word` are skipped.
 */
import type { IndexEntry, SearchHit } from '@peerweave/protocol';
import type { LeafIndex, LocalIndex } from '../search-node.ts';

interface Row {
  readonly entry: IndexEntry;
  readonly name: readonly string[];
  readonly keywords: readonly string[];
}

const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-case words of `text`. */
export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

interface Term {
  readonly word: string;
  readonly prefix: boolean;
}

function queryTerms(text: string): Term[] {
  const terms: Term[] = [];
  for (const raw of text.split(/\s+/u)) {
    if (raw === '' || raw === 'OR' || raw === 'AND' || raw === 'NOT' || raw.startsWith('-')) continue;
    const parts = words(raw);
    parts.forEach((word, i) => terms.push({ word, prefix: i === parts.length - 1 && raw.endsWith('*') }));
  }
  return terms;
}

function matches(w: string, term: Term): boolean {
  return term.prefix ? w.startsWith(term.word) : w === term.word;
}

function toRow(entry: IndexEntry): Row {
  return { entry, name: words(entry.name), keywords: entry.keywords.flatMap((k) => words(k)) };
}

/** Score of `row` for `terms`, 0 when some term does not match. */
function scoreOf(row: Row, terms: readonly Term[]): number {
  let score = 0;
  for (const term of terms) {
    let best = 0;
    if (row.name.some((w) => matches(w, term))) best = 2;
    else if (row.keywords.some((w) => matches(w, term))) best = 1;
    if (best === 0) return 0;
    score += best;
  }
  return score;
}

function toHit(entry: IndexEntry, score: number, holder: string): SearchHit {
  return { cid: entry.cid, name: entry.name, size: entry.size, contentType: entry.contentType, keywords: entry.keywords, score, holder };
}

function byScore(a: SearchHit, b: SearchHit): number {
  return b.score - a.score || (a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : a.holder < b.holder ? -1 : a.holder > b.holder ? 1 : 0);
}

/** A node's own records. */
export class MemoryIndex implements LocalIndex {
  readonly #rows = new Map<string, Row>();

  constructor(entries: readonly IndexEntry[] = []) {
    for (const e of entries) this.upsert(e);
  }

  upsert(entry: IndexEntry): void {
    this.#rows.set(entry.cid, toRow(entry));
  }

  remove(cid: string): boolean {
    return this.#rows.delete(cid);
  }

  entries(): IndexEntry[] {
    return [...this.#rows.values()].map((r) => r.entry);
  }

  get size(): number {
    return this.#rows.size;
  }

  search(text: string, options: { limit: number; selfId: string }): SearchHit[] {
    if (this.#rows.size === 0) return [];
    const terms = queryTerms(text);
    if (terms.length === 0) return [];
    const hits: SearchHit[] = [];
    for (const row of this.#rows.values()) {
      const score = scoreOf(row, terms);
      if (score > 0) hits.push(toHit(row.entry, score, options.selfId));
    }
    return hits.sort(byScore).slice(0, options.limit);
  }
}

/**
 * A supernode's index of its leaves' records. Unlike SearchIndex (one hit per CID), it answers one
 * hit per (CID, holder), so a search learns every leaf that holds a match.
 */
export class MemoryLeafIndex implements LeafIndex {
  readonly #owners = new Map<string, Map<string, Row>>();
  #count = 0;

  upsert(owner: string, entry: IndexEntry): void {
    let rows = this.#owners.get(owner);
    if (rows === undefined) this.#owners.set(owner, (rows = new Map()));
    if (!rows.has(entry.cid)) this.#count++;
    rows.set(entry.cid, toRow(entry));
  }

  remove(owner: string, cid: string): boolean {
    const rows = this.#owners.get(owner);
    if (rows === undefined || !rows.delete(cid)) return false;
    this.#count--;
    if (rows.size === 0) this.#owners.delete(owner);
    return true;
  }

  replaceOwner(owner: string, entries: readonly IndexEntry[]): void {
    this.removeOwner(owner);
    for (const e of entries) this.upsert(owner, e);
  }

  applyPublish(owner: string, change: { full: boolean; upserts: readonly IndexEntry[]; removed: readonly string[] }): void {
    if (change.full) this.removeOwner(owner);
    for (const e of change.upserts) this.upsert(owner, e);
    for (const cid of change.removed) this.remove(owner, cid);
  }

  removeOwner(owner: string): number {
    const rows = this.#owners.get(owner);
    if (rows === undefined) return 0;
    this.#owners.delete(owner);
    this.#count -= rows.size;
    return rows.size;
  }

  owners(): string[] {
    return [...this.#owners.keys()].sort();
  }

  entries(owner: string): IndexEntry[] {
    return [...(this.#owners.get(owner)?.values() ?? [])].map((r) => r.entry);
  }

  count(owner?: string): number {
    return owner === undefined ? this.#count : (this.#owners.get(owner)?.size ?? 0);
  }

  search(text: string, options: { limit: number; selfId: string }): SearchHit[] {
    if (this.#count === 0) return [];
    const terms = queryTerms(text);
    if (terms.length === 0) return [];
    const hits: SearchHit[] = [];
    for (const [owner, rows] of this.#owners) {
      for (const row of rows.values()) {
        const score = scoreOf(row, terms);
        if (score > 0) hits.push(toHit(row.entry, score, owner === '' ? options.selfId : owner));
      }
    }
    return hits.sort(byScore).slice(0, options.limit);
  }
}
