/**
 * Which methods each registered path answers, so an unmatched request can be told apart: a known
 * path with the wrong method is 405 with `Allow`, anything else 404. Fastify's router only says
 * "no match", so the index is fed from the `onRoute` hook.
 */
export class RouteIndex {
  readonly #static = new Map<string, Set<string>>();
  readonly #patterns: { regex: RegExp; methods: Set<string> }[] = [];
  readonly #patternByUrl = new Map<string, Set<string>>();

  /** Records a route; `url` is Fastify's pattern (`/v1/blocks/:cid`, `/files/*`). */
  add(methods: string | readonly string[], url: string): void {
    const list = typeof methods === 'string' ? [methods] : methods;
    let set: Set<string> | undefined;
    if (/[:*]/.test(url)) {
      set = this.#patternByUrl.get(url);
      if (set === undefined) {
        set = new Set();
        this.#patternByUrl.set(url, set);
        this.#patterns.push({ regex: patternToRegex(url), methods: set });
      }
    } else {
      set = this.#static.get(url);
      if (set === undefined) {
        set = new Set();
        this.#static.set(url, set);
      }
    }
    for (const m of list) set.add(m.toUpperCase());
  }

  /** Methods accepted on a concrete path, sorted; empty when no route has that path. */
  allowedMethods(path: string): string[] {
    const out = new Set(this.#static.get(path));
    for (const p of this.#patterns) {
      if (p.regex.test(path)) for (const m of p.methods) out.add(m);
    }
    return [...out].sort();
  }
}

/** Fastify path syntax to a regex: `:name` and `:name(regex)` match one segment, `*` the rest. */
function patternToRegex(url: string): RegExp {
  let out = '';
  for (let i = 0; i < url.length; i++) {
    const ch = url[i]!;
    if (ch === ':' && url[i + 1] === ':') {
      // `::` is an escaped literal colon.
      out += ':';
      i++;
    } else if (ch === ':') {
      // Skip the parameter name and any inline regex; the segment is matched loosely.
      while (i + 1 < url.length && /[\w-]/.test(url[i + 1]!)) i++;
      if (url[i + 1] === '(') {
        let depth = 0;
        do {
          i++;
          if (url[i] === '(') depth++;
          else if (url[i] === ')') depth--;
        } while (i + 1 < url.length && depth > 0);
      }
      out += '[^/]+';
    } else if (ch === '*') {
      out += '.*';
    } else {
      out += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`);
}
