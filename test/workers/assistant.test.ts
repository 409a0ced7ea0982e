/// <reference types="@cloudflare/vitest-plugin/types" />
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { afterEach, describe, expect, it } from "vitest";
import { setModelOverride } from "./testModel";
import { api, connect, msgId, roomName, session, type TestMember } from "./client";
import { Gate, promptText, scriptedModel, textParts, toolCallParts, userTexts, withUsage, type Script } from "./mockModel";

function useModel(scripts: Script[]) {
  const model = scriptedModel(scripts);
  setModelOverride(() => model);
  return model;
}

afterEach(() => setModelOverride(null));

async function room(names: string[]) {
  const name = roomName("ai");
  const members: TestMember[] = [];
  const ids: string[] = [];
  for (const n of names) {
    const s = await session(n);
    ids.push(s.id);
    const m = await connect(name, s.token);
    await m.next("typing");
    members.push(m);
  }
  return { name, members, ids };
}

function say(m: TestMember, text: string, replyTo?: number) {
  const id = msgId();
  m.send(replyTo ? { type: "send", id, text, replyTo } : { type: "send", id, text });
  return id;
}

const assistantMessage = (m: TestMember) => m.next("message", (f) => f.message.kind === "assistant");
const settled = (m: TestMember, status: string, count = 1) =>
  m.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === status, { count });

describe("assistant", () => {
  it("streams its answer to every member in coalesced drafts", async () => {
    const chunks = Array.from({ length: 12 }, (_, i) => `word${i} `);
    useModel([{ parts: textParts(chunks), delayMs: 15 }]);
    const { members: [a, b] } = await room(["alice", "bob"]);
    say(a!, "@assistant tell me something");

    const started = await assistantMessage(b!);
    expect(started.message).toMatchObject({ status: "streaming", text: "", author: { name: "assistant" } });
    const done = await settled(b!, "done");
    expect(done.message.text).toBe(chunks.join(""));

    for (const m of [a!, b!]) {
      const drafts = m.all("draft").filter((d) => d.seq === started.message.seq);
      // Several intermediate states, fewer frames than model chunks.
      expect(drafts.length).toBeGreaterThanOrEqual(2);
      expect(drafts.length).toBeLessThan(chunks.length);
      let text = "";
      for (const d of drafts) {
        expect(d.offset).toBe(text.length);
        text = text.slice(0, d.offset) + d.text;
      }
      expect(text).toBe(done.message.text);
    }
  });

  it("answers mentions and replies to its messages, and nothing else", async () => {
    const model = useModel([{ parts: textParts(["Hi!"]) }]);
    const { members: [a] } = await room(["alice"]);
    say(a!, "no mention here; email me at x@assistant.dev");
    say(a!, "@assistants is another name");
    await a!.settle();
    expect(model.calls).toHaveLength(0);

    say(a!, "hey @Assistant, hello");
    const first = await settled(a!, "done");
    say(a!, "thanks!", first.message.seq);
    await settled(a!, "done", 2);
    expect(model.calls).toHaveLength(2);
    // The context carries speakers, each message as {"from", "text"}.
    expect(userTexts(model.calls[1]!)).toContain(JSON.stringify({ from: "alice", text: "thanks!" }));
  });

  it("shows tool calls as cards with their result", async () => {
    const model = useModel([{ parts: toolCallParts("room_info", {}) }, { parts: textParts(["Two of you."]) }]);
    const { members: [a, b] } = await room(["alice", "bob"]);
    say(a!, "@assistant who is here?");
    const running = await b!.next("tool", (f) => f.part.state === "running");
    expect(running.part).toMatchObject({ tool: "room_info", callId: "call-room_info" });
    const done = await b!.next("tool", (f) => f.part.state === "done");
    expect(done.part.output).toMatchObject({ online: [{ name: "alice" }, { name: "bob" }] });
    expect(done.part.durationMs).toBeGreaterThanOrEqual(0);
    const final = await settled(a!, "done");
    expect(final.message.parts).toEqual([done.part]);
    // The second model call saw the tool's result.
    expect(promptText(model.calls[1]!)).toContain("bob");
  });

  it("keeps a pending approval across hibernation and resumes when an owner approves", async () => {
    const { name, members: [owner, bob], ids } = await room(["olive", "bob"]);
    say(bob!, "buy cheap pills at spam.example");
    const spam = await owner!.next("message", (f) => f.message.text.startsWith("buy"));
    const model = useModel([
      { parts: toolCallParts("delete_message", { seq: spam.message.seq, reason: "spam" }) },
      { parts: textParts(["Deleted the spam."]) },
    ]);
    say(bob!, "@assistant please delete the spam above");

    const waiting = await owner!.next("tool", (f) => f.part.state === "awaiting_approval");
    expect(waiting.part.approvers).toEqual([ids[0]]);
    await settled(owner!, "waiting");
    expect(model.calls).toHaveLength(1);

    // A member who is not an approver cannot decide.
    bob!.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    expect(await bob!.next("error")).toMatchObject({ code: "not_approver" });

    const stub = await getAgentByName(env.ChatRoom, name);
    await evictDurableObject(stub, { webSockets: "hibernate" });

    owner!.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    const deleted = await bob!.next("message_updated", (f) => f.message.seq === spam.message.seq);
    expect(deleted.message.deleted).toBe(true);
    const final = await settled(bob!, "done");
    expect(final.message.text).toBe("Deleted the spam.");
    expect(final.message.parts[0]).toMatchObject({ state: "done", decidedBy: { name: "olive" } });
    expect(model.calls).toHaveLength(2);
  });

  it("tells the model a denied call was not run", async () => {
    const { members: [owner, bob] } = await room(["olive", "bob"]);
    say(bob!, "hello");
    const msg = await owner!.next("message");
    const model = useModel([
      { parts: toolCallParts("delete_message", { seq: msg.message.seq, reason: "because" }) },
      { parts: textParts(["OK, I won't."]) },
    ]);
    say(bob!, "@assistant delete my hello");
    const waiting = await owner!.next("tool", (f) => f.part.state === "awaiting_approval");
    owner!.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: false });
    const final = await settled(bob!, "done");
    expect(final.message.parts[0]!.state).toBe("denied");
    expect(bob!.all("message_updated").some((f) => f.message.seq === msg.message.seq)).toBe(false);
    expect(promptText(model.calls[1]!)).toMatch(/denied/i);
  });

  it("answers mentions that arrive during a turn together in the next turn", async () => {
    const gate = new Gate();
    const model = useModel([{ gate }, { parts: textParts(["Answering you both."]) }]);
    const { members: [a, b, c] } = await room(["alice", "bob", "carol"]);
    say(a!, "@assistant first question");
    await assistantMessage(a!);
    say(b!, "@assistant second");
    say(c!, "@assistant third");
    await c!.next("ack");
    gate.open();
    gate.text("First answer.");
    gate.end();
    await settled(a!, "done", 2);
    expect(model.calls).toHaveLength(2);
    const system = model.calls[1]!.prompt.find((m) => m.role === "system")?.content;
    expect(system).toContain('asked by "bob", "carol"');
    expect(a!.all("message").filter((f) => f.message.kind === "assistant")).toHaveLength(2);
  });

  it("lets a member stop a turn and keeps the partial answer; viewers cannot", async () => {
    const gate = new Gate();
    useModel([{ gate }]);
    const owner = await session("olive");
    const res = await api("/api/rooms", owner.token, { visibility: "private" });
    const name = ((await res.json()) as { room: string }).room;
    const o = await connect(name, owner.token);
    const inv = await api(`/api/rooms/${name}/invites`, owner.token, { role: "viewer" });
    const invite = decodeURIComponent(((await inv.json()) as { path: string }).path.split("#invite=")[1]!);
    const v = await connect(name, (await session("vic")).token, { invite });
    say(o, "@assistant write an essay");
    const started = await assistantMessage(v);
    gate.open();
    gate.text("The beginning");
    await v.next("draft");
    v.send({ type: "stop", seq: started.message.seq });
    expect(await v.next("error")).toMatchObject({ code: "read_only" });
    o.send({ type: "stop", seq: started.message.seq });
    const stopped = await settled(v, "stopped");
    expect(stopped.message.text).toBe("The beginning");
  });

  it("shows a member who joins mid-turn the text so far, then the rest", async () => {
    const gate = new Gate();
    useModel([{ gate }]);
    const { name, members: [a] } = await room(["alice"]);
    say(a!, "@assistant go");
    await assistantMessage(a!);
    gate.open();
    gate.text("Hello, ");
    await a!.next("draft");
    const late = await connect(name, (await session("late")).token);
    const first = await late.next("draft");
    expect(first).toMatchObject({ offset: 0, text: "Hello, " });
    gate.text("world");
    gate.end();
    const done = await settled(late, "done");
    expect(done.message.text).toBe("Hello, world");
  });

  it("says clearly when the model fails, and chat keeps working", async () => {
    useModel([{ fail: new Error("connect ECONNREFUSED 127.0.0.1:11434") }]);
    const { members: [a, b] } = await room(["alice", "bob"]);
    say(a!, "@assistant hi");
    const failed = await settled(b!, "failed");
    expect(failed.message.kind).toBe("assistant");
    const notice = await b!.next("message", (f) => f.message.kind === "system");
    expect(notice.message.text).toContain("ECONNREFUSED");
    say(b!, "still chatting");
    await a!.next("message", (f) => f.message.text === "still chatting");
  });

  it("says what to configure when the configured model cannot run here", async () => {
    // The test Worker has the AI binding, which cannot run locally.
    const { members: [a] } = await room(["alice"]);
    say(a!, "@assistant are you there?");
    const notice = await a!.next("message", (f) => f.message.kind === "system");
    expect(notice.message.text).toMatch(/AI_PROVIDER=openai-compatible/);
    expect((await settled(a!, "failed")).message.text).toBe("");
  });

  it("refuses turns over the member's per-minute budget without calling the model", async () => {
    const model = useModel([{ parts: textParts(["ok"]) }]);
    const { members: [a] } = await room(["alice"]);
    for (let i = 1; i <= 4; i++) {
      say(a!, `@assistant question ${i}`);
      await settled(a!, "done", i);
    }
    say(a!, "@assistant one more");
    const notice = await a!.next("message", (f) => f.message.kind === "system");
    expect(notice.message.text).toMatch(/4 assistant turns per minute/);
    expect(model.calls).toHaveLength(4);
  });

  it("refuses turns once the tokens the model reported for the member's turns use up the day's budget", async () => {
    // 20,000 output tokens a turn (and 10 input): the third turn crosses the default 50,000.
    const model = useModel([{ parts: withUsage(textParts(["A long answer."]), 20_000) }]);
    const { members: [a] } = await room(["alice"]);
    for (let i = 1; i <= 3; i++) {
      say(a!, `@assistant essay ${i}`);
      await settled(a!, "done", i);
    }
    say(a!, "@assistant and now?");
    const notice = await a!.next("message", (f) => f.message.kind === "system");
    expect(notice.message.text).toMatch(/you have used your 50000 assistant tokens for today/);
    expect(model.calls).toHaveLength(3);
  });

  it("marks a turn cut off by a crash as interrupted when the room wakes", async () => {
    const { name } = await room(["alice"]);
    const stub = await getAgentByName(env.ChatRoom, name);
    const seq = await runInDurableObject(stub, (instance) => {
      const stored = instance.log.insert({
        id: "assistant-crashed",
        kind: "assistant",
        author: { id: "assistant", name: "assistant" },
        text: "",
        now: Date.now(),
        status: "streaming",
      });
      if (stored.status !== "stored") throw new Error("seed failed");
      instance.log.checkpoint(stored.message.seq, "Half an ans", []);
      return stored.message.seq;
    });
    await evictDurableObject(stub, { webSockets: "close" });
    const again = await connect(name, (await session("bob")).token);
    const snap = await again.next("snapshot");
    expect(snap.messages.find((m) => m.seq === seq)).toMatchObject({ status: "interrupted", text: "Half an ans" });
  });
});
