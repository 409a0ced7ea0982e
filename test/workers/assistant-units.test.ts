import { describe, expect, it } from "vitest";
import { chooseModel, envModelSource } from "../../server/assistant/config";
import { buildContext } from "../../server/assistant/context";
import { mentions } from "../../server/assistant/trigger";
import type { Env } from "../../server/env";
import type { ChatMessage } from "../../shared/protocol";

describe("mentions", () => {
  it.each([
    ["@assistant hi", true],
    ["hi @Assistant!", true],
    ["(@assistant)", true],
    ["line one\n@assistant", true],
    ["mail me at bob@assistant.com", false],
    ["@assistants are many", false],
    ["@assistant-bot", false],
    ["assistant without at", false],
  ])("%j → %s", (text, expected) => {
    expect(mentions(text, "assistant")).toBe(expected);
  });

  it("works with a configured name that has regex characters", () => {
    expect(mentions("hey @h.a.l", "h.a.l")).toBe(true);
    expect(mentions("hey @hxaxl", "h.a.l")).toBe(false);
  });
});

describe("chooseModel", () => {
  const base = {} as Env;
  const fromEnv = (env: Env) => chooseModel(envModelSource(env), env.AI);
  it("explains what to configure when nothing is", () => {
    const c = fromEnv(base);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.reason).toMatch(/AI_PROVIDER=openai-compatible/);
  });
  it("names the missing settings of openai-compatible", () => {
    const c = fromEnv({ ...base, AI_PROVIDER: "openai-compatible", AI_MODEL: "m" });
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.reason).toMatch(/OPENAI_BASE_URL/);
  });
  it("refuses an unknown provider by name", () => {
    const c = fromEnv({ ...base, AI_PROVIDER: "skynet" });
    expect(!c.ok && c.reason).toMatch(/skynet/);
  });
  it("builds an openai-compatible model", () => {
    const c = fromEnv({ ...base, AI_PROVIDER: "openai-compatible", AI_MODEL: "llama3.2", OPENAI_BASE_URL: "http://127.0.0.1:11434/v1" });
    expect(c.ok && c.label).toBe("llama3.2 at 127.0.0.1:11434");
  });
});

function msg(seq: number, name: string, text: string, kind: ChatMessage["kind"] = "user"): ChatMessage {
  return {
    seq, rev: seq, id: `m${seq}`, kind, author: { id: name, name }, text, createdAt: seq,
    editedAt: null, deleted: false, replyTo: null, status: null, parts: [],
  };
}

describe("buildContext", () => {
  it("labels speakers, keeps the newest within budget, and names the askers", () => {
    const recent = [
      msg(1, "alice", "x".repeat(400)),
      msg(2, "bob", "short one"),
      msg(3, "assistant", "an earlier answer", "assistant"),
      msg(4, "Hearth", "budget notice", "system"),
      msg(5, "carol", "@assistant what now?"),
    ];
    const { system, messages } = buildContext({
      assistantName: "assistant", roomName: "general", now: Date.UTC(2026, 10, 22, 9), online: [],
      recent, triggers: [recent[4]!], contextTokens: 40, });
    expect(messages).toEqual([
      { role: "user", content: '{"from":"bob","text":"short one"}' },
      { role: "assistant", content: "an earlier answer" },
      { role: "user", content: '{"from":"carol","text":"@assistant what now?"}' },
    ]);
    expect(system).toContain('room "general"');
    expect(system).toContain('asked by "carol"');
    expect(system).toContain("2026-11-22T09:00:00.000Z");
  });
});
