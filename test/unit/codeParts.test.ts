/** Code Mode cards, the pure part: nesting by parentCallId, reading output, which run is savable. */
import { describe, expect, it } from "vitest";
import type { ChatMessage, ToolPart } from "../../shared/protocol";
import { codeOutput, groupParts, isCodePart, latestSavableRun, scriptOf } from "../../client/src/features/codemode/codeParts";

function part(callId: string, extra: Partial<ToolPart> = {}): ToolPart {
  return { type: "tool", callId, tool: "room_info", input: {}, state: "done", textOffset: 0, startedAt: 1, ...extra };
}

function codePart(callId: string, extra: Partial<ToolPart> = {}): ToolPart {
  return part(callId, { tool: "code", input: { code: "async () => 1" }, ...extra });
}

const ids = (parts: readonly ToolPart[] | undefined) => (parts ?? []).map((p) => p.callId);

describe("groupParts", () => {
  it("puts the calls a run made inside it, in call order, and not at the top", () => {
    const parts = [
      part("a"),
      codePart("c"),
      part("c/1", { parentCallId: "c" }),
      part("b"),
      part("c/2", { parentCallId: "c", tool: "search_messages" }),
      codePart("d"),
      part("d/1", { parentCallId: "d" }),
    ];
    const tree = groupParts(parts);
    expect(ids(tree.top)).toEqual(["a", "c", "b", "d"]);
    expect(ids(tree.children.get("c"))).toEqual(["c/1", "c/2"]);
    expect(ids(tree.children.get("d"))).toEqual(["d/1"]);
    expect(tree.children.has("a")).toBe(false);
  });

  it("leaves a message without nested calls as it was", () => {
    const parts = [part("x"), part("y")];
    const tree = groupParts(parts);
    expect(ids(tree.top)).toEqual(["x", "y"]);
    expect(tree.children.size).toBe(0);
  });

  it("keeps at the top a call whose parent is missing, itself, or in a cycle — every part exactly once", () => {
    const parts = [
      part("orphan", { parentCallId: "gone" }),
      part("self", { parentCallId: "self" }),
      part("p", { parentCallId: "q" }),
      part("q", { parentCallId: "p" }),
      codePart("c"),
      part("c/1", { parentCallId: "c" }),
      // Nested deeper: a call made by a call.
      part("c/1/1", { parentCallId: "c/1" }),
    ];
    const tree = groupParts(parts);
    expect(ids(tree.top)).toEqual(["orphan", "self", "p", "c"]);
    expect(ids(tree.children.get("p"))).toEqual(["q"]);
    expect(ids(tree.children.get("c"))).toEqual(["c/1"]);
    expect(ids(tree.children.get("c/1"))).toEqual(["c/1/1"]);
    const shown = [...ids(tree.top), ...[...tree.children.values()].flatMap(ids)];
    expect(shown.sort()).toEqual(ids(parts).sort());
  });
});

describe("codeOutput and the card's input", () => {
  it("reads logs and result, with or without logs", () => {
    expect(codeOutput(codePart("c", { output: { result: { online: 2 }, logs: ["n 2"] } }))).toEqual({
      result: { online: 2 },
      hasResult: true,
      logs: ["n 2"],
      truncated: null,
    });
    expect(codeOutput(codePart("c", { output: { result: null } }))).toMatchObject({ result: null, hasResult: true, logs: [] });
    expect(codeOutput(codePart("c", { state: "running", output: undefined }))).toMatchObject({ hasResult: false, logs: [] });
  });

  it("shows the preview of a cut result, and anything unexpected as the result itself", () => {
    const cut = codeOutput(codePart("c", { output: { truncated: true, preview: '{"result":[1,2', totalChars: 9000 } }));
    expect(cut.truncated).toEqual({ preview: '{"result":[1,2', totalChars: 9000 });
    expect(cut.hasResult).toBe(false);
    expect(codeOutput(codePart("c", { output: "plain" }))).toMatchObject({ result: "plain", hasResult: true });
    expect(codeOutput(codePart("c", { output: { other: 1 } }))).toMatchObject({ result: { other: 1 }, hasResult: true });
    expect(codeOutput(codePart("c", { output: { result: 1, logs: [1, "x"] } })).logs).toEqual(["1", "x"]);
  });

  it("recognises code cards and scripts", () => {
    expect(isCodePart(codePart("c"))).toBe(true);
    expect(isCodePart(part("c", { tool: "code", input: { nope: 1 } }))).toBe(false);
    expect(isCodePart(part("c", { input: { code: "x" } }))).toBe(false);
    expect(scriptOf(codePart("c", { input: { script: "digest", version: 3, input: null, code: "x" } }))).toEqual({ name: "digest", version: 3 });
    expect(scriptOf(codePart("c"))).toBeNull();
  });
});

describe("latestSavableRun", () => {
  function message(seq: number, parts: ToolPart[]): ChatMessage {
    return {
      seq,
      rev: seq,
      id: `m${seq}`,
      kind: "assistant",
      author: { id: "ai", name: "assistant" },
      text: "",
      createdAt: 1,
      editedAt: null,
      deleted: false,
      replyTo: null,
      status: "done",
      parts,
    };
  }

  it("is the newest done code card of the newest message that has one, as /scripts save picks it", () => {
    const messages = [
      message(1, [codePart("old")]),
      message(2, [codePart("a"), part("a/1", { parentCallId: "a" }), codePart("b"), codePart("failed", { state: "error" })]),
      message(3, [part("plain")]),
      message(4, [codePart("running", { state: "running" })]),
    ];
    expect(latestSavableRun(messages)).toEqual({ seq: 2, callId: "b" });
    expect(latestSavableRun(messages.slice(0, 1))).toEqual({ seq: 1, callId: "old" });
    expect(latestSavableRun([message(5, [part("x")])])).toBeNull();
  });
});
