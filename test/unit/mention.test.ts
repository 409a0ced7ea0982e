/** The composer's `@` completion: when it is offered, and what it replaces. */
import { describe, expect, it } from "vitest";
import { mentionAt } from "../../client/src/features/chat/composer/mention";

describe("mentionAt", () => {
  it("offers the name for a partial mention right before the caret", () => {
    expect(mentionAt("@", 1, "assistant")).toEqual({ start: 0, typed: "" });
    expect(mentionAt("hi @AsS", 7, "assistant")).toEqual({ start: 3, typed: "AsS" });
    // The caret decides, not the end of the text.
    expect(mentionAt("hi @as there", 6, "assistant")).toEqual({ start: 3, typed: "as" });
  });

  it("offers nothing once written out, for other words, or inside addresses and names", () => {
    expect(mentionAt("@assistant", 10, "assistant")).toBeNull();
    expect(mentionAt("@bob", 4, "assistant")).toBeNull();
    expect(mentionAt("bob@as", 6, "assistant")).toBeNull();
    expect(mentionAt("a.@as", 5, "assistant")).toBeNull();
    expect(mentionAt("hi @as there", 12, "assistant")).toBeNull();
  });

  it("uses the configured name", () => {
    expect(mentionAt("@he", 3, "helper")).toEqual({ start: 0, typed: "he" });
    expect(mentionAt("@as", 3, "helper")).toBeNull();
  });
});
