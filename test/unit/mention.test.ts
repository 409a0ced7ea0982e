/** The composer's `@` completion and the mention tokens it sends. */
import { describe, expect, it } from "vitest";
import { mentionAt, type MentionCandidate } from "../../client/src/features/chat/composer/mention";
import { namesToTokens, tokensToNames } from "../../client/src/features/mentions/text";

const assistant: MentionCandidate = { id: null, name: "assistant" };
const ann: MentionCandidate = { id: "m_ann", name: "Ann" };
const annika: MentionCandidate = { id: "m_annika", name: "Annika" };
const everyone = [assistant, ann, annika];
const names = (found: ReturnType<typeof mentionAt>) => found?.options.map((o) => o.name);

describe("mentionAt", () => {
  it("offers the names a partial mention right before the caret could still become", () => {
    expect(mentionAt("@", 1, everyone)).toMatchObject({ start: 0, typed: "" });
    expect(names(mentionAt("@", 1, everyone))).toEqual(["assistant", "Ann", "Annika"]);
    expect(names(mentionAt("hi @AsS", 7, everyone))).toEqual(["assistant"]);
    expect(names(mentionAt("hi @an", 6, everyone))).toEqual(["Ann", "Annika"]);
    // A whole name that is the start of another still offers the longer one.
    expect(names(mentionAt("hi @ann", 7, everyone))).toEqual(["Annika"]);
    // The caret decides, not the end of the text.
    expect(mentionAt("hi @as there", 6, everyone)).toMatchObject({ start: 3, typed: "as" });
  });

  it("offers nothing once written out, for other words, or inside addresses and names", () => {
    expect(mentionAt("@assistant", 10, everyone)).toBeNull();
    expect(mentionAt("@bob", 4, everyone)).toBeNull();
    expect(mentionAt("bob@as", 6, everyone)).toBeNull();
    expect(mentionAt("a.@as", 5, everyone)).toBeNull();
    expect(mentionAt("hi @as there", 12, everyone)).toBeNull();
  });

  it("uses the configured assistant name", () => {
    expect(names(mentionAt("@he", 3, [{ id: null, name: "helper" }]))).toEqual(["helper"]);
    expect(mentionAt("@as", 3, [{ id: null, name: "helper" }])).toBeNull();
  });
});

describe("mention tokens", () => {
  it("sends each completed name as its member's id, longest name first", () => {
    const picked = new Map([["@Ann", "m_ann"], ["@Ann Lee", "m_lee"]]);
    expect(namesToTokens("@Ann Lee and @Ann, not @Annika or x@Ann", picked)).toBe("<@m_lee> and <@m_ann>, not @Annika or x@Ann");
    expect(namesToTokens("@Ann", new Map())).toBe("@Ann");
  });

  it("edits tokens as the names they show, and saves them back unchanged", () => {
    const nameOf = (id: string) => ({ m_ann: "Ann", m_lee: "Ann Lee" })[id] ?? null;
    const shown = tokensToNames("hi <@m_lee>, <@m_ann> and <@m_gone>", nameOf);
    expect(shown.text).toBe("hi @Ann Lee, @Ann and <@m_gone>");
    expect(namesToTokens(shown.text, shown.picked)).toBe("hi <@m_lee>, <@m_ann> and <@m_gone>");
  });
});
