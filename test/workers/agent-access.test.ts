/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * The room's side of Hearth's MCP endpoint (server/mcpserver/roomAccess.ts),
 * through the `agentCall` RPC the Worker's tools use: the role is read from
 * the room on every call, a post is the member's own `send` (broadcast live,
 * marked via the client, slow mode applies), writes are audited, and scopes
 * are enforced in the room.
 */
import { env } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { msgId, oliveAndBob, session } from "./client";
import { setModelOverride } from "./testModel";
import { scriptedModel, textParts, toolCallParts } from "./mockModel";

afterEach(() => setModelOverride(null));

// The file's first request loads the Worker (up to ~20 s on a busy machine);
// pay that here, not inside the first test's own timeout.
beforeAll(() => session("warm-up"), 60_000);

const principal = (memberId: string, scopes = ["read", "post", "remind"]) => ({ memberId, client: "Test Agent", clientId: "c_test", scopes });

async function room(name: string) {
  return getAgentByName(env.ChatRoom, name);
}

describe("agentCall", () => {
  it("posts as the member through the send path: live for others, via the client, audited", async () => {
    const { room: name, olive, o, b } = await oliveAndBob("agent");
    const stub = await room(name);
    const result = await stub.agentCall(principal(olive.id), { op: "post", text: "from an agent" });
    expect(result).toMatchObject({ ok: true, data: { message: { text: "from an agent", via: "Test Agent", author: { id: olive.id } } } });
    const live = await b.next("message", (f) => f.message.text === "from an agent");
    expect(live.message.via).toBe("Test Agent");
    // The owners' /audit names the member, the client and the message.
    const audit = await o.command("/audit");
    expect(audit.text).toMatch(/agent_post.*via Test Agent \(client c_test\): message \d+/);
    const read = await stub.agentCall(principal(olive.id), { op: "read", limit: 1 });
    expect(read).toMatchObject({ ok: true, data: { messages: [{ text: "from an agent" }] } });
    // While it acts, the agent is in the room's presence beside Olive's own tab.
    const here = await b.next("presence", (f) => f.members.some((m) => m.id === olive.id && m.agents?.some((a) => a.name === "Test Agent") === true));
    expect(here.members.find((m) => m.id === olive.id)).toMatchObject({ connections: 1, agents: [{ name: "Test Agent", app: "c_test" }] });
  });

  it("reads the role now: a member demoted to viewer cannot post, a removed one gets nothing", async () => {
    const { room: name, bob, o } = await oliveAndBob("agent-role");
    const stub = await room(name);
    expect(await stub.agentCall(principal(bob.id), { op: "post", text: "while a member" })).toMatchObject({ ok: true });
    o.send({ type: "member_action", id: "demote", action: "set_role", member: bob.id, role: "viewer" });
    await o.next("command_result", (f) => f.id === "demote");
    expect(await stub.agentCall(principal(bob.id), { op: "post", text: "as a viewer" })).toMatchObject({ ok: false, code: "read_only" });
    expect(await stub.agentCall(principal(bob.id), { op: "remind", who: "me", what: "x", when: "in 10 minutes" })).toMatchObject({ ok: false, code: "read_only" });
    expect(await stub.agentCall(principal(bob.id), { op: "read" })).toMatchObject({ ok: true });
    o.send({ type: "member_action", id: "remove", action: "remove", member: bob.id });
    await o.next("command_result", (f) => f.id === "remove");
    expect(await stub.agentCall(principal(bob.id), { op: "read" })).toMatchObject({ ok: false, code: "not_found" });
  });

  it("enforces scopes in the room and refuses malformed calls without changing anything", async () => {
    const { room: name, olive } = await oliveAndBob("agent-scope");
    const stub = await room(name);
    expect(await stub.agentCall(principal(olive.id, ["read"]), { op: "post", text: "no post scope" })).toMatchObject({ ok: false, code: "forbidden" });
    expect(await stub.agentCall(principal(olive.id), { op: "post", text: 42 })).toMatchObject({ ok: false, code: "invalid" });
    expect(await stub.agentCall(principal(olive.id), { op: "drop_tables" })).toMatchObject({ ok: false, code: "invalid" });
    const read = await stub.agentCall(principal(olive.id), { op: "read" });
    expect(read).toMatchObject({ ok: true, data: { messages: [] } });
  });

  it("creates and cancels a reminder as the member", async () => {
    const { room: name, olive, b } = await oliveAndBob("agent-remind");
    const stub = await room(name);
    const made = await stub.agentCall(principal(olive.id), { op: "remind", who: "me", what: "stretch", when: "in 10 minutes" });
    expect(made).toMatchObject({ ok: true });
    const listed = await stub.agentCall(principal(olive.id), { op: "reminders" });
    const items = (listed as unknown as { ok: true; data: { reminders: Array<{ id: string; text: string }> } }).data.reminders;
    expect(items.map((r) => r.text)).toEqual(["stretch"]);
    // Bob's agent may not cancel Olive's reminder (the same rule as for Bob).
    expect(await stub.agentCall(principal((await b.next("welcome")).self.id), { op: "cancel_reminder", id: items[0]!.id })).toMatchObject({ ok: false, code: "refused" });
    expect(await stub.agentCall(principal(olive.id), { op: "cancel_reminder", id: items[0]!.id })).toMatchObject({ ok: true });
  });

  it("lists members with who is online, and runs a saved script as the member only with the scripts scope", async () => {
    const { room: name, olive, bob, o } = await oliveAndBob("agent-scripts");
    const stub = await room(name);
    const members = await stub.agentCall(principal(olive.id), { op: "members" });
    expect(members).toMatchObject({ ok: true });
    const listed = (members as unknown as { data: { members: Array<{ id: string; role: string; online: boolean }> } }).data.members;
    expect(listed.map((m) => [m.id, m.role, m.online]).sort()).toEqual([[bob.id, "member", true], [olive.id, "owner", true]].sort());

    // Olive saves a script through the assistant; her agent runs it as her.
    setModelOverride(() => scriptedModel([{ parts: toolCallParts("save_script", { name: "hello", code: "async () => `hi ${input.who ?? 'all'}`" }) }, { parts: textParts(["Saved."]) }]));
    o.send({ type: "send", id: msgId(), text: "@assistant save a hello script" });
    await o.next("scripts", (f) => f.items.some((i) => i.name === "hello"), { timeoutMs: 15_000 });
    expect(await stub.agentCall(principal(olive.id), { op: "scripts" })).toMatchObject({ ok: true, data: { scripts: [{ name: "hello", version: 1 }] } });
    // Without the scripts scope: refused, and nothing runs.
    expect(await stub.agentCall(principal(olive.id), { op: "run_script", name: "hello" })).toMatchObject({ ok: false, code: "forbidden" });
    const scripted = principal(olive.id, ["read", "scripts"]);
    expect(await stub.agentCall(scripted, { op: "run_script", name: "nope" })).toMatchObject({ ok: false, code: "refused", text: expect.stringMatching(/nope/) });
    expect(await stub.agentCall(scripted, { op: "run_script", name: "hello", input: { who: "team" } })).toMatchObject({ ok: true });
    const run = await o.next("message_updated", (f) => f.message.kind === "tool" && f.message.status === "done", { timeoutMs: 15_000 });
    expect(run.message.author.id).toBe(olive.id);
    expect(run.message.parts.find((p) => p.tool === "code")!.output).toMatchObject({ result: "hi team" });
    expect((await o.command("/audit")).text).toMatch(/agent_run_script.*via Test Agent \(client c_test\): hello: ran/);
  });
});
