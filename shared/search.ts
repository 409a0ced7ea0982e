/**
 * The search query language, read the same way by the room (which runs it)
 * and the client (which highlights what it matched):
 *
 *   deploy "release notes" from:ann from:me in:thread has:file before:2026-01-31 after:2025-12-01
 *
 * Words and "quoted phrases" must all appear (a word also matches as the
 * start of a longer word: `depl` finds "deployment"). Filters narrow the
 * results. Anything else that looks like `key:value` is an ordinary word,
 * so a pasted URL or time never breaks a search. Users' words never reach
 * SQLite's FTS5 syntax directly: each is quoted (`ftsExpression`).
 */

/** Characters in a search query (a frame's field). */
export const SEARCH_QUERY_CHARS = 200;
/** Words and phrases one query may hold: each is one FTS5 term. */
export const SEARCH_TERMS_MAX = 12;

export interface SearchQuery {
  /** Words (matched as prefixes). */
  words: string[];
  /** Quoted phrases (matched exactly, in order). */
  phrases: string[];
  /** `from:` names (any of them), `me` for the searcher. */
  from: string[];
  /** `in:thread`: only thread replies. */
  inThread: boolean;
  /** `has:file`: only messages with attachments. */
  hasFile: boolean;
  /** `before:YYYY-MM-DD`: strictly before that day (in the searcher's time zone). */
  before: string | null;
  /** `after:YYYY-MM-DD`: strictly after that day. */
  after: string | null;
}

export type SearchParse = { ok: true; query: SearchQuery } | { ok: false; error: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Splits on spaces, keeping "quoted phrases" (and `from:"Ann Lee"`) together. */
function tokens(text: string): Array<{ text: string; quoted: boolean; key?: string }> {
  const out: Array<{ text: string; quoted: boolean; key?: string }> = [];
  const re = /(?:([a-z]+):)?"([^"]*)"?|(\S+)/gi;
  for (const m of text.matchAll(re)) {
    if (m[2] !== undefined) out.push({ text: m[2], quoted: true, ...(m[1] ? { key: m[1].toLowerCase() } : {}) });
    else out.push({ text: m[3]!, quoted: false });
  }
  return out;
}

/** A real calendar day (2026-02-30 is refused). */
function isDay(text: string): boolean {
  if (!DATE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

export function parseSearch(input: string): SearchParse {
  const query: SearchQuery = { words: [], phrases: [], from: [], inThread: false, hasFile: false, before: null, after: null };
  for (const token of tokens(input.trim())) {
    if (token.key) {
      // from:"Ann Lee"; any other quoted key:"…" is the phrase itself.
      if (token.key === "from" && token.text.trim()) query.from.push(token.text.trim());
      else if (token.text.trim()) query.phrases.push(token.text.trim());
      continue;
    }
    if (token.quoted) {
      if (token.text.trim()) query.phrases.push(token.text.trim());
      continue;
    }
    const filter = /^([a-z]+):(.+)$/i.exec(token.text);
    const key = filter?.[1]!.toLowerCase();
    const value = filter?.[2] ?? "";
    if (key === "from") {
      query.from.push(value.replace(/^@/, ""));
    } else if (key === "in" && value.toLowerCase() === "thread") {
      query.inThread = true;
    } else if (key === "has" && value.toLowerCase() === "file") {
      query.hasFile = true;
    } else if (key === "before" || key === "after") {
      if (!isDay(value)) return { ok: false, error: `${key}: takes a day as YYYY-MM-DD (like ${key}:2026-01-31), not "${value}".` };
      query[key] = value;
    } else {
      query.words.push(token.text);
    }
  }
  if (query.words.length + query.phrases.length > SEARCH_TERMS_MAX) {
    return { ok: false, error: `A search holds at most ${SEARCH_TERMS_MAX} words and phrases.` };
  }
  if (!hasCriteria(query)) return { ok: false, error: "Type a word to search for, or a filter such as from:name." };
  return { ok: true, query };
}

/**
 * The FTS5 expression for a query's words and phrases, or null when it has
 * none. Each is one quoted string (a `"` inside doubled), so nothing a
 * member types is FTS5 syntax: AND, NEAR, `*`, `:` and parentheses are
 * just text. Words match as prefixes. `mentions(word)`: the ids of members
 * whose name the word starts, so that a name also finds where they were
 * mentioned (a mention is stored as `<@id>`, which the index holds as the
 * id's tokens: the quoted id is matched as a phrase).
 */
export function ftsExpression(query: SearchQuery, mentions: (word: string) => string[] = () => []): string | null {
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const word = (w: string) => {
    const ids = mentions(w.replace(/^@/, ""));
    return ids.length ? `(${[`${quote(w)}*`, ...ids.map(quote)].join(" OR ")})` : `${quote(w)}*`;
  };
  const terms = [...query.words.map(word), ...query.phrases.map(quote)];
  // An explicit AND: FTS5 allows no implicit AND after a parenthesised group.
  return terms.length ? terms.join(" AND ") : null;
}

function hasCriteria(q: SearchQuery): boolean {
  return q.words.length + q.phrases.length + q.from.length > 0 || q.inThread || q.hasFile || q.before !== null || q.after !== null;
}

/**
 * Where a text shows what a query looked for, as [start, end) ranges: each
 * word where a word starts with it (the whole word), each phrase anywhere,
 * case-insensitively.
 * For highlighting only — the room's index decided what matched.
 */
export function matchRanges(text: string, query: Pick<SearchQuery, "words" | "phrases">): Array<[number, number]> {
  const lower = text.toLowerCase();
  const ranges: Array<[number, number]> = [];
  const wordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);
  // A word marks the whole word it starts (it matched as a prefix); a phrase marks itself.
  const find = (needle: string, word: boolean) => {
    const n = needle.toLowerCase();
    if (!n) return;
    for (let at = lower.indexOf(n); at >= 0; at = lower.indexOf(n, at + n.length)) {
      if (!word) ranges.push([at, at + n.length]);
      else if (!wordChar(lower[at - 1])) {
        let end = at + n.length;
        while (wordChar(lower[end])) end++;
        ranges.push([at, end]);
      }
    }
  };
  for (const w of query.words) find(w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ""), true);
  for (const p of query.phrases) find(p, false);
  // Sorted, overlaps merged: one mark per stretch.
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}
