/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * Room model settings (issue 15, item 2) and the assistant's live status
 * (item 3), through real sockets: owners change the room's model, key,
 * temperature, output cap, name and instructions; nobody else can; the key
 * never reaches any socket; an unset room follows the Worker's defaults;
 * every member sees what the assistant is doing.
 */
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { afterEach, describe, expect, it } from "vitest";
import type { AssistantSettingsInput } from "../../shared/protocol";
import { setModelOverride } from "./testModel";
import { connect, msgId, roomName, session, type TestMember } from "./client";
import { Gate, promptText, scriptedModel, textParts, toolCallParts, type Script } from "./mockModel";

afterEach(() => setModelOverride(null));

function useModel(scripts: Script[]) {
  const model = scriptedModel(scripts);
  setModelOverride(() => model);
  return model;
}

const SECRET = "sk-test-4f1c9a7e2b-do-not-show";

/** alice creates the room (its owner), bob joins as a member; both welcomed. */
async function ownerAndMember() {
  const room = roomName("model");
  const alice = await session("alice");
  const bob = await session("bob");
  const a = await connect(room, alice.token);
  await a.next("typing");
  const b = await connect(room, bob.token);
  await b.next("typing");
  return { room, alice, bob, a, b };
}

/** Sends assistant_settings and waits for its result or error. */
async function change(m: TestMember, input: AssistantSettingsInput) {
  const id = msgId();
  m.send({ type: "assistant_settings", id, ...input });
  const [result, error] = await Promise.race([
    m.next("command_result", (f) => f.id === id).then((f) => [f, null] as const),
    m.next("error", (f) => f.ref === id).then((f) => [null, f] as const),
  ]);
  return { result, error };
}

function say(m: TestMember, text: string) {
  m.send({ type: "send", id: msgId(), text });
}

describe("room model settings", () => {
  it("a new room follows the Worker's configuration", async () => {
    const { a, b } = await ownerAndMember();
    const welcome = await b.next("welcome");
    // The workerd tests' Worker has the AI binding and no AI_PROVIDER: Workers AI's default model.
    expect(welcome.assistant).toMatchObject({ name: "assistant", source: "default", provider: "workers-ai", keySet: false, instructions: "" });
    expect(welcome.assistant.label).toMatch(/^Workers AI @cf\//);
    expect(welcome.assistant.maxOutputTokens).toBe(welcome.assistant.maxOutputTokensCap);
    expect(welcome.assistantStatus).toEqual({ activity: "idle", tool: null, seq: null });
    expect((await a.next("welcome")).assistant).toEqual(welcome.assistant);
  });

  it("an owner switches the room to another model and key; every member sees the model, nobody the key", async () => {
    const { room, bob, a, b } = await ownerAndMember();
    const { result, error } = await change(a, { provider: "openai-compatible", baseUrl: "https://models.example.com/v1/", model: "big-model", apiKey: SECRET });
    expect(error).toBeNull();
    expect(result!.ok).toBe(true);

    const seen = await b.next("assistant");
    expect(seen.assistant).toMatchObject({
      source: "room",
      provider: "openai-compatible",
      model: "big-model",
      baseUrl: "https://models.example.com/v1",
      label: "big-model at models.example.com",
      keySet: true,
      updatedBy: { name: "alice" },
    });
    // Everyone can read who changed the assistant, and to what.
    const notice = await b.next("message", (f) => f.message.kind === "system" && f.message.text.includes("alice changed the assistant"));
    expect(notice.message.text).toContain("big-model");

    // A later visitor's welcome carries the room's settings, still without the key.
    const again = await connect(room, bob.token);
    expect((await again.next("welcome")).assistant).toMatchObject({ source: "room", keySet: true });
    await again.next("typing");
    for (const m of [a, b, again]) expect(m.raw.join("\n")).not.toContain(SECRET);
  });

  it("only owners change the assistant: a member's and a viewer's attempts change nothing", async () => {
    const { room, a, b } = await ownerAndMember();
    const before = (await b.next("welcome")).assistant;
    const { error } = await change(b, { provider: "openai-compatible", baseUrl: "https://evil.example.com/v1", model: "x", name: "bobbot", instructions: "obey bob" });
    expect(error).toMatchObject({ code: "forbidden" });
    const listed = msgId();
    b.send({ type: "list_models", id: listed, provider: "openai-compatible" });
    expect(await b.next("error", (f) => f.ref === listed)).toMatchObject({ code: "forbidden" });

    const carol = await session("carol");
    const viewer = await connect(room, carol.token);
    await viewer.next("welcome");
    a.send({ type: "member_action", id: msgId(), action: "set_role", member: carol.id, role: "viewer" });
    await viewer.next("members", (f) => f.members.some((m) => m.id === carol.id && m.role === "viewer"));
    const { error: viewerError } = await change(viewer, { temperature: 2 });
    expect(viewerError).toMatchObject({ code: "forbidden" });

    await b.settle();
    expect(b.all("assistant")).toHaveLength(0);
    const fresh = await connect(room, (await session("dave")).token);
    expect((await fresh.next("welcome")).assistant).toEqual(before);
  });

  it("refuses URLs the egress guard refuses, with the rule, and stores nothing", async () => {
    const { a } = await ownerAndMember();
    for (const baseUrl of ["http://127.0.0.1:11434/v1", "https://169.254.169.254/latest", "https://localhost/v1", "https://models.example.com/v1?key=abc"]) {
      const { error } = await change(a, { provider: "openai-compatible", baseUrl, model: "m" });
      expect(error, baseUrl).toMatchObject({ code: "invalid_frame" });
      expect(error!.message).toMatch(/egress guard|query/);
    }
    expect(a.all("assistant")).toHaveLength(0);
  });

  it("a stored key goes only to the origin it was given for", async () => {
    const { a, b } = await ownerAndMember();
    await change(a, { provider: "openai-compatible", baseUrl: "https://models.example.com/v1", model: "m", apiKey: SECRET });
    expect((await b.next("assistant")).assistant.keySet).toBe(true);
    // Another path on the same origin keeps it…
    await change(a, { baseUrl: "https://models.example.com/openai/v1" });
    expect((await b.next("assistant", () => true, { count: 2 })).assistant.keySet).toBe(true);
    // …another origin forgets it: no owner can send the room's key to a server they run.
    await change(a, { baseUrl: "https://collector.example.net/v1" });
    expect((await b.next("assistant", () => true, { count: 3 })).assistant).toMatchObject({ keySet: false, baseUrl: "https://collector.example.net/v1" });
  });

  it("back to the default forgets the room's model, URL and key", async () => {
    const { a, b } = await ownerAndMember();
    await change(a, { provider: "openai-compatible", baseUrl: "https://models.example.com/v1", model: "m", apiKey: SECRET });
    await b.next("assistant");
    await change(a, { provider: "default" });
    const back = (await b.next("assistant", () => true, { count: 2 })).assistant;
    expect(back).toMatchObject({ source: "default", provider: "workers-ai", keySet: false, baseUrl: null });
    expect(back.label).toMatch(/^Workers AI/);
  });

  it("validates the whole change: output cap, names, incomplete models", async () => {
    const { a, b } = await ownerAndMember();
    const cap = (await a.next("welcome")).assistant.maxOutputTokensCap;
    expect((await change(a, { maxOutputTokens: cap + 1 })).error?.message).toMatch(/ASSISTANT_MAX_OUTPUT_TOKENS/);
    expect((await change(a, { name: "bob" })).error?.message).toMatch(/A member is called bob/);
    expect((await change(a, { provider: "openai-compatible", model: "m" })).error?.message).toMatch(/URL/);
    // A frame outside the schema is refused by the protocol, before any rule.
    const bad = msgId();
    a.send({ type: "assistant_settings", id: bad, name: "Has Spaces" });
    expect(await a.next("error", (f) => f.code === "invalid_frame" && f.message.includes("name"))).toBeTruthy();
    expect(b.all("assistant")).toHaveLength(0);
  });

  it("the turn uses the room's temperature, output cap, name and instructions", async () => {
    const { a, b } = await ownerAndMember();
    const model = useModel([{ parts: textParts(["Bonjour !"]) }]);
    const { error } = await change(a, { temperature: 0.3, maxOutputTokens: 200, name: "helper", instructions: "Answer in French." });
    expect(error).toBeNull();
    expect((await b.next("assistant")).assistant).toMatchObject({ name: "helper", temperature: 0.3, maxOutputTokens: 200 });

    // The old name no longer asks the assistant; the new one does.
    say(b, "@assistant are you there?");
    say(b, "@helper salut");
    const answer = await b.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done");
    expect(answer.message.author.name).toBe("helper");
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]).toMatchObject({ temperature: 0.3, maxOutputTokens: 200 });
    expect(promptText(model.calls[0]!)).toContain("Answer in French.");
    expect(promptText(model.calls[0]!)).toContain("salut");
  });
});

describe("assistant status", () => {
  it("every member sees it think, write, call a tool and go idle", async () => {
    const { b, a } = await ownerAndMember();
    const gate = new Gate();
    useModel([{ parts: toolCallParts("room_info", {}) }, { gate }]);
    say(a, "@assistant who is here?");
    await b.next("assistant_status", (f) => f.status.activity === "calling" && f.status.tool === "room_info");
    await b.next("assistant_status", (f) => f.status.activity === "thinking", { count: 2 });
    gate.open();
    gate.text("alice and bob");
    await b.next("assistant_status", (f) => f.status.activity === "writing");
    gate.end();
    await b.next("assistant_status", (f) => f.status.activity === "idle");
    const activities = b.all("assistant_status").map((f) => f.status.activity);
    expect(activities).toEqual(["thinking", "calling", "thinking", "writing", "idle"]);
  });

  it("a turn waiting for approval shows as waiting, also to someone who arrives after an eviction", async () => {
    const { room, bob, a, b } = await ownerAndMember();
    say(b, "spam spam spam");
    const spam = await a.next("message", (f) => f.message.text.startsWith("spam"));
    useModel([{ parts: toolCallParts("delete_message", { seq: spam.message.seq, reason: "spam" }) }, { parts: textParts(["Done."]) }]);
    say(b, "@assistant please delete the spam above");
    const waiting = await a.next("assistant_status", (f) => f.status.activity === "approval");
    expect(waiting.status.tool).toBe("delete_message");

    await evictDurableObject(await getAgentByName(env.ChatRoom, room), { webSockets: "close" });
    const back = await connect(room, bob.token);
    expect((await back.next("welcome")).assistantStatus).toMatchObject({ activity: "approval", seq: waiting.status.seq });
  });
});
