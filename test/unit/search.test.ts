/** The search query language (shared/search.ts) and its FTS5 expression. */
import { describe, expect, it } from "vitest";
import { ftsExpression, matchRanges, parseSearch } from "../../shared/search";

describe("parseSearch", () => {
  it("reads words, phrases and filters", () => {
    const parsed = parseSearch('deploy "release notes" from:ann from:"Ann Lee" from:@bob in:thread has:file before:2026-01-31 after:2025-12-01');
    expect(parsed).toEqual({
      ok: true,
      query: {
        words: ["deploy"],
        phrases: ["release notes"],
        from: ["ann", "Ann Lee", "bob"],
        inThread: true,
        hasFile: true,
        before: "2026-01-31",
        after: "2025-12-01",
      },
    });
  });

  it("keeps anything else that looks like key:value as a word", () => {
    const parsed = parseSearch("https://example.com 10:30 in:room");
    expect(parsed.ok && parsed.query.words).toEqual(["https://example.com", "10:30", "in:room"]);
  });

  it("refuses a day that is not one, an empty query and too many terms", () => {
    expect(parseSearch("x before:2026-02-30")).toMatchObject({ ok: false });
    expect(parseSearch("x after:tomorrow")).toMatchObject({ ok: false, error: expect.stringContaining("YYYY-MM-DD") });
    expect(parseSearch('  "" ')).toMatchObject({ ok: false });
    expect(parseSearch(Array.from({ length: 13 }, (_, i) => `w${i}`).join(" "))).toMatchObject({ ok: false });
  });
});

describe("ftsExpression", () => {
  it("quotes every term, so nothing typed is FTS5 syntax", () => {
    const parsed = parseSearch('AND NEAR( a"b "x y"');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(ftsExpression(parsed.query)).toBe('"AND"* AND "NEAR("* AND "a""b"* AND "x y"');
    const named = parseSearch("@ann lunch");
    if (!named.ok) throw new Error(named.error);
    expect(ftsExpression(named.query, (w) => (w === "ann" ? ["m_1", 'x"y'] : []))).toBe('("@ann"* OR "m_1" OR "x""y") AND "lunch"*');
    const filtersOnly = parseSearch("from:me");
    expect(filtersOnly.ok && ftsExpression(filtersOnly.query)).toBeNull();
  });
});

describe("matchRanges", () => {
  it("marks whole words a word starts, and phrases, case-insensitively", () => {
    expect(matchRanges("Deployment and redeploy", { words: ["deploy"], phrases: [] })).toEqual([[0, 10]]);
    expect(matchRanges("the Release Notes are out", { words: [], phrases: ["release notes"] })).toEqual([[4, 17]]);
    expect(matchRanges("aaa", { words: ["a", "aa"], phrases: [] })).toEqual([[0, 3]]);
  });
});
